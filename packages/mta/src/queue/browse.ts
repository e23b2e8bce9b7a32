// Read-only queue queries for the admin API's queue viewer (issue 6 §2, issue 5 §4): keyset pages
// ordered by age, counts and per-channel totals, all optionally limited to a SCOPE — the domains a
// delegated administrator manages (an entry is in scope when its sender or one of its recipients is
// in one of them). Everything is SQL over the queue index (index-db.ts); nothing loads all rows.
import type { QueueIndex, EntryRow } from './index-db.js'
import { filterToSql, type QueueFilter } from './filter.js'

/** Lower-case domain names; `null` = no restriction. */
export type QueueScope = string[] | null

/** WHERE fragment for the scope (alias `e`): sender domain or any recipient domain in the list. */
export function scopeToSql(scope: QueueScope): { where: string; params: unknown[] } {
  if (scope === null) return { where: '1', params: [] }
  if (!scope.length) return { where: '0', params: [] }
  const marks = scope.map(() => '?').join(', ')
  const doms = scope.map((d) => d.toLowerCase())
  // Two indexable OR terms (entry_sender_domain, rcpt_domain → primary key): SQLite's OR optimisation.
  return { where: `(e.sender_domain IN (${marks}) OR e.key IN (SELECT key FROM rcpt WHERE domain IN (${marks})))`, params: [...doms, ...doms] }
}

/** The scope as a per-row test (an EXISTS probe of rcpt's primary key), for walks of an ordered index. */
function scopeRowSql(scope: string[]): { where: string; params: unknown[] } {
  const marks = scope.map(() => '?').join(', ')
  const doms = scope.map((d) => d.toLowerCase())
  return { where: `(e.sender_domain IN (${marks}) OR EXISTS (SELECT 1 FROM rcpt r WHERE r.key = e.key AND r.domain IN (${marks})))`, params: [...doms, ...doms] }
}

/** Scoped entries at which walking the age index beats collecting the scope's rows and sorting them. */
const WALK_THRESHOLD = 2000

/**
 * How to run a scoped query. A small scope (a few hundred entries): collect them through the
 * sender-domain and recipient-domain indexes and sort. A big one (a domain with 20,000 of 1,000,000
 * entries): walk entry_created in order and test each row, which finds a page after about
 * limit × total / scoped rows instead of sorting every scoped row on every page. A filter on an
 * indexed field (sender, recipient, domain, keys) is left to the planner.
 */
function scopeIsLarge(index: QueueIndex, filter: QueueFilter, scope: QueueScope): boolean {
  if (scope === null || !scope.length) return false
  const selective = (v: string | undefined) => v !== undefined && !v.includes('*') && !v.includes('?')
  if (selective(filter.sender) || selective(filter.recipient) || filter.domain || filter.keys?.length) return false
  const marks = scope.map(() => '?').join(', ')
  const doms = scope.map((d) => d.toLowerCase())
  const n = (index.db.prepare(`SELECT (SELECT count(*) FROM (SELECT 1 FROM entry WHERE sender_domain IN (${marks}) LIMIT ${WALK_THRESHOLD}))
    + (SELECT count(*) FROM (SELECT 1 FROM rcpt WHERE domain IN (${marks}) LIMIT ${WALK_THRESHOLD})) AS n`).get(...doms, ...doms) as { n: number }).n
  return n >= WALK_THRESHOLD
}

function whereOf(filter: QueueFilter, scope: QueueScope, now: number, walk = false): { where: string; params: unknown[] } {
  const f = filterToSql(filter, now)
  const s = walk && scope ? scopeRowSql(scope) : scopeToSql(scope)
  return { where: `${f.where} AND ${s.where}`, params: [...f.params, ...s.params] }
}

export type QueueOrder = 'oldest' | 'newest'

/** Position after the last row of a page: (created, key) is unique and matches entry_created (+ primary key). */
export interface QueuePageCursor { created: number; key: string }

/**
 * One page of entries matching `filter` within `scope`, ordered by age (created, then key), after
 * `cursor`. Uses the entry_created index (a WITHOUT ROWID secondary index carries the key).
 */
export function pageEntries(index: QueueIndex, filter: QueueFilter, scope: QueueScope, opts: { order?: QueueOrder; cursor?: QueuePageCursor; limit: number; now?: number }): EntryRow[] {
  const walk = scopeIsLarge(index, filter, scope)
  const { where, params } = whereOf(filter, scope, opts.now ?? Date.now(), walk)
  const asc = (opts.order ?? 'oldest') === 'oldest'
  const cmp = asc ? '>' : '<'
  const after = opts.cursor ? ` AND (e.created ${cmp} ? OR (e.created = ? AND e.key ${cmp} ?))` : ''
  const afterParams = opts.cursor ? [opts.cursor.created, opts.cursor.created, opts.cursor.key] : []
  const dir = asc ? 'ASC' : 'DESC'
  return index.db.prepare(`SELECT e.key, e.msg_id, e.channel, e.dir, e.attempts, e.held, e.created, e.next_at, e.last_error,
      e.sender, e.size, e.rcpt_count, e.active FROM entry e${walk ? ' INDEXED BY entry_created' : ''} WHERE ${where}${after} ORDER BY e.created ${dir}, e.key ${dir} LIMIT ?`)
    .all(...params, ...afterParams, opts.limit) as EntryRow[]
}

/** The query plan of `pageEntries` (tests check that it walks an index, not the whole table + sort). */
export function explainPage(index: QueueIndex, filter: QueueFilter, scope: QueueScope, order: QueueOrder = 'oldest'): string[] {
  const walk = scopeIsLarge(index, filter, scope)
  const { where, params } = whereOf(filter, scope, Date.now(), walk)
  const dir = order === 'oldest' ? 'ASC' : 'DESC'
  const rows = index.db.prepare(`EXPLAIN QUERY PLAN SELECT e.key FROM entry e${walk ? ' INDEXED BY entry_created' : ''} WHERE ${where} AND (e.created > ? OR (e.created = ? AND e.key > ?))
    ORDER BY e.created ${dir}, e.key ${dir} LIMIT 50`).all(...params, 0, 0, '') as Array<{ detail: string }>
  return rows.map((r) => r.detail)
}

/** Entries matching; with `cap`, counting stops there (the answer is then `cap`, meaning "at least"). */
export function countEntries(index: QueueIndex, filter: QueueFilter, scope: QueueScope, opts: { cap?: number; now?: number } = {}): number {
  const { where, params } = whereOf(filter, scope, opts.now ?? Date.now())
  if (opts.cap) return (index.db.prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM entry e WHERE ${where} LIMIT ?)`).get(...params, opts.cap) as { n: number }).n
  return (index.db.prepare(`SELECT count(*) AS n FROM entry e WHERE ${where}`).get(...params) as { n: number }).n
}

export interface ChannelTotals {
  channel: string
  /** Not held (waiting, being delivered or delayed). */
  messages: number
  bytes: number
  oldest: number | null
  held: number
  heldBytes: number
  oldestHeld: number | null
  /** Being delivered now (claimed by a job). */
  active: number
  /** Tried at least once and waiting for the next attempt. */
  delayed: number
}

/** Per-channel totals as `qm summarize -held` shows them, within a scope. */
export function summarizeChannels(index: QueueIndex, scope: QueueScope): ChannelTotals[] {
  // Everything or a big scope visits every row (≈1.5 s at 1,000,000 entries on the loaded 2-core
  // machine, as `qm summarize`); the API caches the answer for a few seconds.
  const big = scope !== null && scopeIsLarge(index, {}, scope)
  const s = scope === null ? { where: '1', params: [] } : big ? scopeRowSql(scope) : scopeToSql(scope)
  const rows = index.db.prepare(`SELECT e.channel AS channel, e.held AS held, count(*) AS n, sum(e.size) AS b, min(e.created) AS oldest,
      sum(e.active != 0) AS active, sum(e.attempts > 0 AND e.active = 0) AS delayed
    FROM entry e WHERE ${s.where} GROUP BY e.channel, e.held ORDER BY e.channel`).all(...s.params) as Array<{ channel: string; held: number; n: number; b: number | null; oldest: number | null; active: number; delayed: number }>
  const out = new Map<string, ChannelTotals>()
  for (const r of rows) {
    const t = out.get(r.channel) ?? { channel: r.channel, messages: 0, bytes: 0, oldest: null, held: 0, heldBytes: 0, oldestHeld: null, active: 0, delayed: 0 }
    if (r.held) { t.held = r.n; t.heldBytes = r.b ?? 0; t.oldestHeld = r.oldest }
    else { t.messages = r.n; t.bytes = r.b ?? 0; t.oldest = r.oldest; t.active = r.active ?? 0; t.delayed = r.delayed ?? 0 }
    out.set(r.channel, t)
  }
  return [...out.values()]
}

/** Which of `keys` exist and are in scope (a domain administrator's per-key check). */
export function keysInScope(index: QueueIndex, keys: string[], scope: QueueScope): Set<string> {
  const out = new Set<string>()
  const s = scopeToSql(scope)
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500)
    const rows = index.db.prepare(`SELECT e.key FROM entry e WHERE e.key IN (${chunk.map(() => '?').join(', ')}) AND ${s.where}`)
      .all(...chunk, ...s.params) as Array<{ key: string }>
    for (const r of rows) out.add(r.key)
  }
  return out
}

/** Keys matching `filter` within `scope`, in key order after `after` (bulk actions of a scoped admin). */
export function matchingKeys(index: QueueIndex, filter: QueueFilter, scope: QueueScope, after: string, limit: number, now = Date.now()): string[] {
  const { where, params } = whereOf(filter, scope, now)
  return (index.db.prepare(`SELECT e.key FROM entry e WHERE ${where} AND e.key > ? ORDER BY e.key LIMIT ?`).all(...params, after, limit) as Array<{ key: string }>).map((r) => r.key)
}

/** Recipients of an entry with their per-recipient state. */
export function entryRecipients(index: QueueIndex, key: string): Array<{ idx: number; address: string; done: boolean }> {
  return index.recipients(key).map((r) => ({ idx: r.idx, address: r.address, done: Boolean(r.done) }))
}
