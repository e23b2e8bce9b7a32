// domains.* — hosted domains (Schema 2 organisation nodes): aliases (associatedDomain), status
// (inetDomainStatus) and domain quotas (mailDomainDiskQuota / mailDomainMsgQuota, spec 03 §4).
import { z } from 'zod'
import type { DirectoryDomain } from '@wren/directory'
import type { ApiContext } from '../context.js'
import { apiError, mapErrors } from '../errors.js'
import { actorOf, assertVersion, checkQuotaFields, decodeCursor, encodeCursor, entryVersion, scopedDomain, sess, setAttr } from '../helpers.js'
import { visibleDomains } from '../rbac.js'
import { cursor, domainName, limit, quotaValue, version } from '../schemas.js'
import { procedure, router } from '../trpc.js'
import type { DomainDetail, DomainRow } from '../types.js'

const domainStatus = z.enum(['active', 'inactive', 'hold', 'disabled'])

async function userCounts(ctx: ApiContext, names: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  if (ctx.deps.directory.provider !== 'embedded' || !names.length) return out
  const rows = await ctx.deps.db.prisma.dirEntry.groupBy({ by: ['domain'], where: { kind: 'user', domain: { in: names } }, _count: { _all: true } })
  for (const r of rows) out.set(r.domain, r._count._all)
  return out
}

export function domainRow(d: DirectoryDomain, count?: number): DomainRow {
  return {
    name: d.name,
    aliases: d.aliases,
    status: d.status,
    ...(count !== undefined ? { userCount: count } : {}),
    ...(d.mailDomainDiskQuota !== undefined ? { diskQuota: d.mailDomainDiskQuota } : {}),
    ...(d.mailDomainMsgQuota !== undefined ? { msgQuota: d.mailDomainMsgQuota } : {}),
  }
}

async function getDomainOr404(ctx: ApiContext, name: string): Promise<DirectoryDomain> {
  const canonical = await scopedDomain(ctx, name)
  const d = await ctx.deps.directory.getDomain(canonical)
  if (!d) throw apiError('NOT_FOUND', `no domain ${name}`)
  return d
}

function detail(d: DirectoryDomain, count?: number): DomainDetail {
  return { ...domainRow(d, count), attributes: d.attributes, version: entryVersion(d.attributes) }
}

/**
 * One page of the domains the signed-in admin may see: a domain administrator's few domains fetched
 * directly (never a scan of every domain), otherwise the directory's paged listing.
 */
export async function listDomainPage(ctx: ApiContext, q: { text?: string; cursor?: string; limit: number }): Promise<{ items: DirectoryDomain[]; nextCursor?: string }> {
  const dir = ctx.deps.directory
  const visible = visibleDomains(sess(ctx))
  const text = q.text
  if (visible !== null) {
    const found = (await Promise.all(visible.map((n) => dir.getDomain(n)))).filter((d): d is DirectoryDomain => !!d)
    return { items: found.filter((d) => !text || d.name.includes(text) || d.aliases.some((a) => a.includes(text))).sort((a, b) => a.name.localeCompare(b.name)) }
  }
  const page = await mapErrors(() => dir.listDomains({ text, cursor: decodeCursor<string>(q.cursor), limit: q.limit }))
  return { items: page.items, ...(page.nextCursor ? { nextCursor: encodeCursor(page.nextCursor) } : {}) }
}

export const domainsRouter = router({
  list: procedure
    .meta({ perm: 'domains.read' })
    .input(z.object({ search: z.string().max(256).optional(), cursor, limit }).optional())
    .query(async ({ ctx, input }): Promise<{ items: DomainRow[]; nextCursor?: string }> => {
      const dir = ctx.deps.directory
      const page = await listDomainPage(ctx, { text: input?.search?.trim().toLowerCase() || undefined, cursor: input?.cursor, limit: input?.limit ?? 100 })
      const counts = await userCounts(ctx, page.items.map((d) => d.name))
      const scoped = visibleDomains(sess(ctx)) !== null
      return {
        items: page.items.map((d) => domainRow(d, dir.provider === 'embedded' || scoped ? counts.get(d.name) ?? 0 : undefined)),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      }
    }),

  get: procedure
    .meta({ perm: 'domains.read' })
    .input(z.object({ name: domainName }))
    .query(async ({ ctx, input }): Promise<DomainDetail> => {
      const d = await getDomainOr404(ctx, input.name)
      const counts = await userCounts(ctx, [d.name])
      return detail(d, ctx.deps.directory.provider === 'embedded' ? counts.get(d.name) ?? 0 : undefined)
    }),

  create: procedure
    .meta({ perm: 'domains.write' })
    .input(z.object({ name: domainName, aliases: z.array(domainName).max(100).optional(), status: domainStatus.optional(), diskQuota: quotaValue.optional(), msgQuota: quotaValue.optional() }))
    .mutation(async ({ ctx, input }): Promise<DomainDetail> => {
      checkQuotaFields({ diskQuota: { value: input.diskQuota, kind: 'bytes' }, msgQuota: { value: input.msgQuota, kind: 'count' } })
      const attributes: Record<string, string> = {}
      if (input.status && input.status !== 'active') attributes.inetDomainStatus = input.status
      if (input.diskQuota) attributes.mailDomainDiskQuota = input.diskQuota
      if (input.msgQuota) attributes.mailDomainMsgQuota = input.msgQuota
      const d = await mapErrors(() => ctx.deps.directory.createDomain({ name: input.name, aliases: input.aliases ?? [], attributes }, actorOf(ctx)), 'name')
      return detail(d, 0)
    }),

  update: procedure
    .meta({ perm: 'domains.write' })
    .input(z.object({ name: domainName, version, aliases: z.array(domainName).max(100).optional(), status: domainStatus.optional(), diskQuota: quotaValue.optional(), msgQuota: quotaValue.optional() }))
    .mutation(async ({ ctx, input }): Promise<DomainDetail> => {
      const current = await getDomainOr404(ctx, input.name)
      assertVersion(entryVersion(current.attributes), input.version)
      checkQuotaFields({ diskQuota: { value: input.diskQuota, kind: 'bytes' }, msgQuota: { value: input.msgQuota, kind: 'count' } })
      const mods = [
        input.aliases !== undefined ? setAttr('associatedDomain', [current.name, ...input.aliases.filter((a) => a !== current.name)]) : undefined,
        input.status !== undefined ? setAttr('inetDomainStatus', input.status) : undefined,
        setAttr('mailDomainDiskQuota', input.diskQuota),
        setAttr('mailDomainMsgQuota', input.msgQuota),
      ].filter((m) => m !== undefined)
      if (!mods.length) return detail(current)
      const d = await mapErrors(() => ctx.deps.directory.modifyDomain(current.name, mods, actorOf(ctx)))
      return detail(d)
    }),

  delete: procedure
    .meta({ perm: 'domains.write' })
    .input(z.object({ name: domainName }))
    .mutation(async ({ ctx, input }): Promise<{ ok: true }> => {
      const d = await getDomainOr404(ctx, input.name)
      const dir = ctx.deps.directory
      const [users, groups] = await Promise.all([dir.searchUsers({ domain: d.name, limit: 1 }), dir.searchGroups({ domain: d.name, limit: 1 })])
      if (users.items.length || groups.items.length) {
        const msg = `the domain ${d.name} still has ${users.items.length ? 'users' : 'groups'}; delete them first`
        throw apiError('CONFLICT', msg, { name: msg })
      }
      await mapErrors(() => dir.deleteDomain(d.name, actorOf(ctx)))
      return { ok: true }
    }),

  /** Removes a domain marked deleted for good (spec 01 §5 `commadmin domain purge`); a live domain is refused. */
  purge: procedure
    .meta({ perm: 'domains.write' })
    .input(z.object({ name: domainName }))
    .mutation(async ({ ctx, input }): Promise<{ ok: true }> => {
      const d = await getDomainOr404(ctx, input.name)
      await mapErrors(() => ctx.deps.directory.purgeDomain(d.name, actorOf(ctx)))
      return { ok: true }
    }),
})
