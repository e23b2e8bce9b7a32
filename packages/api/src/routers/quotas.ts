// quotas.* — limits from the directory (mailQuota / mailMsgQuota, domain totals) and live usage from
// the store (`quotaReport`, as imquotacheck shows it, spec 03 §5). The state reuses the store's own
// enforcement decision (`quotaVerdict`, spec 03 §4): over quota within `store.quotagraceperiod` is
// `grace`, after it `over`; `warning` at `store.quotawarn` percent.
import { z } from 'zod'
import { parseQuotaValue, StoreError } from '@wren/store'
import { effectiveLimits, quotaPolicy, quotaVerdict } from '@wren/store/quota'
import type { ApiContext } from '../context.js'
import { findScopedUser } from './users.js'
import { listDomainPage } from './domains.js'
import type { DirectoryDomain } from '@wren/directory'
import type { DomainUsage } from '@wren/store/usage-summary'
import { nearestCandidates, usageSummary } from '../quota-summary.js'
import { scopedDomain, sess } from '../helpers.js'
import { canSeeDomain, visibleDomains } from '../rbac.js'
import { cursor, domainName, limit, uidSchema } from '../schemas.js'
import { procedure, router } from '../trpc.js'
import type { QuotaState } from '../types.js'

function percent(used: number, limit: number): number {
  if (limit < 0) return 0
  if (limit === 0) return used > 0 ? 100 : 0
  return Math.round((used * 1000) / limit) / 10
}

/** Quota state of one store user: store usage against the directory's limits. */
export async function quotaState(ctx: ApiContext, storeId: string): Promise<QuotaState> {
  const policy = quotaPolicy(ctx.deps.view())
  const report = await ctx.deps.quota.report(storeId)
  const src = await ctx.deps.directory.quotaSource(storeId)
  const limits = effectiveLimits(src, policy)
  const diskLimit = report?.diskLimit ?? limits.disk
  const msgLimit = report?.msgLimit ?? limits.msgs
  const diskUsed = report?.diskUsed ?? 0
  const msgUsed = report?.msgUsed ?? 0
  const now = ctx.deps.now ? ctx.deps.now() : Date.now()
  const v = quotaVerdict({ limits: { ...limits, disk: diskLimit, msgs: msgLimit }, usedBytes: diskUsed, usedMsgs: msgUsed, size: 0, since: report?.overSince ?? null, now }, policy)
  const atLimit = (diskLimit >= 0 && diskUsed >= diskLimit) || (msgLimit >= 0 && msgUsed >= msgLimit)
  let state: QuotaState['state'] = 'ok'
  let graceEndsAt: string | undefined
  if (!v.ok && v.reason !== 'message-too-large') {
    if (v.temporary) {
      state = 'grace'
      graceEndsAt = new Date((report?.overSince ?? now) + policy.graceMs).toISOString()
    } else state = 'over'
  } else if (atLimit) state = 'over'
  else if (!v.ok || v.warn || (msgLimit > 0 && percent(msgUsed, msgLimit) >= policy.warnPercent)) state = 'warning'
  return {
    diskLimit, diskUsed, msgLimit, msgUsed,
    diskPercent: percent(diskUsed, diskLimit),
    msgPercent: percent(msgUsed, msgLimit),
    state,
    ...(graceEndsAt ? { graceEndsAt } : {}),
  }
}

function domainOfStoreId(ctx: ApiContext, id: string): { uid: string; domain: string } {
  const at = id.lastIndexOf('@')
  return at < 0 ? { uid: id, domain: ctx.deps.directory.defaultDomain.toLowerCase() } : { uid: id.slice(0, at), domain: id.slice(at + 1).toLowerCase() }
}

type NearestRow = { uid: string; domain: string } & QuotaState

export const quotasRouter = router({
  user: procedure
    .meta({ perm: 'quotas.read' })
    .input(z.object({ uid: uidSchema, domain: domainName }))
    .query(async ({ ctx, input }): Promise<QuotaState> => {
      const u = await findScopedUser(ctx, input.uid, input.domain)
      return quotaState(ctx, u.storeId)
    }),

  nearest: procedure
    .meta({ perm: 'quotas.read' })
    .input(z.object({ domain: domainName.optional(), limit: z.number().int().min(1).max(500).optional() }).optional())
    .query(async ({ ctx, input }): Promise<NearestRow[]> => {
      const s = sess(ctx)
      const only = input?.domain ? await scopedDomain(ctx, input.domain) : undefined
      const limit = input?.limit ?? 20
      const ids = await nearestCandidates(ctx, usageSummary(ctx), only ? [only] : visibleDomains(s), limit)
      const rows: NearestRow[] = []
      for (const id of ids) {
        // a user removed since the ranking (mailbox gone) is left out, not an error of the list
        const q = await quotaState(ctx, id).catch((err: unknown) => { if (isMailboxGone(err)) return undefined; throw err })
        if (!q) continue
        if (q.diskLimit < 0 && q.msgLimit < 0) continue
        rows.push({ ...domainOfStoreId(ctx, id), ...q })
      }
      rows.sort(byNearest)
      return rows.slice(0, limit)
    }),

  domain: procedure
    .meta({ perm: 'quotas.read' })
    .input(z.object({ domain: domainName }))
    .query(async ({ ctx, input }): Promise<DomainTotals> => {
      const domain = await scopedDomain(ctx, input.domain)
      const d = await ctx.deps.directory.getDomain(domain)
      return domainTotals(domain, d, usageSummary(ctx).domain(domain, ctx.deps.directory.defaultDomain))
    }),

  /** Every visible domain's totals, a page at a time (domains in the directory's order). */
  domains: procedure
    .meta({ perm: 'quotas.read' })
    .input(z.object({ search: z.string().max(256).optional(), cursor, limit }).optional())
    .query(async ({ ctx, input }): Promise<{ items: DomainTotals[]; nextCursor?: string; total?: DomainUsage }> => {
      const page = await listDomainPage(ctx, { text: input?.search?.trim().toLowerCase() || undefined, cursor: input?.cursor, limit: input?.limit ?? 25 })
      const usage = usageSummary(ctx).byDomain(ctx.deps.directory.defaultDomain)
      const zero: DomainUsage = { users: 0, bytes: 0, messages: 0 }
      // the grand total over every domain this admin may see (not only this page)
      const s = sess(ctx)
      const total: DomainUsage = { users: 0, bytes: 0, messages: 0 }
      for (const [name, u] of usage) {
        if (!canSeeDomain(s, name)) continue
        total.users += u.users
        total.bytes += u.bytes
        total.messages += u.messages
      }
      return {
        items: page.items.map((d) => domainTotals(d.name, d, usage.get(d.name) ?? zero)),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
        total,
      }
    }),
})

export interface DomainTotals { domain: string; diskLimit: number; diskUsed: number; msgLimit: number; msgUsed: number; users: number }

function domainTotals(domain: string, d: DirectoryDomain | undefined, u: DomainUsage): DomainTotals {
  const lim = (v: string | undefined, bytes: boolean) => { const l = parseQuotaValue(v ?? null, bytes).limit; return l < 0 ? -1 : l }
  return { domain, diskLimit: lim(d?.mailDomainDiskQuota, true), diskUsed: u.bytes, msgLimit: lim(d?.mailDomainMsgQuota, false), msgUsed: u.messages, users: u.users }
}

/** Over quota (or in its grace period) first, whatever the percentage (an `overquota` status); then by percentage. */
function byNearest(a: NearestRow, b: NearestRow): number {
  const over = (r: NearestRow) => (r.state === 'over' || r.state === 'grace' ? 1 : 0)
  return over(b) - over(a) || Math.max(b.diskPercent, b.msgPercent) - Math.max(a.diskPercent, a.msgPercent) || a.uid.localeCompare(b.uid) || a.domain.localeCompare(b.domain)
}

function isMailboxGone(err: unknown): boolean {
  return err instanceof StoreError && err.code === 'NONEXISTENT'
}
