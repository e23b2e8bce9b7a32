'use client'
// Server-driven table: the page owns search / sort / cursor and passes the current page's rows.
// Sticky header, skeleton rows while the first page loads, an empty row, keyboard navigation
// (rows are a roving tab stop: ↑/↓/Home/End move, Enter opens) and sortable column headers
// announced through aria-sort.
import { useRef, useState, type KeyboardEvent, type ReactNode } from 'react'
import { cx } from '@/lib/cx'
import { Button } from './Button'
import { ErrorState } from './ErrorState'
import { Spinner } from './Spinner'

export type SortDir = 'asc' | 'desc'
export interface SortState {
  key: string
  dir: SortDir
}

export interface Column<T> {
  key: string
  header: ReactNode
  cell: (row: T) => ReactNode
  sortable?: boolean
  /** Classes for both th and td (width, alignment, hiding on narrow screens: 'hidden md:table-cell'). */
  className?: string
}

export interface PagerProps {
  page: number
  hasPrev: boolean
  hasNext: boolean
  onPrev: () => void
  onNext: () => void
  /** Total number of matches when the server knows it. */
  total?: number
}

export interface DataTableProps<T> {
  /** Accessible name of the table. */
  label: string
  columns: Column<T>[]
  rows: T[] | undefined
  rowKey: (row: T) => string
  /** First load: skeleton rows. */
  loading?: boolean
  /** Refetching with rows already shown (e.g. new search): dims the rows, sets aria-busy. */
  fetching?: boolean
  error?: unknown
  onRetry?: () => void
  sort?: SortState
  onSortChange?: (s: SortState) => void
  /** Row activation (click or Enter). */
  onRowOpen?: (row: T) => void
  empty?: ReactNode
  pager?: PagerProps
  /** Toolbar above the table (search box, filters, actions). */
  toolbar?: ReactNode
  skeletonRows?: number
  className?: string
}

export function DataTable<T>({
  label,
  columns,
  rows,
  rowKey,
  loading,
  fetching,
  error,
  onRetry,
  sort,
  onSortChange,
  onRowOpen,
  empty = 'Nothing to show.',
  pager,
  toolbar,
  skeletonRows = 8,
  className,
}: DataTableProps<T>) {
  const [active, setActive] = useState(0)
  const body = useRef<HTMLTableSectionElement>(null)
  const list = rows ?? []
  const activeIdx = Math.min(active, Math.max(0, list.length - 1))

  const focusRow = (i: number) => {
    const tr = body.current?.querySelectorAll<HTMLTableRowElement>('tr[data-row]')[i]
    if (tr) {
      setActive(i)
      tr.focus()
    }
  }
  const onKey = (e: KeyboardEvent<HTMLTableRowElement>, i: number, row: T) => {
    if (e.key === 'ArrowDown') focusRow(Math.min(list.length - 1, i + 1))
    else if (e.key === 'ArrowUp') focusRow(Math.max(0, i - 1))
    else if (e.key === 'Home') focusRow(0)
    else if (e.key === 'End') focusRow(list.length - 1)
    else if (e.key === 'Enter' && onRowOpen && e.target === e.currentTarget) onRowOpen(row)
    else return
    e.preventDefault()
  }

  const toggleSort = (key: string) => {
    if (!onSortChange) return
    onSortChange(sort?.key === key ? { key, dir: sort.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' })
  }

  return (
    <div className={cx('card flex flex-col', className)}>
      {toolbar && <div className="flex flex-wrap items-end gap-3 border-b border-line p-3">{toolbar}</div>}
      {error && !rows ? (
        <ErrorState error={error} onRetry={onRetry} />
      ) : (
        <div className="max-h-[calc(100vh-15rem)] min-h-40 overflow-auto">
          <table aria-label={label} aria-busy={loading || fetching || undefined} className="w-full border-separate border-spacing-0 text-left text-sm">
            <thead>
              <tr>
                {columns.map((c) => {
                  const sorted = sort?.key === c.key ? sort.dir : undefined
                  return (
                    <th
                      key={c.key}
                      scope="col"
                      aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : c.sortable ? 'none' : undefined}
                      className={cx('sticky top-0 z-10 border-b border-line bg-subtle px-3 py-2 text-xs font-semibold text-muted', c.className)}
                    >
                      {c.sortable && onSortChange ? (
                        <button type="button" onClick={() => toggleSort(c.key)} className="inline-flex items-center gap-1 rounded-sm hover:text-fg">
                          {c.header}
                          <span aria-hidden="true" className={cx('text-[10px]', !sorted && 'opacity-30')}>
                            {sorted === 'desc' ? '▼' : '▲'}
                          </span>
                        </button>
                      ) : (
                        c.header
                      )}
                    </th>
                  )
                })}
              </tr>
            </thead>
            <tbody ref={body} className={cx(fetching && !loading && 'opacity-60 transition-opacity')}>
              {loading && !rows
                ? Array.from({ length: skeletonRows }, (_, i) => (
                    <tr key={`sk${i}`} aria-hidden="true">
                      {columns.map((c) => (
                        <td key={c.key} className={cx('border-b border-line px-3 py-2.5', c.className)}>
                          <div className="h-3.5 w-3/4 animate-pulse rounded bg-subtle" />
                        </td>
                      ))}
                    </tr>
                  ))
                : list.length === 0
                  ? (
                      <tr>
                        <td colSpan={columns.length} className="px-3 py-10 text-center text-muted">
                          {empty}
                        </td>
                      </tr>
                    )
                  : list.map((row, i) => (
                      <tr
                        key={rowKey(row)}
                        data-row=""
                        tabIndex={i === activeIdx ? 0 : -1}
                        onKeyDown={(e) => onKey(e, i, row)}
                        onFocus={() => setActive(i)}
                        onClick={(e) => {
                          // Let links and buttons inside the row do their own thing.
                          if (!onRowOpen || (e.target as HTMLElement).closest('a,button,input,select,label')) return
                          onRowOpen(row)
                        }}
                        className={cx('outline-offset-[-2px] hover:bg-subtle/70', onRowOpen && 'cursor-pointer')}
                      >
                        {columns.map((c) => (
                          <td key={c.key} className={cx('border-b border-line px-3 py-2', c.className)}>
                            {c.cell(row)}
                          </td>
                        ))}
                      </tr>
                    ))}
            </tbody>
          </table>
        </div>
      )}
      {pager && (
        <div className="flex items-center justify-between gap-3 border-t border-line px-3 py-2 text-xs text-muted">
          <span aria-live="polite">
            Page {pager.page}
            {pager.total !== undefined && ` · ${pager.total.toLocaleString('en')} total`}
            {fetching && <Spinner size={12} className="ml-2 inline" label="Updating" />}
          </span>
          <div className="flex gap-2">
            <Button size="sm" onClick={pager.onPrev} disabled={!pager.hasPrev}>
              Previous
            </Button>
            <Button size="sm" onClick={pager.onNext} disabled={!pager.hasNext}>
              Next
            </Button>
          </div>
        </div>
      )}
    </div>
  )
}
