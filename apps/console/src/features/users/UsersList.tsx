'use client'
// Users: server-side search-as-you-type (debounced 80 ms; the superseded request is aborted),
// sort, status and domain filters, cursor pagination. The first page's request leaves as soon as
// this module is loaded on /users (lib/early-query), not after hydration and the session check.
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
import { startEarly, withEarly } from '@/lib/early-query'
import { useCursorPager } from '@/lib/use-cursor-pager'
import { useDebounced } from '@/lib/use-debounced'
import { STATUS_FILTER } from './fields'
import { domainFilterOptions, useDomainOptions } from './useDomainOptions'

type UserRow = RouterOutputs['users']['list']['items'][number]
type ListInput = Exclude<RouterInputs['users']['list'], void | undefined>

const PAGE_SIZE = 50
/** A search waits this long after the last keystroke (a search costs the server ~15 ms at 100k users). */
const SEARCH_DEBOUNCE_MS = 80
const DEFAULT_SORT: SortState = { key: 'uid', dir: 'asc' }

function listInput(f: { search: string; status: string; domain: string; sort: SortState; cursor?: string }): ListInput {
  return {
    search: f.search || undefined,
    status: (f.status || undefined) as ListInput['status'],
    domain: f.domain || undefined,
    sort: f.sort.key as 'uid' | 'mail' | 'cn',
    dir: f.sort.dir,
    cursor: f.cursor,
    limit: PAGE_SIZE,
  }
}

// Loaded on /users (a fresh page load): ask for the first page now, with the URL's filters.
if (typeof window !== 'undefined' && window.location.pathname === '/users') {
  const p = new URLSearchParams(window.location.search)
  startEarly('users.list', listInput({ search: (p.get('search') ?? '').trim(), status: p.get('status') ?? '', domain: p.get('domain') ?? '', sort: DEFAULT_SORT }))
}

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
  const [sort, setSort] = useState<SortState>(DEFAULT_SORT)
  const debounced = useDebounced(search.trim(), SEARCH_DEBOUNCE_MS)

  const filterKey = JSON.stringify([debounced, status, domain, sort])
  const pager = useCursorPager(filterKey)

  const input = useMemo<ListInput>(
    () => listInput({ search: debounced, status, domain, sort, cursor: pager.cursor }),
    [debounced, status, domain, sort, pager.cursor],
  )
  const q = useQuery({ ...withEarly(trpc.users.list.queryOptions(input), 'users.list', input), placeholderData: keepPreviousData })

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
