// `imsimta qm release -channel=hold …` (spec 04 migration step "Release the messages in the held state":
// `imsimta qm release -channel=hold -all|-user|-domain`). Messages on the hold channel wait there
// because their recipient was on hold (mailUserStatus or mailDeliveryOption `hold`); releasing one
// sends it through the `process` channel, which expands the recipients again with their current
// directory entries — delivered if the hold was lifted, back on hold if not. File first: the new
// process entry is durable before the hold entry is removed (a crash in between duplicates, never loses).
import { readMessagePrefix } from '../queue/message-ref.js'
import type { TransportLog } from '../ports.js'
import type { QueueStore } from '../queue/queue-store.js'
import type { QueueFilter } from '../queue/filter.js'
import { origToField } from '../queue/format.js'

export interface HoldReleaseResult { matched: number; changed: number; keys: string[] }

export async function releaseHoldChannel(q: QueueStore, filter: QueueFilter, log: TransportLog): Promise<HoldReleaseResult> {
  const owner = -process.pid // operator claim, as queue/operations.ts
  const f: QueueFilter = { ...filter, channel: 'hold' }
  const res: HoldReleaseResult = { matched: q.index.count(f), changed: 0, keys: [] }
  let after = ''
  for (;;) {
    const rows = q.index.claimMatching(f, owner, 1000, after)
    if (!rows.length) break
    after = rows[rows.length - 1].key
    for (const row of rows) {
      try {
        const env = await q.envelope(row)
        const body = await readMessagePrefix(q.pathOf(row), env.size)
        const { id: _id, size: _size, channel: _c, sourceChannel: _s, ...rest } = env
        await q.enqueueBuffer(body, [{ ...rest, channel: 'process', sourceChannel: 'hold' }])
        for (const r of env.recipients) log.message({ action: 'E', source: 'hold', destination: 'process', size: env.size, from: env.from, origTo: origToField(r), to: r.to, messageId: env.messageId })
        await q.complete(row)
        res.changed++
        res.keys.push(row.key)
      } finally {
        if (q.index.get(row.key)) q.index.release([row.key])
      }
    }
  }
  return res
}
