'use client'
// Quotas: users nearest their limit, per-domain totals, and one user's usage on demand.
import { useQueries } from '@tanstack/react-query'
import Link from 'next/link'
import { useSearchParams } from 'next/navigation'
import { useState, type FormEvent } from 'react'
import { Button } from '@/components/ui/Button'
import { PageHeader } from '@/components/ui/PageHeader'
import { QuotaBar } from '@/components/ui/QuotaBar'
import { Select } from '@/components/ui/Select'
import { Spinner } from '@/components/ui/Spinner'
import { TextField } from '@/components/ui/TextField'
import { humanMessage } from '@/lib/form-errors'
import { useTRPC } from '@/lib/trpc'
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
          <DomainTotals names={domains.names} />
          <UserLookup domains={domains.names} />
        </div>
      </div>
    </>
  )
}

function DomainTotals({ names }: { names: string[] }) {
  const trpc = useTRPC()
  const shown = names.slice(0, 25)
  const results = useQueries({ queries: shown.map((d) => trpc.quotas.domain.queryOptions({ domain: d })) })
  return (
    <section aria-labelledby="totals-h" className="card flex flex-col gap-4 p-5">
      <h2 id="totals-h" className="text-lg font-semibold">Per-domain totals</h2>
      {shown.length === 0 && <p className="text-sm text-muted">No domains.</p>}
      <ul className="flex flex-col gap-4">
        {shown.map((d, i) => {
          const r = results[i]!
          return (
            <li key={d} className="flex flex-col gap-2">
              <div className="flex items-baseline justify-between text-sm">
                <Link href={`/domains/${encodeURIComponent(d)}`} className="font-medium text-accent hover:underline">{d}</Link>
                {r.data && <span className="text-xs text-muted">{plural(r.data.users, 'mailbox', 'mailboxes')}</span>}
              </div>
              {r.isPending ? (
                <Spinner />
              ) : r.error ? (
                <p className="text-xs text-danger">{humanMessage(r.error)}</p>
              ) : (
                <div className="grid gap-3 sm:grid-cols-2">
                  <QuotaBar label="Disk" used={r.data.diskUsed} limit={r.data.diskLimit} format={formatBytes} />
                  <QuotaBar label="Messages" used={r.data.msgUsed} limit={r.data.msgLimit} format={formatCount} />
                </div>
              )}
            </li>
          )
        })}
      </ul>
      {names.length > shown.length && <p className="text-xs text-muted">Showing the first {shown.length} of {names.length} domains.</p>}
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
