// Roles and permissions (issue 6 "Roles enforced on the server"; the product's Delegated
// Administrator roles, spec 01 §5): every procedure names its permission in `meta.perm`.
//   global  — everything
//   domain  — users/groups/quotas (and queue/log lines) of its domains; read its own domains;
//             no configuration, no service actions, no admin accounts
//   auditor — read everything, change nothing
import { TRPCError } from '@trpc/server'
import type { Role } from './types.js'
import type { SessionInfo } from './session.js'

export const PERMISSIONS = [
  'public', 'session',
  'domains.read', 'domains.write',
  'users.read', 'users.write', 'users.purge',
  'groups.read', 'groups.write',
  'quotas.read',
  'config.read', 'config.write',
  'audit.read',
  'services.read', 'services.write',
  'admins.read', 'admins.write',
  'queue.read', 'queue.write', 'logs.read',
] as const
export type Permission = (typeof PERMISSIONS)[number]

const DOMAIN_ADMIN: ReadonlySet<Permission> = new Set<Permission>([
  'session', 'domains.read', 'users.read', 'users.write', 'groups.read', 'groups.write', 'quotas.read', 'audit.read', 'services.read',
  // their domains' queue entries and log lines (issue 6 §2): the scope is applied in SQL / per record
  'queue.read', 'queue.write', 'logs.read',
])

export function roleAllows(role: Role, perm: Permission): boolean {
  if (perm === 'public' || perm === 'session') return true
  if (role === 'global') return true
  if (role === 'auditor') return perm.endsWith('.read')
  return DOMAIN_ADMIN.has(perm)
}

/** Which domains a session may see: `null` = every domain. */
export function visibleDomains(session: SessionInfo): string[] | null {
  return session.account.role === 'domain' ? session.account.domains.map((d) => d.toLowerCase()) : null
}

export function canSeeDomain(session: SessionInfo, domain: string): boolean {
  const v = visibleDomains(session)
  return v === null || v.includes(domain.toLowerCase())
}

/** Throws FORBIDDEN unless the session may act on `domain` (a canonical domain name). */
export function assertDomain(session: SessionInfo, domain: string): void {
  if (!canSeeDomain(session, domain)) throw new TRPCError({ code: 'FORBIDDEN', message: `you do not administer the domain ${domain}` })
}
