// Binds a cursor-paged list query (`{ items, nextCursor?, total? }`, placeholderData:
// keepPreviousData) and its useCursorPager state to DataTable's props: skeleton on the first
// load, dimmed rows while a new page/search loads, retry on error, Previous/Next.
import type { PagerProps } from '@/components/ui/DataTable'
import type { useCursorPager } from './use-cursor-pager'

export interface CursorListQuery<T> {
  data?: { items: T[]; nextCursor?: string; total?: number }
  isPending: boolean
  isFetching: boolean
  isPlaceholderData: boolean
  error: unknown
  refetch: () => unknown
}

export function cursorListProps<T>(q: CursorListQuery<T>, pager: ReturnType<typeof useCursorPager>) {
  const props: { rows: T[] | undefined; loading: boolean; fetching: boolean; error: unknown; onRetry: () => void; pager: PagerProps } = {
    rows: q.data?.items,
    loading: q.isPending,
    fetching: q.isFetching && q.isPlaceholderData,
    error: q.error,
    onRetry: () => void q.refetch(),
    pager: {
      page: pager.page,
      hasPrev: pager.hasPrev,
      hasNext: Boolean(q.data?.nextCursor),
      onPrev: pager.prev,
      onNext: () => pager.next(q.data?.nextCursor),
      total: q.data?.total,
    },
  }
  return props
}
