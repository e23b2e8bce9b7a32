'use client'
// The footer of a newest-first, cursor-paged log (audit events, configuration versions):
// "Page n" with Newer / Older. `pager` comes from useCursorPager; `nextCursor` from the last page.
import type { useCursorPager } from '@/lib/use-cursor-pager'
import { Button } from './Button'

export function NewerOlderPager({ pager, nextCursor }: { pager: ReturnType<typeof useCursorPager>; nextCursor: string | undefined }) {
  return (
    <div className="flex items-center justify-between gap-3 border-t border-line px-3 py-2 text-xs text-muted">
      <span>Page {pager.page}</span>
      <div className="flex gap-2">
        <Button size="sm" onClick={pager.prev} disabled={!pager.hasPrev}>Newer</Button>
        <Button size="sm" onClick={() => pager.next(nextCursor)} disabled={!nextCursor}>Older</Button>
      </div>
    </div>
  )
}
