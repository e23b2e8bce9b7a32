// quotas.* — limits from the directory (mailQuota / mailMsgQuota, domain totals) and live usage from
// the store (`quotaReport`, as imquotacheck shows it, spec 03 §5). The state reuses the store's own
// enforcement decision (`quotaVerdict`, spec 03 §4): over quota within `store.quotagraceperiod` is
// `grace`, after it `over`; `warning` at `store.quotawarn` percent.
import { z } from 'zod'
import { parseQuotaValue } from '@wren/store'
import { effectiveLimits, quotaPolicy, quotaVerdict } from '@wren/store/quota'
import type { ApiContext } from '../context.js'
import { findScopedUser } from './users.js'
import { scopedDomain, sess } from '../helpers.js'
import { canSeeDomain } from '../rbac.js'
import { domainName, uidSchema } from '../schemas.js'
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
    .query(async ({ ctx, input }): Promise<Array<{ uid: string; domain: string } & QuotaState>> => {
      const s = sess(ctx)
      const only = input?.domain ? await scopedDomain(ctx, input.domain) : undefined
      const ids = ctx.deps.quota.users().map((id) => ({ id, ...domainOfStoreId(ctx, id) }))
        .filter((u) => (only ? u.domain === only : canSeeDomain(s, u.domain)))
      const rows: Array<{ uid: string; domain: string } & QuotaState> = []
      for (const u of ids) {
        const q = await quotaState(ctx, u.id)
        if (q.diskLimit < 0 && q.msgLimit < 0) continue
        rows.push({ uid: u.uid, domain: u.domain, ...q })
      }
      rows.sort((a, b) => Math.max(b.diskPercent, b.msgPercent) - Math.max(a.diskPercent, a.msgPercent) || a.uid.localeCompare(b.uid))
      return rows.slice(0, input?.limit ?? 20)
    }),

  domain: procedure
    .meta({ perm: 'quotas.read' })
    .input(z.object({ domain: domainName }))
    .query(async ({ ctx, input }): Promise<{ diskLimit: number; diskUsed: number; msgLimit: number; msgUsed: number; users: number }> => {
      const domain = await scopedDomain(ctx, input.domain)
      const d = await ctx.deps.directory.getDomain(domain)
      const lim = (v: string | undefined, bytes: boolean) => { const l = parseQuotaValue(v ?? null, bytes).limit; return l < 0 ? -1 : l }
      let diskUsed = 0, msgUsed = 0, users = 0
      for (const id of ctx.deps.quota.users()) {
        if (domainOfStoreId(ctx, id).domain !== domain) continue
        const r = await ctx.deps.quota.report(id)
        if (!r) continue
        users++
        diskUsed += r.diskUsed
        msgUsed += r.msgUsed
      }
      return { diskLimit: lim(d?.mailDomainDiskQuota, true), diskUsed, msgLimit: lim(d?.mailDomainMsgQuota, false), msgUsed, users }
    }),
})
