'use client'
// Audit log (issue 6 §6): every administrative change from the console, the API or the CLI with
// actor, role, action, target, time and source address; filters by actor, target, action and
// time range (applied by the server, which also limits a domain admin to their domains);
// a row expands to its field-level before/after.
import { useQuery } from '@tanstack/react-query'
import { Fragment, useState } from 'react'
import { Badge, type BadgeTone } from '@/components/ui/Badge'
import { Button } from '@/components/ui/Button'
import { EmptyState } from '@/components/ui/EmptyState'
import { ErrorState } from '@/components/ui/ErrorState'
import { NewerOlderPager } from '@/components/ui/NewerOlderPager'
import { PageHeader } from '@/components/ui/PageHeader'
import { Spinner } from '@/components/ui/Spinner'
import { TextField } from '@/components/ui/TextField'
import { cx } from '@/lib/cx'
import { useTRPC } from '@/lib/trpc'
import { useCursorPager } from '@/lib/use-cursor-pager'
import { useDebounced } from '@/lib/use-debounced'
import { shortTime, showValue } from '../config/format'

const PAGE = 50

interface Filters {
  actor: string
  target: string
  action: string
  from: string
  to: string
}
const none: Filters = { actor: '', target: '', action: '', from: '', to: '' }

/** datetime-local text (local time) → ISO instant, or undefined. */
function iso(local: string): string | undefined {
  if (!local) return undefined
  const d = new Date(local)
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString()
}

function actionTone(action: string): BadgeTone {
  if (/fail|denied|refused/.test(action)) return 'danger'
  if (/delete|purge|rollback|stop/.test(action)) return 'warn'
  if (/create|import|signin|signIn/.test(action)) return 'ok'
  return 'info'
}

export function AuditPage() {
  const trpc = useTRPC()
  const [filters, setFilters] = useState<Filters>(none)
  const f = useDebounced(filters, 300)
  const input = {
    ...(f.actor.trim() ? { actor: f.actor.trim() } : {}),
    ...(f.target.trim() ? { target: f.target.trim() } : {}),
    ...(f.action.trim() ? { action: f.action.trim() } : {}),
    ...(iso(f.from) ? { from: iso(f.from) } : {}),
    ...(iso(f.to) ? { to: iso(f.to) } : {}),
  }
  const pager = useCursorPager(JSON.stringify(input))
  const list = useQuery({
    ...trpc.audit.list.queryOptions({ ...input, limit: PAGE, ...(pager.cursor !== undefined ? { cursor: pager.cursor as never } : {}) }),
    placeholderData: (prev) => prev,
  })
  const [open, setOpen] = useState<Set<number>>(new Set())
  const toggle = (id: number) => setOpen((s) => { const n = new Set(s); if (n.has(id)) n.delete(id); else n.add(id); return n })
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setFilters((x) => ({ ...x, [k]: e.target.value }))
  const filtered = Object.values(filters).some(Boolean)

  return (
    <div>
      <PageHeader title="Audit log" description="Every administrative change, newest first. Expand a row for the field-level before and after." />
      <section aria-label="Audit events" className="card flex flex-col">
        <form role="search" className="flex flex-wrap items-end gap-3 border-b border-line p-3" onSubmit={(e) => e.preventDefault()}>
          <TextField label="Actor" value={filters.actor} onChange={set('actor')} placeholder="admin" wrapperClassName="w-36" />
          <TextField label="Target" value={filters.target} onChange={set('target')} placeholder="user, domain, option…" wrapperClassName="w-48" />
          <TextField label="Action" value={filters.action} onChange={set('action')} placeholder="user.create" wrapperClassName="w-36" />
          <TextField label="From" type="datetime-local" value={filters.from} onChange={set('from')} wrapperClassName="w-48" />
          <TextField label="To" type="datetime-local" value={filters.to} onChange={set('to')} wrapperClassName="w-48" />
          {filtered && <Button onClick={() => setFilters(none)}>Clear filters</Button>}
        </form>
        {list.error && !list.data ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : list.isPending ? (
          <div className="flex justify-center p-10"><Spinner /></div>
        ) : !list.data.items.length ? (
          <EmptyState title={filtered ? 'No event matches these filters' : 'No audit events yet'}>
            {filtered ? 'Loosen or clear the filters.' : 'Changes made in the console, through the API or with the command-line tools appear here.'}
          </EmptyState>
        ) : (
          <div className="overflow-x-auto">
            <table aria-label="Audit events" className={cx('w-full border-separate border-spacing-0 text-left text-sm', list.isFetching && 'opacity-70')}>
              <thead>
                <tr className="text-xs text-muted">
                  <th scope="col" className="w-8 border-b border-line bg-subtle px-2 py-2"><span className="sr-only">Details</span></th>
                  <th scope="col" className="border-b border-line bg-subtle px-3 py-2 font-semibold">Time</th>
                  <th scope="col" className="border-b border-line bg-subtle px-3 py-2 font-semibold">Actor</th>
                  <th scope="col" className="border-b border-line bg-subtle px-3 py-2 font-semibold">Action</th>
                  <th scope="col" className="border-b border-line bg-subtle px-3 py-2 font-semibold">Target</th>
                  <th scope="col" className="hidden border-b border-line bg-subtle px-3 py-2 font-semibold lg:table-cell">Domain</th>
                  <th scope="col" className="hidden border-b border-line bg-subtle px-3 py-2 font-semibold md:table-cell">Source</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((ev) => {
                  const expanded = open.has(ev.id)
                  return (
                    <Fragment key={ev.id}>
                      <tr data-audit-action={ev.action} className="align-top hover:bg-subtle/60">
                        <td className="border-b border-line px-2 py-2">
                          <button
                            type="button"
                            aria-expanded={expanded}
                            aria-controls={`audit-${ev.id}`}
                            aria-label={`${expanded ? 'Hide' : 'Show'} the changes of ${ev.action} ${ev.target}`}
                            onClick={() => toggle(ev.id)}
                            className="rounded px-1 text-muted hover:bg-subtle hover:text-fg"
                          >
                            <span aria-hidden="true" className={cx('inline-block transition-transform', expanded && 'rotate-90')}>▸</span>
                          </button>
                        </td>
                        <td className="border-b border-line px-3 py-2 whitespace-nowrap text-muted">{shortTime(ev.createdAt)}</td>
                        <td className="border-b border-line px-3 py-2">
                          <span className="font-medium">{ev.actor || '—'}</span>
                          {ev.role && <span className="ml-1 text-xs text-muted">({ev.role})</span>}
                        </td>
                        <td className="border-b border-line px-3 py-2"><Badge tone={actionTone(ev.action)}>{ev.action}</Badge></td>
                        <td className="border-b border-line px-3 py-2 font-mono text-xs break-all">{ev.target || '—'}</td>
                        <td className="hidden border-b border-line px-3 py-2 text-xs lg:table-cell">{ev.domain || '—'}</td>
                        <td className="hidden border-b border-line px-3 py-2 text-xs text-muted md:table-cell">
                          {ev.source}{ev.sourceIp ? ` · ${ev.sourceIp}` : ''}
                        </td>
                      </tr>
                      {expanded && (
                        <tr id={`audit-${ev.id}`}>
                          <td />
                          <td colSpan={6} className="border-b border-line bg-subtle/50 px-3 py-3">
                            {ev.diff.length ? (
                              <table aria-label={`Changes of ${ev.action} ${ev.target}`} className="w-full max-w-3xl table-fixed text-left text-xs">
                                <thead>
                                  <tr className="text-muted">
                                    <th scope="col" className="w-1/4 py-1 pr-3 font-semibold">Field</th>
                                    <th scope="col" className="py-1 pr-3 font-semibold">Before</th>
                                    <th scope="col" className="py-1 font-semibold">After</th>
                                  </tr>
                                </thead>
                                <tbody className="font-mono">
                                  {ev.diff.map((d) => (
                                    <tr key={d.field}>
                                      <td className="py-1 pr-3 break-all">{d.field}</td>
                                      <td className="py-1 pr-3 break-all text-danger">{showValue(d.before)}</td>
                                      <td className="py-1 break-all text-ok">{showValue(d.after)}</td>
                                    </tr>
                                  ))}
                                </tbody>
                              </table>
                            ) : (
                              <p className="text-xs text-muted">No field-level changes recorded for this event.</p>
                            )}
                            <p className="mt-2 text-xs text-muted">
                              Event {ev.id} · {ev.source || 'unknown source'}{ev.sourceIp ? ` from ${ev.sourceIp}` : ''} · {new Date(ev.createdAt).toISOString()}
                            </p>
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  )
                })}
              </tbody>
            </table>
          </div>
        )}
        <NewerOlderPager pager={pager} nextCursor={list.data?.nextCursor as string | undefined} />
      </section>
    </div>
  )
}
