'use client'
import { useQuery } from '@tanstack/react-query'
import { useSession } from '@/lib/session'
import { useTRPC } from '@/lib/trpc'

/**
 * Domains the signed-in admin can pick from (filters and create forms): all domains for global
 * admins and auditors (first 200), the admin's own domains for domain admins.
 */
export function useDomainOptions() {
  const trpc = useTRPC()
  const { me } = useSession()
  const q = useQuery({ ...trpc.domains.list.queryOptions({ limit: 200 }), staleTime: 60_000 })
  const names = q.data ? q.data.items.map((d) => d.name) : me.role === 'domain' ? me.domains : []
  return { names, isPending: q.isPending && me.role !== 'domain' }
}

/** Options of a domain filter: "All domains" (value '') and then each domain. */
export function domainFilterOptions(names: readonly string[]) {
  return [{ value: '', label: 'All domains' }, ...names.map((d) => ({ value: d, label: d }))]
}
