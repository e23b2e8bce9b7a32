'use client'
// Dashboard: counts (domains, users), the services summary (services.status) and the users
// nearest their quota.
import { useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import type { ReactNode } from 'react'
import { StatusBadge } from '@/components/ui/Badge'
import { ErrorState } from '@/components/ui/ErrorState'
import { PageHeader } from '@/components/ui/PageHeader'
import { Spinner } from '@/components/ui/Spinner'
import { formatIso } from '@/lib/dates'
import { useSession } from '@/lib/session'
import { useTRPC } from '@/lib/trpc'
import { NearestTable } from '../quotas/NearestTable'

export function DashboardView() {
  const { me, isGlobal, isAuditor } = useSession()
  return (
    <>
      <PageHeader title="Dashboard" description={`Signed in as ${me.username}`} />
      <div className="flex flex-col gap-6">
        <Counts />
        <div className="grid gap-6 xl:grid-cols-[1fr_24rem]">
          <section aria-labelledby="dash-quota" className="flex flex-col gap-3">
            <div className="flex items-baseline justify-between">
              <h2 id="dash-quota" className="text-lg font-semibold">Nearest their quota</h2>
              <Link href="/quotas" className="text-sm text-accent hover:underline">All quotas</Link>
            </div>
            <NearestTable limit={8} />
          </section>
          {(isGlobal || isAuditor) && <ServicesSummary />}
        </div>
      </div>
    </>
  )
}

function Stat({ label, value, href, pending }: { label: string; value: ReactNode; href: string; pending: boolean }) {
  return (
    <Link href={href} className="card flex flex-col gap-1 p-5 hover:border-accent">
      <span className="text-xs font-medium text-muted">{label}</span>
      <span className="text-2xl font-semibold tabular-nums" data-testid={`stat-${label.toLowerCase()}`}>
        {pending ? <Spinner /> : value}
      </span>
    </Link>
  )
}

function Counts() {
  const trpc = useTRPC()
  const domains = useQuery(trpc.domains.list.queryOptions({ limit: 1000 }))
  const users = useQuery(trpc.users.list.queryOptions({ limit: 1 }))
  const domainCount = domains.data ? `${domains.data.items.length}${domains.data.nextCursor ? '+' : ''}` : '—'
  const userCount =
    users.data?.total !== undefined
      ? users.data.total.toLocaleString('en')
      : domains.data
        ? domains.data.items.reduce((n, d) => n + (d.userCount ?? 0), 0).toLocaleString('en')
        : '—'
  return (
    <div className="grid gap-4 sm:grid-cols-3">
      <Stat label="Domains" value={domainCount} href="/domains" pending={domains.isPending} />
      <Stat label="Users" value={userCount} href="/users" pending={users.isPending && domains.isPending} />
      <Stat label="Active domains" value={domains.data ? domains.data.items.filter((d) => d.status === 'active').length : '—'} href="/domains" pending={domains.isPending} />
    </div>
  )
}

function ServicesSummary() {
  const trpc = useTRPC()
  const q = useQuery({ ...trpc.services.status.queryOptions(), refetchInterval: 10_000 })
  return (
    <section aria-labelledby="dash-services" className="card flex h-fit flex-col gap-3 p-5">
      <div className="flex items-baseline justify-between">
        <h2 id="dash-services" className="text-lg font-semibold">Services</h2>
        <Link href="/services" className="text-sm text-accent hover:underline">Details</Link>
      </div>
      {q.isPending ? (
        <Spinner />
      ) : q.error ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <>
          <p className="text-xs text-muted">
            {q.data.daemon.hostname} · pid {q.data.daemon.pid} · up since {formatIso(q.data.daemon.startedAt)}
          </p>
          <ul className="flex flex-col divide-y divide-line">
            {q.data.services.map((s) => (
              <li key={s.name} className="flex items-center justify-between py-1.5 text-sm">
                <span className="font-mono text-xs">{s.name}</span>
                <StatusBadge status={s.state} />
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  )
}
