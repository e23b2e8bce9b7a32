// Console sessions (contract "Sessions, CSRF, roles"): AdminSession rows with a 32-byte random id,
// a CSRF token, and a sliding expiry of `admin.sessiontimeout` seconds. Cookie `wren_session`:
// httpOnly, SameSite=Strict, Path=/, Secure only when the request came over TLS.
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto'
import type { ApiDeps } from './context.js'
import type { Role } from './types.js'

export interface SessionAccount {
  id: number
  username: string
  role: Role
  domains: string[]
  directoryUid: string
  updatedAt: string
}

export interface SessionInfo {
  id: string
  csrfToken: string
  expiresAt: string
  /** True when this request slid the expiry forward: the cookie's Max-Age is renewed with it. */
  extended?: boolean
  /** A local tool authenticated by the control token (no cookie, no CSRF, no stored session row). */
  local?: boolean
  account: SessionAccount
}

const DEFAULT_TIMEOUT = 7200

export function sessionTimeoutSeconds(deps: Pick<ApiDeps, 'view'>): number {
  const v = Number(deps.view().find('admin.sessiontimeout') ?? DEFAULT_TIMEOUT)
  return Number.isFinite(v) && v > 0 ? v : DEFAULT_TIMEOUT
}

export function parseDomains(json: string): string[] {
  try {
    const v = JSON.parse(json) as unknown
    return Array.isArray(v) ? v.map(String) : []
  } catch {
    return []
  }
}

export function toRole(role: string): Role {
  return role === 'global' || role === 'domain' || role === 'auditor' ? role : 'auditor'
}

interface AccountRow { id: number; username: string; role: string; domains: string; directoryUid: string; updatedAt: Date }

export function accountInfo(a: AccountRow): SessionAccount {
  return { id: a.id, username: a.username, role: toRole(a.role), domains: parseDomains(a.domains), directoryUid: a.directoryUid, updatedAt: a.updatedAt.toISOString() }
}

const now = (deps: Pick<ApiDeps, 'now'>) => (deps.now ? deps.now() : Date.now())

export async function createSession(deps: ApiDeps, accountId: number, sourceIp: string): Promise<{ id: string; csrfToken: string; expiresAt: Date }> {
  const id = randomBytes(32).toString('hex')
  const csrfToken = randomBytes(32).toString('hex')
  const expiresAt = new Date(now(deps) + sessionTimeoutSeconds(deps) * 1000)
  await deps.db.prisma.adminSession.create({ data: { id, accountId, csrfToken, expiresAt, sourceIp } })
  // Expired sessions of any account are swept on each sign-in.
  await deps.db.prisma.adminSession.deleteMany({ where: { expiresAt: { lt: new Date(now(deps)) } } })
  return { id, csrfToken, expiresAt }
}

/** The session for a cookie value, extended (sliding) when more than a minute has passed; null when unknown or expired. */
export async function loadSession(deps: ApiDeps, id: string): Promise<SessionInfo | null> {
  if (!/^[0-9a-f]{64}$/.test(id)) return null
  const row = await deps.db.prisma.adminSession.findUnique({ where: { id }, include: { account: true } })
  if (!row) return null
  const t = now(deps)
  if (row.expiresAt.getTime() <= t) {
    await deps.db.prisma.adminSession.deleteMany({ where: { id } })
    return null
  }
  const timeout = sessionTimeoutSeconds(deps) * 1000
  let expiresAt = row.expiresAt
  let extended = false
  if (t + timeout - row.expiresAt.getTime() > 60_000) {
    expiresAt = new Date(t + timeout)
    extended = true
    await deps.db.prisma.adminSession.update({ where: { id }, data: { expiresAt } })
  }
  return { id: row.id, csrfToken: row.csrfToken, expiresAt: expiresAt.toISOString(), extended, account: accountInfo(row.account) }
}

export async function deleteSession(deps: ApiDeps, id: string): Promise<void> {
  await deps.db.prisma.adminSession.deleteMany({ where: { id } })
}

export function sessionCookie(value: string, opts: { secure: boolean; maxAgeSeconds: number }): string {
  const parts = [`wren_session=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${Math.max(0, Math.floor(opts.maxAgeSeconds))}`]
  if (opts.secure) parts.push('Secure')
  return parts.join('; ')
}

/** Constant-time comparison of a presented token with the expected one (digests first: equal lengths). */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b) && given.length === expected.length
}

/**
 * The session of a local tool holding the control token (D24): a global administrator named
 * `cli:<name>`, valid for this one request. Not an AdminAccount row (id 0), so it cannot be listed,
 * edited or signed out, and it never appears as a cookie.
 */
export function localSessionFor(deps: Pick<ApiDeps, 'now'>, name: string): SessionInfo {
  const t = now(deps)
  return {
    id: '',
    csrfToken: '',
    expiresAt: new Date(t + 60_000).toISOString(),
    local: true,
    account: { id: 0, username: `cli:${name}`, role: 'global', domains: [], directoryUid: '', updatedAt: new Date(t).toISOString() },
  }
}
