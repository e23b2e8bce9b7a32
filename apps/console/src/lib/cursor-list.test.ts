import { describe, expect, it, vi } from 'vitest'
import { cursorListProps, type CursorListQuery } from './cursor-list'

const pager = (page: number) => ({ cursor: undefined, page, hasPrev: page > 1, next: vi.fn(), prev: vi.fn(), first: vi.fn() })

describe('cursorListProps', () => {
  it('shows a skeleton on the first load and no next page', () => {
    const q: CursorListQuery<string> = { isPending: true, isFetching: true, isPlaceholderData: false, error: null, refetch: vi.fn() }
    const p = cursorListProps(q, pager(1))
    expect(p).toMatchObject({ rows: undefined, loading: true, fetching: false, pager: { page: 1, hasPrev: false, hasNext: false, total: undefined } })
  })
  it('dims placeholder rows while the next page loads and pages with the cursor', () => {
    const refetch = vi.fn()
    const pg = pager(2)
    const q: CursorListQuery<string> = { data: { items: ['a'], nextCursor: 'c2', total: 7 }, isPending: false, isFetching: true, isPlaceholderData: true, error: null, refetch }
    const p = cursorListProps(q, pg)
    expect(p).toMatchObject({ rows: ['a'], loading: false, fetching: true, pager: { page: 2, hasPrev: true, hasNext: true, total: 7 } })
    p.pager.onNext()
    expect(pg.next).toHaveBeenCalledWith('c2')
    p.pager.onPrev()
    expect(pg.prev).toHaveBeenCalled()
    p.onRetry()
    expect(refetch).toHaveBeenCalled()
  })
})
