'use client'
// Quotas: users nearest their limit, per-domain totals (every domain, paged, with the grand total),
// and one user's usage on demand.
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { useSearchParams } from 'next/navigation'
import { useState, type FormEvent } from 'react'
import { Button } from '@/components/ui/Button'
import { PageHeader } from '@/components/ui/PageHeader'
import { QuotaBar } from '@/components/ui/QuotaBar'
import { Select } from '@/components/ui/Select'
import { SearchField } from '@/components/ui/SearchField'
import { Spinner } from '@/components/ui/Spinner'
import { TextField } from '@/components/ui/TextField'
import { humanMessage } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'
import { useCursorPager } from '@/lib/use-cursor-pager'
import { useDebounced } from '@/lib/use-debounced'
import { formatBytes, formatCount } from '@/lib/units'
import { QuotaUsage } from '../users/UserEditor'
import { domainFilterOptions, useDomainOptions } from '../users/useDomainOptions'
import { NearestTable } from './NearestTable'
import { plural } from '@/lib/plural'

export function QuotasView() {
  const params = useSearchParams()
  const domains = useDomainOptions()
  const [domain, setDomain] = useState(params.get('domain') ?? '')
  return (
    <>
      <PageHeader title="Quotas" description="Disk and message usage against mailQuota / mailMsgQuota and the domain totals." />
      <div className="flex flex-col gap-8">
        <section aria-labelledby="nearest-h" className="flex flex-col gap-3">
          <h2 id="nearest-h" className="text-lg font-semibold">Nearest their limit</h2>
          <NearestTable
            domain={domain}
            limit={50}
            toolbar={
              <Select
                label="Domain"
                hideLabel
                value={domain}
                onChange={(e) => setDomain(e.target.value)}
                options={domainFilterOptions(domains.names)}
                wrapperClassName="w-56"
              />
            }
          />
        </section>
        <div className="grid gap-6 lg:grid-cols-2">
          <DomainTotals />
          <UserLookup domains={domains.names} />
        </div>
      </div>
    </>
  )
}

const TOTALS_PAGE = 10

/** quotas.domains: every visible domain's usage against its domain quota, a page at a time, and the grand total. */
function DomainTotals() {
  const trpc = useTRPC()
  const [search, setSearch] = useState('')
  const debounced = useDebounced(search.trim().toLowerCase(), 200)
  const pager = useCursorPager(debounced)
  const q = useQuery({ ...trpc.quotas.domains.queryOptions({ search: debounced || undefined, cursor: pager.cursor, limit: TOTALS_PAGE }), placeholderData: keepPreviousData })
  const items = q.data?.items ?? []
  const total = q.data?.total
  return (
    <section aria-labelledby="totals-h" className="card flex flex-col gap-4 p-5">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="totals-h" className="text-lg font-semibold">Per-domain totals</h2>
        {total && (
          <p className="text-xs text-muted" data-testid="quota-grand-total">
            All domains: {plural(total.users, 'mailbox', 'mailboxes')}, {formatBytes(total.bytes)}, {plural(total.messages, 'message', 'messages')}
          </p>
        )}
      </div>
      <div>
        <SearchField label="Filter domains" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      {q.isPending ? (
        <Spinner />
      ) : q.error ? (
        <p className="text-xs text-danger">{humanMessage(q.error)}</p>
      ) : items.length === 0 ? (
        <p className="text-sm text-muted">{debounced ? 'No domains match.' : 'No domains.'}</p>
      ) : (
        <ul className={q.isPlaceholderData ? 'flex flex-col gap-4 opacity-60' : 'flex flex-col gap-4'} aria-busy={q.isFetching}>
          {items.map((r) => (
            <li key={r.domain} className="flex flex-col gap-2">
              <div className="flex items-baseline justify-between text-sm">
                <Link href={`/domains/${encodeURIComponent(r.domain)}`} className="font-medium text-accent hover:underline">{r.domain}</Link>
                <span className="text-xs text-muted">{plural(r.users, 'mailbox', 'mailboxes')}</span>
              </div>
              <div className="grid gap-3 sm:grid-cols-2">
                <QuotaBar label="Disk" used={r.diskUsed} limit={r.diskLimit} format={formatBytes} />
                <QuotaBar label="Messages" used={r.msgUsed} limit={r.msgLimit} format={formatCount} />
              </div>
            </li>
          ))}
        </ul>
      )}
      {(pager.hasPrev || q.data?.nextCursor) && (
        <nav aria-label="Domain totals pages" className="flex items-center justify-between gap-3 border-t border-line pt-3 text-xs text-muted">
          <span>Page {pager.page}</span>
          <div className="flex gap-2">
            <Button size="sm" onClick={pager.prev} disabled={!pager.hasPrev}>Previous</Button>
            <Button size="sm" onClick={() => pager.next(q.data?.nextCursor)} disabled={!q.data?.nextCursor}>Next</Button>
          </div>
        </nav>
      )}
    </section>
  )
}

function UserLookup({ domains }: { domains: string[] }) {
  const [uid, setUid] = useState('')
  const [domain, setDomain] = useState('')
  const [shown, setShown] = useState<{ uid: string; domain: string } | null>(null)
  const d = domain || domains[0] || ''
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (uid.trim() && d) setShown({ uid: uid.trim(), domain: d })
  }
  return (
    <section aria-labelledby="lookup-h" className="card flex h-fit flex-col gap-4 p-5">
      <h2 id="lookup-h" className="text-lg font-semibold">A user's usage</h2>
      <form onSubmit={submit} className="grid gap-3 sm:grid-cols-[1fr_1fr_auto] sm:items-end">
        <TextField label="User ID" value={uid} onChange={(e) => setUid(e.target.value)} autoComplete="off" />
        <Select label="Domain" value={d} onChange={(e) => setDomain(e.target.value)} options={domains.map((x) => ({ value: x, label: x }))} />
        <Button type="submit" disabled={!uid.trim() || !d}>Show</Button>
      </form>
      {shown && (
        <div className="flex flex-col gap-2">
          <Link href={`/users/${encodeURIComponent(shown.domain)}/${encodeURIComponent(shown.uid)}`} className="text-sm font-medium text-accent hover:underline">
            {shown.uid}@{shown.domain}
          </Link>
          <QuotaUsage key={`${shown.uid}@${shown.domain}`} uid={shown.uid} domain={shown.domain} />
        </div>
      )}
    </section>
  )
}
