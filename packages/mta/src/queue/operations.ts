// Operator actions over everything matching a filter (imsimta qm hold/release/delete/return,
// retry-now; the console's queue viewer uses the same): entries being delivered are skipped
// (claimed by the job controller), the rest are claimed, acted on file-first, then released.
import type { TransportLog } from '../ports.js'
import type { QueueFilter } from './filter.js'
import type { QueueStore } from './queue-store.js'
import type { EntryRow } from './index-db.js'
import { sendNotification, type NotifierDeps } from '../dsn/notify.js'
import { origToField } from './format.js'

export interface BulkResult { matched: number; changed: number; skipped: number; keys: string[] }

async function eachClaimed(q: QueueStore, filter: QueueFilter, fn: (row: EntryRow) => Promise<boolean>): Promise<BulkResult> {
  const owner = -process.pid // operator claims are negative, job controller claims positive pids
  const total = q.index.count(filter)
  const res: BulkResult = { matched: total, changed: 0, skipped: 0, keys: [] }
  let after = ''
  let claimed = 0
  for (;;) {
    // Pages of 5,000 in key order: memory stays flat at 1,000,000 entries, mail keeps flowing.
    const rows = q.index.claimMatching(filter, owner, 5000, after)
    if (!rows.length) break
    after = rows[rows.length - 1].key
    claimed += rows.length
    for (const row of rows) {
      try {
        if (await fn(row)) { res.changed++; if (res.keys.length < 10_000) res.keys.push(row.key) }
      } finally {
        if (q.index.get(row.key)) q.index.release([row.key])
      }
    }
  }
  res.skipped = Math.max(0, total - claimed)
  return res
}

/** The last error an operator's hold leaves on an entry that had none (cleared again on release). */
const OPERATOR_HOLD_REASON = 'held by operator'

export function holdMatching(q: QueueStore, filter: QueueFilter): Promise<BulkResult> {
  // (an earlier delivery error stays the entry's last error: the operator's note only fills an empty one)
  return eachClaimed(q, { ...filter, held: false }, async (row) => { await q.hold(row, row.last_error ? undefined : OPERATOR_HOLD_REASON); return true })
}

/** Releasing clears the operator's note (OPERATOR_HOLD_REASON) and nothing else. */
export function releaseMatching(q: QueueStore, filter: QueueFilter): Promise<BulkResult> {
  return eachClaimed(q, { ...filter, held: true }, async (row) => {
    await q.release(row)
    // `qm dir` should not keep showing "Last error: held by operator"; a real delivery error stays.
    q.index.db.prepare('UPDATE entry SET last_error = NULL WHERE key = ? AND last_error = ?').run(row.key, OPERATOR_HOLD_REASON)
    return true
  })
}

/** Retry now: due immediately, whatever the backoff said. */
export function retryMatching(q: QueueStore, filter: QueueFilter): Promise<BulkResult> {
  return eachClaimed(q, { ...filter, held: false }, async (row) => {
    q.index.db.prepare('UPDATE entry SET next_at = ? WHERE key = ?').run(Date.now(), row.key)
    return true
  })
}

/** Delete without notice: a K record per recipient (spec 01 §22). */
export function deleteMatching(q: QueueStore, filter: QueueFilter, log: TransportLog): Promise<BulkResult> {
  return eachClaimed(q, filter, async (row) => {
    const env = await q.envelope(row).catch(() => undefined)
    await q.complete(row)
    if (env) for (const r of env.recipients) {
      log.message({ action: 'K', source: env.channel, size: env.size, from: env.from, origTo: origToField(r), to: r.to, messageId: env.messageId, status: 'deleted by operator' })
    }
    return true
  })
}

/** Return to sender: a failure DSN ("returned by operator") and an R record per recipient. */
export function returnMatching(q: QueueStore, filter: QueueFilter, log: TransportLog, deps: NotifierDeps): Promise<BulkResult> {
  return eachClaimed(q, filter, async (row) => {
    const env = await q.envelope(row)
    const done = q.index.doneSet(row.key)
    const rcpts = env.recipients.filter((_, i) => !done.has(i))
    await sendNotification(deps, {
      env, messagePath: q.pathOf(row), channel: env.channel, postmasterCopy: false, postHeadOnly: false,
      recipients: rcpts.map((r) => ({ to: r.to, orcpt: r.orcpt, action: 'failed' as const, status: '5.0.0', diagnostic: '5.0.0 message returned by the postmaster' })),
    })
    for (const r of rcpts) log.message({ action: 'R', source: env.channel, size: env.size, from: env.from, origTo: origToField(r), to: r.to, messageId: env.messageId, status: 'returned by operator' })
    await q.complete(row)
    return true
  })
}
