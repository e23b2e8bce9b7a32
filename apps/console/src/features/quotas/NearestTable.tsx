'use client'
import { useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { Badge } from '@/components/ui/Badge'
import { DataTable, type Column } from '@/components/ui/DataTable'
import { QuotaBar } from '@/components/ui/QuotaBar'
import { useTRPC, type RouterOutputs } from '@/lib/trpc'
import { formatBytes, formatCount } from '@/lib/units'
import { userHref } from '../users/UsersList'

type Row = RouterOutputs['quotas']['nearest'][number]

const STATE_TONE = { ok: 'ok', warning: 'warn', over: 'danger', grace: 'warn' } as const

/** quotas.nearest: users closest to (or over) their limits, highest percentage first. */
export function NearestTable({ domain, limit = 20, toolbar }: { domain?: string; limit?: number; toolbar?: React.ReactNode }) {
  const trpc = useTRPC()
  const q = useQuery(trpc.quotas.nearest.queryOptions({ domain: domain || undefined, limit }))
  const columns: Column<Row>[] = [
    { key: 'user', header: 'User', cell: (r) => <Link href={userHref(r)} className="font-medium text-accent hover:underline">{r.uid}@{r.domain}</Link> },
    { key: 'disk', header: 'Disk', cell: (r) => <QuotaBar label="Disk" used={r.diskUsed} limit={r.diskLimit} format={formatBytes} className="max-w-64" /> },
    { key: 'msgs', header: 'Messages', className: 'hidden md:table-cell', cell: (r) => <QuotaBar label="Messages" used={r.msgUsed} limit={r.msgLimit} format={formatCount} className="max-w-64" /> },
    { key: 'state', header: 'State', cell: (r) => <Badge tone={STATE_TONE[r.state]}>{r.state}</Badge> },
  ]
  return (
    <DataTable
      label="Users nearest their quota"
      columns={columns}
      rows={q.data}
      rowKey={(r) => `${r.uid}@${r.domain}`}
      loading={q.isPending}
      error={q.error}
      onRetry={() => void q.refetch()}
      empty="No users with a quota and stored mail."
      toolbar={toolbar}
      skeletonRows={5}
    />
  )
}
