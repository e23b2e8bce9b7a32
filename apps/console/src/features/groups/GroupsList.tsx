'use client'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { useRouter, useSearchParams } from 'next/navigation'
import { useState } from 'react'
import { StatusBadge } from '@/components/ui/Badge'
import { DataTable, type Column } from '@/components/ui/DataTable'
import { LinkButton } from '@/components/ui/LinkButton'
import { PageHeader } from '@/components/ui/PageHeader'
import { SearchField } from '@/components/ui/SearchField'
import { Select } from '@/components/ui/Select'
import { useSession } from '@/lib/session'
import { useTRPC, type RouterOutputs } from '@/lib/trpc'
import { cursorListProps } from '@/lib/cursor-list'
import { useCursorPager } from '@/lib/use-cursor-pager'
import { useDebounced } from '@/lib/use-debounced'
import { domainFilterOptions, useDomainOptions } from '../users/useDomainOptions'

type GroupRow = RouterOutputs['groups']['list']['items'][number]

export const groupHref = (g: { cn: string; domain: string }) => `/groups/${encodeURIComponent(g.domain)}/${encodeURIComponent(g.cn)}`

export function GroupsList() {
  const trpc = useTRPC()
  const router = useRouter()
  const params = useSearchParams()
  const { canWrite } = useSession()
  const domains = useDomainOptions()
  const [search, setSearch] = useState(params.get('search') ?? '')
  const [domain, setDomain] = useState(params.get('domain') ?? '')
  const debounced = useDebounced(search.trim(), 150)
  const pager = useCursorPager(JSON.stringify([debounced, domain]))
  const q = useQuery({
    ...trpc.groups.list.queryOptions({ search: debounced || undefined, domain: domain || undefined, cursor: pager.cursor, limit: 50 }),
    placeholderData: keepPreviousData,
  })
  const columns: Column<GroupRow>[] = [
    { key: 'cn', header: 'Group', cell: (g) => <Link href={groupHref(g)} className="font-medium text-accent hover:underline">{g.cn}</Link> },
    { key: 'mail', header: 'Address', className: 'hidden md:table-cell', cell: (g) => g.mail || <span className="text-muted">—</span> },
    { key: 'domain', header: 'Domain', className: 'hidden lg:table-cell', cell: (g) => g.domain },
    { key: 'members', header: 'Members', className: 'text-right tabular-nums', cell: (g) => g.memberCount.toLocaleString('en') },
    { key: 'status', header: 'Status', cell: (g) => <StatusBadge status={g.status} /> },
  ]
  return (
    <>
      <PageHeader
        title="Groups"
        description="Mailing lists (inetMailGroup entries)."
        actions={canWrite && <LinkButton href="/groups/new" variant="primary">New group</LinkButton>}
      />
      <DataTable
        label="Groups"
        columns={columns}
        {...cursorListProps(q, pager)}
        rowKey={(g) => `${g.cn}@${g.domain}`}
        onRowOpen={(g) => router.push(groupHref(g))}
        empty={debounced || domain ? 'No groups match.' : 'No groups yet.'}
        toolbar={
          <>
            <SearchField label="Search groups" value={search} onChange={(e) => setSearch(e.target.value)} />
            <Select
              label="Domain"
              hideLabel
              options={domainFilterOptions(domains.names)}
              value={domain}
              onChange={(e) => setDomain(e.target.value)}
              wrapperClassName="w-52"
            />
          </>
        }
      />
    </>
  )
}
