// Small helpers shared by the routers: the acting administrator, domain canonicalisation and scoping,
// store ids, optimistic-concurrency versions and audit records.
import { createHash } from 'node:crypto'
import { TRPCError } from '@trpc/server'
import { recordAudit, type FieldChange } from '@wren/db'
import type { Actor, Directory } from '@wren/directory'
import { validateQuota } from '@wren/directory'
import type { ApiContext } from './context.js'
import { assertDomain, canSeeDomain } from './rbac.js'
import type { SessionInfo } from './session.js'
import { apiError, STALE_MESSAGE } from './errors.js'

export function sess(ctx: ApiContext): SessionInfo {
  if (!ctx.session) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in first (no session or it expired)' })
  return ctx.session
}

/** The directory's audit identity of the signed-in administrator (the directory records its own audit rows). */
export function actorOf(ctx: ApiContext): Actor {
  const s = sess(ctx)
  return { actor: s.account.username, role: s.account.role, source: ctx.source, sourceIp: ctx.ip }
}

export async function audit(ctx: ApiContext, entry: { action: string; target: string; domain?: string; diff?: FieldChange[] }): Promise<void> {
  const s = ctx.session
  await recordAudit(ctx.deps.db.prisma, {
    actor: s?.account.username ?? '-',
    role: s?.account.role ?? '',
    source: ctx.source,
    sourceIp: ctx.ip,
    ...entry,
  })
}

/**
 * The canonical name of a domain (aliases resolve to it) after checking the session may act on it.
 * A domain admin asking about an unknown or foreign domain gets FORBIDDEN (existence is not leaked).
 */
export async function scopedDomain(ctx: ApiContext, name: string): Promise<string> {
  const s = sess(ctx)
  const d = await ctx.deps.directory.getDomain(name.trim().toLowerCase())
  if (!d) {
    if (s.account.role === 'domain') assertDomain(s, name)
    throw new TRPCError({ code: 'NOT_FOUND', message: `no domain ${name}` })
  }
  assertDomain(s, d.name)
  return d.name
}

export function storeIdOf(dir: Directory, uid: string, domain: string): string {
  return domain.toLowerCase() === dir.defaultDomain.toLowerCase() ? uid : `${uid}@${domain}`
}

/** Version of a directory entry: a digest of its attributes (provider-independent, changes with any edit). */
export function entryVersion(attributes: Record<string, string[]>): string {
  const sorted = Object.keys(attributes).sort().map((k) => [k.toLowerCase(), [...(attributes[k] ?? [])].sort()])
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 20)
}

export function assertVersion(current: string, given: string): void {
  if (current !== given) throw apiError('CONFLICT', STALE_MESSAGE, { version: STALE_MESSAGE })
}

export function canSee(ctx: ApiContext, domain: string): boolean {
  return canSeeDomain(sess(ctx), domain)
}

/** Opaque cursor helpers (base64url JSON). */
export function encodeCursor(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url')
}
export function decodeCursor<T>(c: string | undefined): T | undefined {
  if (!c) return undefined
  try {
    return JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as T
  } catch {
    throw apiError('BAD_REQUEST', 'invalid cursor', { cursor: 'invalid cursor' })
  }
}

/** `replace` with the values, or `delete` when empty (LDAP modify semantics). */
export function setAttr(attr: string, values: string | string[] | undefined | null): { op: 'replace' | 'delete'; attr: string; values: string[] } | undefined {
  if (values === undefined) return undefined
  const list = values === null ? [] : (Array.isArray(values) ? values : [values]).map((v) => v.trim()).filter(Boolean)
  return list.length ? { op: 'replace', attr, values: list } : { op: 'delete', attr, values: [] }
}

/** Checks quota fields with the directory's own parser first, so the error names the right form field. */
export function checkQuotaFields(fields: Record<string, { value: string | undefined; kind: 'bytes' | 'count' }>): void {
  const errors: Record<string, string> = {}
  for (const [field, { value, kind }] of Object.entries(fields)) {
    if (value === undefined || value === '') continue
    try {
      validateQuota(value, kind)
    } catch (err) {
      errors[field] = err instanceof Error ? err.message : String(err)
    }
  }
  if (Object.keys(errors).length) throw apiError('BAD_REQUEST', Object.values(errors).join('; '), errors)
}
