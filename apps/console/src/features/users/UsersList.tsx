'use client'
// Users: server-side search-as-you-type (debounced 150 ms; the superseded request is aborted),
// sort, status and domain filters, cursor pagination.
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query'
import Link from 'next/link'
import { useRouter, useSearchParams } from 'next/navigation'
import { useEffect, useMemo, useRef, useState } from 'react'
import { StatusBadge } from '@/components/ui/Badge'
import { DataTable, type Column, type SortState } from '@/components/ui/DataTable'
import { LinkButton } from '@/components/ui/LinkButton'
import { PageHeader } from '@/components/ui/PageHeader'
import { SearchField } from '@/components/ui/SearchField'
import { Select } from '@/components/ui/Select'
import { useSession } from '@/lib/session'
import { useTRPC, type RouterInputs, type RouterOutputs } from '@/lib/trpc'
import { cursorListProps } from '@/lib/cursor-list'
import { useCursorPager } from '@/lib/use-cursor-pager'
import { useDebounced } from '@/lib/use-debounced'
import { STATUS_FILTER } from './fields'
import { domainFilterOptions, useDomainOptions } from './useDomainOptions'

type UserRow = RouterOutputs['users']['list']['items'][number]
type ListInput = Exclude<RouterInputs['users']['list'], void | undefined>

const PAGE_SIZE = 50

export function userHref(u: { uid: string; domain: string }): string {
  return `/users/${encodeURIComponent(u.domain)}/${encodeURIComponent(u.uid)}`
}

export function UsersList() {
  const trpc = useTRPC()
  const qc = useQueryClient()
  const router = useRouter()
  const params = useSearchParams()
  const { canWrite } = useSession()
  const domains = useDomainOptions()

  const [search, setSearch] = useState(params.get('search') ?? '')
  const [status, setStatus] = useState(params.get('status') ?? '')
  const [domain, setDomain] = useState(params.get('domain') ?? '')
  const [sort, setSort] = useState<SortState>({ key: 'uid', dir: 'asc' })
  const debounced = useDebounced(search.trim(), 150)

  const filterKey = JSON.stringify([debounced, status, domain, sort])
  const pager = useCursorPager(filterKey)

  const input = useMemo<ListInput>(
    () => ({
      search: debounced || undefined,
      status: (status || undefined) as ListInput['status'],
      domain: domain || undefined,
      sort: sort.key as 'uid' | 'mail' | 'cn',
      dir: sort.dir,
      cursor: pager.cursor,
      limit: PAGE_SIZE,
    }),
    [debounced, status, domain, sort, pager.cursor],
  )
  const q = useQuery({ ...trpc.users.list.queryOptions(input), placeholderData: keepPreviousData })

  // Abort the request for the previous search when a newer one starts (search-as-you-type).
  const prevKey = useRef<unknown>(null)
  useEffect(() => {
    const key = trpc.users.list.queryKey(input)
    const prev = prevKey.current
    prevKey.current = key
    if (prev) void qc.cancelQueries({ queryKey: prev as readonly unknown[], exact: true })
  }, [input, qc, trpc])

  // Which search the visible rows belong to (tests and the bench wait on it).
  const shownFor = useRef('')
  if (!q.isPlaceholderData && q.data) shownFor.current = debounced

  const columns: Column<UserRow>[] = [
    {
      key: 'uid',
      header: 'User ID',
      sortable: true,
      cell: (u) => (
        <Link href={userHref(u)} className="font-medium text-accent hover:underline">
          {u.uid}
        </Link>
      ),
    },
    { key: 'cn', header: 'Name', sortable: true, cell: (u) => u.cn || <span className="text-muted">—</span> },
    { key: 'mail', header: 'Address', sortable: true, className: 'hidden md:table-cell', cell: (u) => u.mail },
    { key: 'domain', header: 'Domain', className: 'hidden lg:table-cell', cell: (u) => u.domain },
    { key: 'status', header: 'Status', cell: (u) => <StatusBadge status={u.status} /> },
  ]

  return (
    <>
      <PageHeader
        title="Users"
        description="Mail users in the directory."
        actions={
          canWrite && (
            <>
              <LinkButton href="/users/import">Import</LinkButton>
              <LinkButton href="/users/new" variant="primary">
                New user
              </LinkButton>
            </>
          )
        }
      />
      <div data-testid="users-table" data-search={shownFor.current} data-fetching={q.isFetching ? '1' : '0'}>
        <DataTable
          label="Users"
          columns={columns}
          {...cursorListProps(q, pager)}
          rowKey={(u) => `${u.uid}@${u.domain}`}
          sort={sort}
          onSortChange={setSort}
          onRowOpen={(u) => router.push(userHref(u))}
          empty={debounced || status || domain ? 'No users match.' : 'No users yet.'}
          toolbar={
            <>
              <SearchField label="Search users by ID, name or address" value={search} onChange={(e) => setSearch(e.target.value)} />
              <Select
                label="Status"
                hideLabel
                options={STATUS_FILTER}
                value={status}
                onChange={(e) => setStatus(e.target.value)}
                wrapperClassName="w-40"
              />
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
      </div>
    </>
  )
}
