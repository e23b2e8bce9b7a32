'use client'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { StatusBadge } from '@/components/ui/Badge'
import { DataTable, type Column } from '@/components/ui/DataTable'
import { LinkButton } from '@/components/ui/LinkButton'
import { PageHeader } from '@/components/ui/PageHeader'
import { SearchField } from '@/components/ui/SearchField'
import { useSession } from '@/lib/session'
import { useTRPC, type RouterOutputs } from '@/lib/trpc'
import { formatBytes, formatCount } from '@/lib/units'
import { cursorListProps } from '@/lib/cursor-list'
import { useCursorPager } from '@/lib/use-cursor-pager'
import { useDebounced } from '@/lib/use-debounced'

type DomainRow = RouterOutputs['domains']['list']['items'][number]

export const domainHref = (name: string) => `/domains/${encodeURIComponent(name)}`

/** A stored quota value ("100M", "-1", "5000") shown readably. */
export function quotaText(v: string | undefined, kind: 'bytes' | 'count'): string {
  if (v === undefined || v === '') return 'default'
  const n = Number(v)
  if (Number.isFinite(n)) return kind === 'bytes' ? formatBytes(n) : formatCount(n)
  return v
}

export function DomainsList() {
  const trpc = useTRPC()
  const router = useRouter()
  const { isGlobal } = useSession()
  const [search, setSearch] = useState('')
  const debounced = useDebounced(search.trim(), 150)
  const pager = useCursorPager(debounced)
  const q = useQuery({
    ...trpc.domains.list.queryOptions({ search: debounced || undefined, cursor: pager.cursor, limit: 50 }),
    placeholderData: keepPreviousData,
  })
  const columns: Column<DomainRow>[] = [
    {
      key: 'name',
      header: 'Domain',
      cell: (d) => (
        <Link href={domainHref(d.name)} className="font-medium text-accent hover:underline">
          {d.name}
        </Link>
      ),
    },
    { key: 'aliases', header: 'Aliases', className: 'hidden md:table-cell', cell: (d) => (d.aliases.length ? d.aliases.join(', ') : <span className="text-muted">—</span>) },
    { key: 'users', header: 'Users', className: 'text-right tabular-nums', cell: (d) => (d.userCount === undefined ? '—' : d.userCount.toLocaleString('en')) },
    { key: 'disk', header: 'Disk quota', className: 'hidden lg:table-cell', cell: (d) => quotaText(d.diskQuota, 'bytes') },
    { key: 'status', header: 'Status', cell: (d) => <StatusBadge status={d.status} /> },
  ]
  return (
    <>
      <PageHeader
        title="Domains"
        description="Hosted domains (inetDomain / mailDomain entries)."
        actions={isGlobal && <LinkButton href="/domains/new" variant="primary">New domain</LinkButton>}
      />
      <DataTable
        label="Domains"
        columns={columns}
        {...cursorListProps(q, pager)}
        rowKey={(d) => d.name}
        onRowOpen={(d) => router.push(domainHref(d.name))}
        empty={debounced ? 'No domains match.' : 'No domains yet.'}
        toolbar={<SearchField label="Search domains" value={search} onChange={(e) => setSearch(e.target.value)} />}
      />
    </>
  )
}
