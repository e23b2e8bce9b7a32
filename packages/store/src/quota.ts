// Quotas (spec 03 §4): `mailQuota` / `mailMsgQuota` values, defaults, and the enforcement verdict with
// grace period, overdraft and the "message larger than the quota always bounces" rule.
import type { ConfigView } from '@wren/kernel'
import type { QuotaSource, QuotaVerdict } from './types.js'

export interface ParsedQuota {
  /** Default (user-wide) limit; -1 unlimited, -2 = use the system default. */
  limit: number
  /** Per-folder limits (`Archive%100M`; a folder quota covers its subfolders). */
  folders: Record<string, number>
  /** Per-message-type limits (`#voice%20M`). */
  types: Record<string, number>
}

/** Units are binary (spec 03 §0): `20M` = 20 × 1024 × 1024. Counts take no unit. */
function parseAmount(s: string, bytes: boolean): number {
  const m = /^\s*(-?\d+)\s*([kKmMgGtT]?)[bB]?\s*$/.exec(s)
  if (!m) return -2
  const n = Number(m[1])
  if (n < 0) return n === -1 ? -1 : -2
  if (!bytes || !m[2]) return n
  const mult = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase() as 'k']
  return n * mult
}

/** Parse `2G;#voice%20M;Archive%100M` (spec 03 §4). Absent → default (-2). */
export function parseQuotaValue(v: string | number | null | undefined, bytes = true): ParsedQuota {
  const out: ParsedQuota = { limit: -2, folders: {}, types: {} }
  if (v === null || v === undefined || v === '') return out
  if (typeof v === 'number') { out.limit = v < 0 ? (v === -1 ? -1 : -2) : v; return out }
  for (const piece of v.split(';')) {
    const p = piece.trim()
    if (!p) continue
    const pct = p.lastIndexOf('%')
    if (pct === -1) { out.limit = parseAmount(p, bytes); continue }
    const name = decodeURIComponent(p.slice(0, pct))
    const amount = parseAmount(p.slice(pct + 1), bytes)
    if (name.startsWith('#')) out.types[name.slice(1)] = amount
    else out.folders[name] = amount
  }
  return out
}

export interface QuotaPolicy {
  enforcement: boolean
  overdraft: boolean
  overQuotaStatus: boolean
  warnPercent: number
  graceMs: number
  defaultDisk: number
  defaultMsgs: number
}

export function quotaPolicy(config: ConfigView): QuotaPolicy {
  const num = (n: string, d: number) => { const v = config.find(n); const x = Number(v); return v === undefined || v === '' || Number.isNaN(x) ? d : x }
  const defDisk = config.find('store.defaultmailboxquota')
  const defMsgs = config.find('store.defaultmessagequota')
  return {
    enforcement: num('store.quotaenforcement', 1) !== 0,
    overdraft: num('store.quotaoverdraft', 0) !== 0 || num('store.overquotastatus', 0) !== 0,
    overQuotaStatus: num('store.overquotastatus', 0) !== 0,
    warnPercent: num('store.quotawarn', 90),
    graceMs: num('store.quotagraceperiod', 120) * 3600_000,
    defaultDisk: defDisk === undefined ? -1 : normalizeLimit(parseQuotaValue(defDisk as string | number).limit),
    defaultMsgs: defMsgs === undefined ? -1 : normalizeLimit(parseQuotaValue(defMsgs as string | number, false).limit),
  }
}

function normalizeLimit(n: number): number { return n === -2 ? -1 : n }

export interface EffectiveLimits {
  disk: number
  msgs: number
  diskQuota: ParsedQuota
  msgQuota: ParsedQuota
  status: string | null
}

export function effectiveLimits(src: QuotaSource | undefined, policy: QuotaPolicy): EffectiveLimits {
  const dq = parseQuotaValue(src?.mailQuota ?? null, true)
  const mq = parseQuotaValue(src?.mailMsgQuota ?? null, false)
  return {
    disk: dq.limit === -2 ? policy.defaultDisk : dq.limit,
    msgs: mq.limit === -2 ? policy.defaultMsgs : mq.limit,
    diskQuota: dq,
    msgQuota: mq,
    status: src?.status ?? null,
  }
}

export interface QuotaInputs {
  limits: EffectiveLimits
  usedBytes: number
  usedMsgs: number
  size: number
  /** Over-quota clock start (ms; warning-threshold crossing or first refusal), null when not running. */
  since: number | null
  now: number
}

/**
 * The enforcement decision (spec 03 §4 "Enforcement semantics"):
 * - a message larger than the whole quota always fails permanently (even with enforcement off);
 * - enforcement off → accept (usage is still tracked);
 * - `mailUserStatus: overquota` → permanent;
 * - normal mode: used + size > quota → over; overdraft: over only when usage already ≥ 100 %;
 * - over quota: temporary while within `store.quotagraceperiod` from the clock start, then permanent.
 */
export function quotaVerdict(q: QuotaInputs, policy: QuotaPolicy): QuotaVerdict {
  const { disk, msgs } = q.limits
  if (disk >= 0 && q.size > disk) return { ok: false, temporary: false, reason: 'message-too-large' }
  const warnAt = disk >= 0 ? (disk * (policy.overdraft ? 100 : policy.warnPercent)) / 100 : Infinity
  const warn = q.usedBytes + q.size >= warnAt
  if (!policy.enforcement) return { ok: true, warn }
  if (q.limits.status && q.limits.status.toLowerCase() === 'overquota') return { ok: false, temporary: false, reason: 'status-overquota' }
  let reason: 'disk' | 'messages' | null = null
  if (policy.overdraft) {
    if (disk >= 0 && q.usedBytes >= disk) reason = 'disk'
    else if (msgs >= 0 && q.usedMsgs >= msgs) reason = 'messages'
  } else {
    if (disk >= 0 && q.usedBytes + q.size > disk) reason = 'disk'
    else if (msgs >= 0 && q.usedMsgs + 1 > msgs) reason = 'messages'
  }
  if (!reason) return { ok: true, warn }
  const since = q.since ?? q.now
  return { ok: false, temporary: q.now - since < policy.graceMs, reason }
}

/**
 * Quota roots (spec 03 §4): folder roots (`Archive%100M`) cover their subfolders, the nearest enclosing
 * one governs, and roots do not overlap — the user root counts only what no folder root covers.
 * Returns the governing folder-root key for `folder`, or '' for the user root.
 */
export function governingRoot(limits: EffectiveLimits, folder: string, normalize: (f: string) => string): string {
  let best = ''
  for (const key of new Set([...Object.keys(limits.diskQuota.folders), ...Object.keys(limits.msgQuota.folders)])) {
    const f = normalize(key)
    if ((folder === f || folder.startsWith(f + '/')) && f.length > normalize(best || '').length) best = key
  }
  return best
}

/** The limits of one root: the user root's, or a folder root's (-1 where that root sets none). */
export function rootLimits(limits: EffectiveLimits, root: string): EffectiveLimits {
  if (!root) return limits
  return { ...limits, disk: limits.diskQuota.folders[root] ?? -1, msgs: limits.msgQuota.folders[root] ?? -1 }
}

/** Usage per root from per-folder counters. */
export function usageByRoot(limits: EffectiveLimits, folders: Array<{ folder: string; bytes: number; messages: number }>,
  normalize: (f: string) => string): Map<string, { bytes: number; messages: number }> {
  const out = new Map<string, { bytes: number; messages: number }>([['', { bytes: 0, messages: 0 }]])
  for (const f of folders) {
    const r = governingRoot(limits, f.folder, normalize)
    const u = out.get(r) ?? { bytes: 0, messages: 0 }
    u.bytes += f.bytes
    u.messages += f.messages
    out.set(r, u)
  }
  return out
}
