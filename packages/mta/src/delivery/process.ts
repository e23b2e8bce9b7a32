// The `process` channel master program (spec 01 §9, §22 "Sending to a Nonexistent Domain"): messages
// the MTA generates itself (notifications) are first enqueued to `process` with their recipients
// unexpanded; this program expands each recipient (rewrite rules, directory, delivery_options) and
// enqueues the message to the destination channels — the `process ims-ms E` records of the manual's
// example — after which the job controller records `process D` for it.
import type { MtaPolicy, RecipientDirectory, TransportLog } from '../ports.js'
import type { QueueStore } from '../queue/queue-store.js'
import { origToField, type QueueRecipient } from '../queue/format.js'
import type { EventBus } from '@wren/kernel'
import { expandRecipient } from '../dispatcher/expand.js'
import type { MasterProgram, RecipientOutcome } from './types.js'
import { readMessagePrefix } from '../queue/message-ref.js'

export interface ProcessDeps {
  queue: QueueStore
  policy: MtaPolicy
  directory: RecipientDirectory
  log: TransportLog
  bus?: EventBus
}

export function processProgram(d: ProcessDeps): MasterProgram {
  return {
    async deliver(items, ch) {
      const out: RecipientOutcome[][] = []
      for (const it of items) {
        const results: RecipientOutcome[] = []
        const byChannel = new Map<string, QueueRecipient[]>()
        const routed: number[] = []
        for (const idx of it.pending) {
          const r = it.env.recipients[idx]
          const exp = await expandRecipient(r.to, d.policy, d.directory).catch((e: Error) => ({ ok: false as const, code: 451, enhanced: '4.3.0', text: e.message }))
          if (!exp.ok) {
            results.push({ idx, status: exp.code >= 500 ? 'perm' : 'temp', statusCode: exp.enhanced, diagnostic: `${exp.enhanced} ${exp.text}` })
            continue
          }
          for (const x of exp.items) {
            // A message cannot go back to `process` (an expansion loop would never end).
            const channel = x.channel === ch.name ? 'hold' : x.channel
            byChannel.set(channel, [...(byChannel.get(channel) ?? []), { ...r, to: x.to, uid: x.uid, folder: x.folder, host: x.host }])
          }
          routed.push(idx)
        }
        if (byChannel.size) {
          const body = await readMessagePrefix(it.path, it.env.size)
          const { id: _id, size: _size, channel: _c, sourceChannel: _s, recipients: _r, ...rest } = it.env
          const splits = [...byChannel].map(([channel, recipients]) => ({ ...rest, channel, sourceChannel: ch.name, recipients }))
          const keys = await d.queue.enqueueBuffer(body, splits)
          for (const s of splits) for (const r of s.recipients) {
            d.log.message({ action: 'E', source: ch.name, destination: s.channel, size: it.env.size, from: it.env.from, origTo: origToField(r), to: r.to, messageId: it.env.messageId })
          }
          d.bus?.send({ topic: 'queue.enqueued', channels: splits.map((s) => s.channel), keys })
        }
        for (const idx of routed) results.push({ idx, status: 'ok', statusCode: '2.0.0', diagnostic: '' })
        out.push(results)
      }
      return out
    },
  }
}
