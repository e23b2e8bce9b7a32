import type { Role } from '@/lib/session'

export interface NavItem {
  href: string
  label: string
  /** Roles that see the item. The server enforces permissions regardless. */
  roles: Role[]
}

const ALL: Role[] = ['global', 'domain', 'auditor']
const READERS: Role[] = ['global', 'auditor']

export const NAV: NavItem[] = [
  { href: '/', label: 'Dashboard', roles: ALL },
  { href: '/domains', label: 'Domains', roles: ALL },
  { href: '/users', label: 'Users', roles: ALL },
  { href: '/groups', label: 'Groups', roles: ALL },
  { href: '/quotas', label: 'Quotas', roles: ALL },
  // domain administrators see their domains' queue entries and log lines (the server scopes them)
  { href: '/queue', label: 'Queue', roles: ALL },
  { href: '/logs', label: 'Mail log', roles: ALL },
  { href: '/config', label: 'Configuration', roles: READERS },
  { href: '/history', label: 'History', roles: READERS },
  { href: '/audit', label: 'Audit', roles: READERS },
  { href: '/services', label: 'Services', roles: READERS },
  { href: '/admins', label: 'Administrators', roles: ['global'] },
]

export function isActive(href: string, pathname: string): boolean {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`)
}
