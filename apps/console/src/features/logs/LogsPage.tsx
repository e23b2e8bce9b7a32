'use client'
// The mail.log viewer (issue 5 §8, issue 6 §2): newest first across mail.log_current, _yesterday
// and mail.log, read by the MTA's own parser on the server; filters for time, action codes,
// channel, address and Message-ID; each call reads a bounded number of bytes, so a search through
// a big log goes on page by page ("Older" continues where the last one stopped). A row expands to
// its raw line. Domain administrators get only records with an address in their domains.
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { useSearchParams } from 'next/navigation'
import { Fragment, useState } from 'react'
import { Badge } from '@/components/ui/Badge'
import { Button } from '@/components/ui/Button'
import { EmptyState } from '@/components/ui/EmptyState'
import { ErrorState } from '@/components/ui/ErrorState'
import { NewerOlderPager } from '@/components/ui/NewerOlderPager'
import { PageHeader } from '@/components/ui/PageHeader'
import { Select } from '@/components/ui/Select'
import { Spinner } from '@/components/ui/Spinner'
import { TextField } from '@/components/ui/TextField'
import { shortTime } from '@/features/config/format'
import { cx } from '@/lib/cx'
import { useSession } from '@/lib/session'
import { useTRPC, type RouterInputs } from '@/lib/trpc'
import { useCursorPager } from '@/lib/use-cursor-pager'
import { useDebounced } from '@/lib/use-debounced'
import { actionTone, CONNECTION_ACTIONS, MESSAGE_ACTIONS, shortLabel } from './codes'

type SearchInput = Exclude<RouterInputs['logs']['search'], void | undefined>

interface Filters {
  address: string
  messageId: string
  channel: string
  action: string
  since: string
  until: string
  file: 'mail' | 'connection'
}

const PAGE = 100

function iso(local: string): string | undefined {
  if (!local) return undefined
  const d = new Date(local)
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString()
}

export function LogsPage() {
  const trpc = useTRPC()
  const params = useSearchParams()
  const { me } = useSession()
  const scoped = me.role === 'domain'
  const none: Filters = { address: '', messageId: '', channel: '', action: '', since: '', until: '', file: 'mail' }
  const [filters, setFilters] = useState<Filters>({ ...none, address: params.get('address') ?? '', messageId: params.get('messageId') ?? '' })
  const f = useDebounced(filters, 300)
  const input: SearchInput = {
    ...(f.address.trim() ? { address: f.address.trim() } : {}),
    ...(f.messageId.trim() ? { messageId: f.messageId.trim() } : {}),
    ...(f.channel.trim() ? { channel: f.channel.trim() } : {}),
    ...(f.action ? { actions: [f.action as NonNullable<SearchInput['actions']>[number]] } : {}),
    ...(iso(f.since) ? { since: iso(f.since) } : {}),
    ...(iso(f.until) ? { until: iso(f.until) } : {}),
    ...(f.file === 'connection' ? { file: 'connection' as const } : {}),
  }
  const pager = useCursorPager(JSON.stringify(input))
  const q = useQuery({
    ...trpc.logs.search.queryOptions({ ...input, limit: PAGE, ...(pager.cursor ? { cursor: pager.cursor } : {}) }),
    placeholderData: keepPreviousData,
  })
  const info = useQuery({ ...trpc.logs.info.queryOptions(), enabled: !scoped })
  const [open, setOpen] = useState<Set<string>>(new Set())
  const toggle = (id: string) => setOpen((s) => { const n = new Set(s); if (n.has(id)) n.delete(id); else n.add(id); return n })
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setFilters((x) => ({ ...x, [k]: e.target.value }))
  const filtered = Object.entries(filters).some(([k, v]) => k !== 'file' && Boolean(v))
  const actions = filters.file === 'connection' ? CONNECTION_ACTIONS : [...MESSAGE_ACTIONS, ...(scoped ? [] : CONNECTION_ACTIONS)]

  return (
    <div>
      <PageHeader
        title="Mail log"
        description={scoped ? `mail.log records with an address in ${me.domains.join(', ')}, newest first.` : 'mail.log records (mail.log_current, then older files), newest first. Expand a row for the raw line.'}
      />
      <section aria-label="Log records" className="card flex flex-col">
        <form role="search" aria-label="Log filters" className="flex flex-wrap items-end gap-3 border-b border-line p-3" onSubmit={(e) => e.preventDefault()}>
          <TextField label="Address contains" value={filters.address} onChange={set('address')} placeholder="user@example.org" wrapperClassName="w-56" />
          <TextField label="Message-ID" value={filters.messageId} onChange={set('messageId')} placeholder="<id@host>" wrapperClassName="w-48" />
          <TextField label="Channel" value={filters.channel} onChange={set('channel')} placeholder="tcp_local" wrapperClassName="w-32" />
          <Select label="Action" options={[{ value: '', label: 'Any action' }, ...actions.map((a) => ({ value: a.code, label: `${a.code} · ${a.label}` }))]} value={filters.action} onChange={set('action')} wrapperClassName="w-52" />
          <TextField label="From" type="datetime-local" value={filters.since} onChange={set('since')} wrapperClassName="w-48" />
          <TextField label="To" type="datetime-local" value={filters.until} onChange={set('until')} wrapperClassName="w-48" />
          {info.data?.separateConnectionLog && (
            <Select label="File" options={[{ value: 'mail', label: 'mail.log' }, { value: 'connection', label: 'connection.log' }]} value={filters.file} onChange={set('file')} wrapperClassName="w-40" />
          )}
          {filtered && <Button onClick={() => setFilters({ ...none, file: filters.file })}>Clear filters</Button>}
        </form>
        {q.error && !q.data ? (
          <ErrorState error={q.error} onRetry={() => void q.refetch()} />
        ) : q.isPending ? (
          <div className="flex justify-center p-10"><Spinner /></div>
        ) : !q.data.items.length ? (
          q.data.budgetExhausted && q.data.nextCursor ? (
            <EmptyState title="Nothing found in this part of the log" action={<Button onClick={() => pager.next(q.data.nextCursor)}>Search further back</Button>}>
              {`${(q.data.scanned / 1048576).toFixed(1)} MB were searched without a match; older records are still to be searched.`}
            </EmptyState>
          ) : (
            <EmptyState title={filtered ? 'No record matches these filters' : 'The log is empty'}>
              {filtered ? 'Loosen or clear the filters.' : 'Records appear as soon as the MTA accepts or delivers mail.'}
            </EmptyState>
          )
        ) : (
          <div className="overflow-x-auto">
            <table aria-label="Log records" data-testid="log-table" className={cx('w-full min-w-[40rem] table-fixed border-separate border-spacing-0 text-left text-sm', q.isFetching && 'opacity-70')}>
              <thead>
                <tr className="text-xs text-muted">
                  <th scope="col" className="w-8 border-b border-line bg-subtle px-2 py-2"><span className="sr-only">Raw line</span></th>
                  <th scope="col" className="w-44 border-b border-line bg-subtle px-3 py-2 font-semibold">Time</th>
                  <th scope="col" className="w-20 border-b border-line bg-subtle px-3 py-2 font-semibold 2xl:w-52">Action</th>
                  <th scope="col" className="w-40 border-b border-line bg-subtle px-3 py-2 font-semibold">Channels</th>
                  <th scope="col" className="border-b border-line bg-subtle px-3 py-2 font-semibold">From</th>
                  <th scope="col" className="border-b border-line bg-subtle px-3 py-2 font-semibold">To</th>
                  <th scope="col" className="hidden w-14 border-b border-line bg-subtle px-3 py-2 text-right font-semibold md:table-cell">Size</th>
                  <th scope="col" className="hidden border-b border-line bg-subtle px-3 py-2 font-semibold lg:table-cell">Diagnostic</th>
                </tr>
              </thead>
              <tbody>
                {q.data.items.map((r) => {
                  const expanded = open.has(r.id)
                  return (
                    <Fragment key={r.id}>
                      <tr data-log-action={r.action} className="align-top hover:bg-subtle/60">
                        <td className="border-b border-line px-2 py-2">
                          <button
                            type="button"
                            aria-expanded={expanded}
                            aria-controls={`log-${r.id}`}
                            aria-label={`${expanded ? 'Hide' : 'Show'} the raw line`}
                            onClick={() => toggle(r.id)}
                            className="rounded px-1 text-muted hover:bg-subtle hover:text-fg"
                          >
                            <span aria-hidden="true" className={cx('inline-block transition-transform', expanded && 'rotate-90')}>▸</span>
                          </button>
                        </td>
                        <td className="border-b border-line px-3 py-2 whitespace-nowrap text-muted">{shortTime(r.time)}</td>
                        <td className="border-b border-line px-3 py-2 whitespace-nowrap" title={r.label}>
                          <Badge tone={actionTone(r.action)}>{r.action}{r.modifiers}</Badge>
                          <span className="ml-2 hidden text-xs text-muted 2xl:inline">{shortLabel(r.action)}</span>
                        </td>
                        <td className="border-b border-line px-3 py-2 font-mono text-xs [overflow-wrap:anywhere]">
                          {r.source}{r.destination ? <> <span aria-hidden="true">→</span><span className="sr-only">to</span> {r.destination}</> : ''}
                        </td>
                        <td className="border-b border-line px-3 py-2 font-mono text-xs [overflow-wrap:anywhere]">{r.kind === 'message' ? r.from || '<>' : '—'}</td>
                        <td className="border-b border-line px-3 py-2 font-mono text-xs [overflow-wrap:anywhere]">{r.to || '—'}</td>
                        <td className="hidden border-b border-line px-3 py-2 text-right tabular-nums md:table-cell">{r.size ?? '—'}</td>
                        <td className="hidden border-b border-line px-3 py-2 text-xs text-muted [overflow-wrap:anywhere] lg:table-cell">{r.diagnostic || '—'}</td>
                      </tr>
                      {expanded && (
                        <tr id={`log-${r.id}`}>
                          <td />
                          <td colSpan={7} className="border-b border-line bg-subtle/50 px-3 py-3">
                            <p className="mb-1 text-xs text-muted">{r.label}{r.messageId ? ` · ${r.messageId}` : ''}{r.originalTo && r.originalTo !== `rfc822;${r.to}` ? ` · original recipient ${r.originalTo}` : ''}</p>
                            <pre className="overflow-x-auto font-mono text-xs whitespace-pre-wrap break-all">{r.raw}</pre>
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  )
                })}
              </tbody>
            </table>
            {q.data.budgetExhausted && (
              <p className="px-3 py-2 text-xs text-muted">This page stopped after searching {(q.data.scanned / 1048576).toFixed(1)} MB; &quot;Older&quot; searches further back.</p>
            )}
          </div>
        )}
        <NewerOlderPager pager={pager} nextCursor={q.data?.nextCursor} />
      </section>
    </div>
  )
}
