'use client'
// The queue viewer (issue 5 §4 "a console queue viewer comes next on top of exactly these
// operations", issue 6 §2): channel totals, the `imsimta qm` filters, an age-ordered cursor-paged
// table with selection, bulk hold / release / retry / return / delete over the selected entries or
// everything matching the filters (with a confirmation naming the count), and an entry drawer.
// The server scopes a domain administrator to their domains' entries; the page just shows them.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Badge } from '@/components/ui/Badge'
import { Button } from '@/components/ui/Button'
import { ConfirmDialog } from '@/components/ui/ConfirmDialog'
import { DataTable, type Column } from '@/components/ui/DataTable'
import { ErrorState } from '@/components/ui/ErrorState'
import { PageHeader } from '@/components/ui/PageHeader'
import { Select } from '@/components/ui/Select'
import { TextField } from '@/components/ui/TextField'
import { useToast } from '@/components/ui/Toast'
import { shortTime } from '@/features/config/format'
import { cursorListProps } from '@/lib/cursor-list'
import { humanMessage } from '@/lib/form-errors'
import { plural } from '@/lib/plural'
import { useSession } from '@/lib/session'
import { useTRPC, useTRPCClient, type RouterOutputs } from '@/lib/trpc'
import { formatBytes } from '@/lib/units'
import { useCursorPager } from '@/lib/use-cursor-pager'
import { useDebounced } from '@/lib/use-debounced'
import { AGE_OPTIONS, NO_FILTER, STATE_OPTIONS, age, filterInput, isFiltered, type QueueFilterInput, type QueueFilterState } from './filters'
import { QueueEntryDrawer } from './QueueEntryDrawer'
import { QueueSummary } from './QueueSummary'

type Entry = RouterOutputs['queue']['list']['items'][number]
export type QueueAction = 'hold' | 'release' | 'retry' | 'delete' | 'return'

const PAGE = 50
const REFRESH_MS = 10_000

const VERB: Record<QueueAction, { label: string; done: string; tone: 'primary' | 'danger'; explain: string }> = {
  hold: { label: 'Hold', done: 'held', tone: 'primary', explain: 'Held messages stay in the queue (.HELD) and are not delivered until released.' },
  release: { label: 'Release', done: 'released', tone: 'primary', explain: 'Released messages are delivered at the next run of their channel.' },
  retry: { label: 'Retry now', done: 'scheduled for retry', tone: 'primary', explain: 'The backoff is ignored: delivery is tried at once.' },
  return: { label: 'Return', done: 'returned', tone: 'danger', explain: 'Each sender gets a failure notice ("returned by the postmaster") and the messages leave the queue (R records).' },
  delete: { label: 'Delete', done: 'deleted', tone: 'danger', explain: 'The messages leave the queue without any notice to the sender (K records). This cannot be undone.' },
}

/** What a bulk action applies to: the selected keys, or everything matching the filters. */
type Target = { kind: 'keys'; keys: string[] } | { kind: 'filter'; filter: QueueFilterInput; count: number }

function stateBadge(e: Entry) {
  if (e.held) return <Badge tone="warn">held</Badge>
  if (e.active) return <Badge tone="info">delivering</Badge>
  if (e.attempts) return <Badge tone="warn">delayed</Badge>
  return <Badge tone="ok">waiting</Badge>
}

export function QueuePage() {
  const trpc = useTRPC()
  const client = useTRPCClient()
  const qc = useQueryClient()
  const toast = useToast()
  const { canWrite, isGlobal, me } = useSession()
  const [filters, setFilters] = useState<QueueFilterState>(NO_FILTER)
  const [order, setOrder] = useState<'oldest' | 'newest'>('oldest')
  const debounced = useDebounced(filters, 300)
  const filter = filterInput(debounced)
  const pager = useCursorPager(JSON.stringify([filter, order]))
  const [selected, setSelected] = useState<Set<string>>(new Set())
  const [allMatching, setAllMatching] = useState(false)
  const [confirm, setConfirm] = useState<{ action: QueueAction; target: Target } | null>(null)
  const [openKey, setOpenKey] = useState<string | null>(null)

  const summary = useQuery({ ...trpc.queue.summary.queryOptions(), refetchInterval: REFRESH_MS })
  const list = useQuery({
    ...trpc.queue.list.queryOptions({ filter, order, limit: PAGE, ...(pager.cursor ? { cursor: pager.cursor } : {}) }),
    placeholderData: keepPreviousData,
    refetchInterval: REFRESH_MS,
  })
  const rows = list.data?.items ?? []
  const filterKey = JSON.stringify(filter)
  const [selFor, setSelFor] = useState(filterKey)
  if (selFor !== filterKey) {
    // new filters: the old selection no longer describes what is shown
    setSelFor(filterKey)
    setSelected(new Set())
    setAllMatching(false)
  }

  const act = useMutation({
    mutationFn: async ({ action, target }: { action: QueueAction; target: Target }) => {
      const input = target.kind === 'keys' ? { keys: target.keys } : { filter: target.filter }
      const confirmFlag = action === 'delete' || action === 'return' ? { confirm: true } : {}
      return client.queue[action].mutate({ ...input, ...confirmFlag })
    },
    onSuccess: (res, { action }) => {
      const v = VERB[action]
      toast.ok(`${plural(res.changed, 'message')} ${v.done}${res.skipped ? `; ${res.skipped.toLocaleString('en')} being delivered, not changed` : ''}`)
      setConfirm(null)
      setSelected(new Set())
      setAllMatching(false)
      if (action === 'delete' || action === 'return') setOpenKey(null)
      void qc.invalidateQueries({ queryKey: trpc.queue.pathKey() })
    },
    onError: (err) => {
      setConfirm(null)
      toast.error(humanMessage(err))
    },
  })

  async function ask(action: QueueAction, keys?: string[]) {
    if (keys) return setConfirm({ action, target: { kind: 'keys', keys } })
    if (allMatching) {
      try {
        const { count } = await qc.fetchQuery(trpc.queue.count.queryOptions({ filter }))
        setConfirm({ action, target: { kind: 'filter', filter, count } })
      } catch (err) {
        toast.error(humanMessage(err))
      }
      return
    }
    setConfirm({ action, target: { kind: 'keys', keys: [...selected] } })
  }

  const pageKeys = rows.map((r) => r.key)
  const allOnPage = pageKeys.length > 0 && pageKeys.every((k) => selected.has(k))
  const toggle = (key: string) => {
    setAllMatching(false)
    setSelected((s) => {
      const n = new Set(s)
      if (n.has(key)) n.delete(key)
      else n.add(key)
      return n
    })
  }
  const togglePage = () => {
    setAllMatching(false)
    setSelected(allOnPage ? new Set() : new Set(pageKeys))
  }
  const set = (k: keyof QueueFilterState) => (e: { target: { value: string } }) => setFilters((x) => ({ ...x, [k]: e.target.value }))
  const channels = summary.data?.channels ?? []
  const total = list.data?.total
  const matchingText = total === undefined || total < 0 ? 'all matching' : `all ${list.data?.totalCapped ? 'more than ' : ''}${total.toLocaleString('en')} matching`
  const nSelected = allMatching ? undefined : selected.size

  const columns: Column<Entry>[] = [
    ...(canWrite
      ? [{
          key: 'sel',
          header: <input type="checkbox" aria-label="Select every entry on this page" checked={allOnPage} onChange={togglePage} className="size-4 accent-accent" />,
          className: 'w-8',
          cell: (e: Entry) => (
            <input type="checkbox" aria-label={`Select ${e.key}`} checked={allMatching || selected.has(e.key)} onChange={() => toggle(e.key)} className="size-4 accent-accent" />
          ),
        } satisfies Column<Entry>]
      : []),
    {
      key: 'created',
      header: 'Age',
      className: 'whitespace-nowrap',
      cell: (e) => <span title={shortTime(e.created)}>{age(e.created)}</span>,
    },
    { key: 'channel', header: 'Channel', className: 'hidden md:table-cell', cell: (e) => <span className="font-mono text-xs">{e.channel}</span> },
    { key: 'from', header: 'From', cell: (e) => <span className="font-mono text-xs break-all">{e.sender || '<>'}</span> },
    {
      key: 'to',
      header: 'To',
      cell: (e) => (
        <span className="font-mono text-xs break-all">
          {e.recipients.join(', ')}
          {e.recipientCount > e.recipients.length && <span className="text-muted"> +{e.recipientCount - e.recipients.length}</span>}
        </span>
      ),
    },
    { key: 'size', header: 'Size', className: 'hidden lg:table-cell text-right tabular-nums', cell: (e) => formatBytes(e.size) },
    { key: 'attempts', header: 'Tries', className: 'text-right tabular-nums', cell: (e) => e.attempts },
    { key: 'state', header: 'State', cell: stateBadge },
    {
      key: 'error',
      header: 'Last error',
      className: 'hidden xl:table-cell max-w-72',
      cell: (e) => (e.lastError ? <span className="line-clamp-2 text-xs text-danger" title={e.lastError}>{e.lastError}</span> : <span className="text-muted">—</span>),
    },
  ]

  const bulk = canWrite && (allMatching || selected.size > 0)
  const targetCount = (t: Target) => (t.kind === 'keys' ? t.keys.length : t.count)

  return (
    <>
      <PageHeader
        title="Queue"
        description={isGlobal || me.role === 'auditor' ? 'Messages waiting in the MTA channel queues.' : `Messages from or to ${me.domains.join(', ')} waiting in the MTA queues.`}
        actions={
          <Select
            label="Order"
            hideLabel
            value={order}
            onChange={(e) => setOrder(e.target.value as 'oldest' | 'newest')}
            options={[{ value: 'oldest', label: 'Oldest first' }, { value: 'newest', label: 'Newest first' }]}
            wrapperClassName="w-36"
          />
        }
      />
      {summary.error && !summary.data ? (
        <div className="card mb-4"><ErrorState error={summary.error} onRetry={() => void summary.refetch()} title="The queue cannot be read" /></div>
      ) : (
        <QueueSummary channels={channels} selected={filters.channel} onSelect={(c) => setFilters((f) => ({ ...f, channel: c }))} />
      )}
      {bulk && (
        <div role="region" aria-label="Bulk actions" className="card mb-3 flex flex-wrap items-center gap-2 border-accent px-3 py-2 text-sm" data-testid="queue-bulk">
          <span className="mr-2 font-medium">
            {allMatching ? `All ${matchingText.replace(/^all /, '')} entries selected` : `${nSelected} selected`}
          </span>
          {!allMatching && allOnPage && list.data?.nextCursor && (
            <Button size="sm" variant="ghost" onClick={() => setAllMatching(true)}>Select {matchingText}</Button>
          )}
          <span className="flex-1" />
          {(['hold', 'release', 'retry', 'return', 'delete'] as const).map((a) => (
            <Button key={a} size="sm" variant={VERB[a].tone === 'danger' ? 'danger' : 'secondary'} onClick={() => void ask(a)}>{VERB[a].label}</Button>
          ))}
          <Button size="sm" variant="ghost" onClick={() => { setSelected(new Set()); setAllMatching(false) }}>Clear</Button>
        </div>
      )}
      <div data-testid="queue-table" data-fetching={list.isFetching ? '1' : '0'}>
        <DataTable
          label="Queue entries"
          columns={columns}
          {...cursorListProps({ ...list, data: list.data ? { ...list.data, total: list.data.total >= 0 ? list.data.total : undefined } : undefined }, pager)}
          rowKey={(e) => e.key}
          onRowOpen={(e) => setOpenKey(e.key)}
          empty={isFiltered(filters) ? 'No queued message matches these filters.' : 'The queue is empty: every message has been delivered.'}
          toolbar={
            <form role="search" aria-label="Queue filters" className="contents" onSubmit={(e) => e.preventDefault()}>
              <Select label="Channel" options={[{ value: '', label: 'All channels' }, ...channels.map((c) => ({ value: c.channel, label: c.channel }))]} value={filters.channel} onChange={set('channel')} wrapperClassName="w-40" />
              <TextField label="Sender" value={filters.sender} onChange={set('sender')} placeholder="*@example.com or <>" wrapperClassName="w-48" />
              <TextField label="Recipient" value={filters.recipient} onChange={set('recipient')} placeholder="user@example.org" wrapperClassName="w-48" />
              <TextField label="Recipient domain" value={filters.domain} onChange={set('domain')} placeholder="example.org" wrapperClassName="w-40" />
              <Select label="State" options={STATE_OPTIONS} value={filters.state} onChange={set('state')} wrapperClassName="w-36" />
              <Select label="Age" options={AGE_OPTIONS} value={filters.olderThan} onChange={set('olderThan')} wrapperClassName="w-44" />
              <TextField label="Min. tries" type="number" min={0} value={filters.minAttempts} onChange={set('minAttempts')} wrapperClassName="w-24" />
              <TextField label="Last error contains" value={filters.error} onChange={set('error')} placeholder="4.4.1" wrapperClassName="w-44" />
              {isFiltered(filters) && <Button onClick={() => setFilters(NO_FILTER)}>Clear filters</Button>}
            </form>
          }
        />
      </div>
      <QueueEntryDrawer entryKey={openKey} canWrite={canWrite} onClose={() => setOpenKey(null)} onAction={(a, keys) => void ask(a, keys)} />
      <ConfirmDialog
        open={confirm !== null}
        title={confirm ? `${VERB[confirm.action].label.replace(' now', '')} ${plural(targetCount(confirm.target), confirm.target.kind === 'filter' ? 'matching message' : 'message', confirm.target.kind === 'filter' ? 'matching messages' : 'messages')}?` : ''}
        confirmLabel={confirm ? VERB[confirm.action].label : ''}
        tone={confirm ? VERB[confirm.action].tone : 'primary'}
        busy={act.isPending}
        onConfirm={() => confirm && act.mutate(confirm)}
        onClose={() => setConfirm(null)}
      >
        {confirm && (
          <>
            <p>{VERB[confirm.action].explain}</p>
            {confirm.target.kind === 'filter' && <p className="mt-2">Everything matching the current filters is included, also entries on other pages; messages being delivered right now are skipped.</p>}
          </>
        )}
      </ConfirmDialog>
    </>
  )
}
