// Quota views at 100k users (issue 6): usage comes from the store's per-user usage cache (the mailbox
// list, read through @wren/store/usage-summary in one query) instead of one report per user, and the
// users nearest their limit are ranked on it before the exact figures of the few shown are read
// (quotaState → MailStore.quotaReport, spec 03 §5).
import { dirname } from 'node:path'
import { effectiveLimits, quotaPolicy } from '@wren/store/quota'
import { mboxlistPathOf, UsageSummary } from '@wren/store/usage-summary'
import type { ApiContext } from './context.js'
import { QUOTA_OVERRIDE } from './search-index.js'

const summaries = new Map<string, UsageSummary>()

/**
 * The usage cache of the data root the API runs on. The control database lives at
 * `<dataRoot>/db/wren.db` (@wren/db controlDbPath) and the store under `<dataRoot>/store`, so the
 * data root is found from the database path (ApiDeps has no data-root or summary port).
 */
export function usageSummary(ctx: ApiContext): UsageSummary {
  const dataRoot = dirname(dirname(ctx.deps.db.path))
  let s = summaries.get(dataRoot)
  if (!s) {
    s = new UsageSummary(mboxlistPathOf(dataRoot))
    summaries.set(dataRoot, s)
  }
  return s
}

/** Closes the cached read-only connections (tests removing their data roots). */
export function closeUsageSummaries(): void {
  for (const s of summaries.values()) s.close()
  summaries.clear()
}

interface Override { q: string | null; m: string | null; oq: number }

/**
 * Per-user limits that differ from the defaults (`mailQuota`, `mailMsgQuota`, an `overquota`
 * status), from the embedded directory through its partial index (migration 0002); key = store id.
 */
async function embeddedOverrides(ctx: ApiContext, domains: string[] | null): Promise<Map<string, Override>> {
  const def = ctx.deps.directory.defaultDomain.toLowerCase()
  const byDomain = domains ? ` AND domain IN (${domains.map(() => '?').join(',')})` : ''
  const rows = await ctx.deps.db.prisma.$queryRawUnsafe<Array<Override & { domain: string; name: string }>>(
    `SELECT domain, name, json_extract(attrs, '$.mailQuota[0]') AS q, json_extract(attrs, '$.mailMsgQuota[0]') AS m,
       instr(attrs, '"overquota"') > 0 AS oq
     FROM DirEntry INDEXED BY DirEntry_quota_override WHERE kind = 'user'${byDomain} AND (${QUOTA_OVERRIDE})`,
    ...(domains ?? []),
  )
  const out = new Map<string, Override>()
  for (const r of rows) out.set(r.domain === def ? r.name : `${r.name}@${r.domain}`, { q: r.q, m: r.m, oq: Number(r.oq) })
  return out
}

const pct = (used: number, limit: number) => (limit < 0 ? 0 : limit === 0 ? (used > 0 ? 100 : 0) : (used * 100) / limit)

/**
 * Store ids of the users to compute exactly for quotas.nearest (`domains` null = every domain).
 * With the embedded directory: the users with their own limits (few, from a partial index) ranked on
 * cached usage in JavaScript, and everyone else ranked on the default limits by SQLite in the
 * mailbox list; a margin more than `limit` (the cache may lag a delivery in progress; the exact
 * figures re-rank), plus every user with an `overquota` status (over whatever the usage). With LDAP:
 * every user with stored mail (its limits would need one directory read per user; see D19).
 */
export async function nearestCandidates(ctx: ApiContext, summary: UsageSummary, domains: string[] | null, limit: number): Promise<string[]> {
  const def = ctx.deps.directory.defaultDomain
  const want = limit + 10
  if (ctx.deps.directory.provider !== 'embedded') {
    const visible = domains ? new Set(domains) : null
    const domainOf = (id: string) => { const at = id.lastIndexOf('@'); return at < 0 ? def.toLowerCase() : id.slice(at + 1).toLowerCase() }
    return summary.users().filter((u) => (u.bytes > 0 || u.messages > 0) && (!visible || visible.has(domainOf(u.userid)))).map((u) => u.userid)
  }
  const policy = quotaPolicy(ctx.deps.view())
  const overrides = await embeddedOverrides(ctx, domains)
  const forced: string[] = []
  const ranked: Array<{ id: string; p: number }> = []
  const own = overrides.size > 2000 ? summary.users().filter((u) => overrides.has(u.userid)) : summary.usersById([...overrides.keys()])
  for (const u of own) {
    const o = overrides.get(u.userid)!
    if (o.oq) { forced.push(u.userid); continue }
    const lim = effectiveLimits({ mailQuota: o.q, mailMsgQuota: o.m }, policy)
    if (lim.disk < 0 && lim.msgs < 0) continue
    ranked.push({ id: u.userid, p: Math.max(pct(u.bytes, lim.disk), pct(u.messages, lim.msgs)) })
  }
  // everyone else has the default limits: SQLite's top-n (users with their own limits may be among
  // them; they are dropped here and ranked above)
  const defaults = { disk: policy.defaultDisk, msgs: policy.defaultMsgs }
  for (const u of summary.topByUsage(want + overrides.size, defaults, domains, def)) {
    if (overrides.has(u.userid)) continue
    ranked.push({ id: u.userid, p: Math.max(pct(u.bytes, defaults.disk), pct(u.messages, defaults.msgs)) })
  }
  ranked.sort((a, b) => b.p - a.p)
  return [...forced, ...ranked.slice(0, want).map((r) => r.id)]
}
