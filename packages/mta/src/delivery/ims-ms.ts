// ims-ms master program: deposits into the message store (spec 01 §9) with one group commit per
// batch (MailStore.deliverBatch). Quota answers map to 4.2.2 (temporary, within grace) or 5.2.2.
// Final delivery: the message is stored with `Return-Path: <envelope sender>` (RFC 5321 §4.4).
import type { LocalStore, RecipientDirectory } from '../ports.js'
import type { MasterProgram, RecipientOutcome } from './types.js'
import { withReturnPath } from './return-path.js'

export function imsMsProgram(store: LocalStore, directory?: RecipientDirectory): MasterProgram {
  return {
    async deliver(items) {
      const results: RecipientOutcome[][] = items.map(() => [])
      const batch: Array<{ item: number; idx: number; req: { userid: string; folder?: string; deliveryId: string } }> = []
      for (let i = 0; i < items.length; i++) {
        const it = items[i]
        for (const idx of it.pending) {
          const r = it.env.recipients[idx]
          let uid = r.uid
          if (!uid && directory) {
            const res = await directory.resolveAddress(r.to)
            if (res.kind === 'user') uid = res.uid
          }
          if (!uid) { results[i].push({ idx, status: 'perm', statusCode: '5.1.1', diagnostic: `5.1.1 unknown or illegal alias: ${r.to}` }); continue }
          // The idempotency key makes a repeat after a crash (stored, not yet marked done) a no-op.
          batch.push({ item: i, idx, req: { userid: uid, folder: r.folder, deliveryId: `${it.env.id}/${it.env.channel}/${idx}` } })
        }
      }
      if (!batch.length) return results
      try {
        // One read per message, shared by its recipients (the store would read the file anyway).
        const bytes = new Map<number, Buffer>()
        for (const b of batch) if (!bytes.has(b.item)) bytes.set(b.item, withReturnPath(items[b.item].path, items[b.item].env.size, items[b.item].env.from))
        const outs = await store.deliverBatch(batch.map((b) => ({ req: b.req, message: bytes.get(b.item)! })))
        outs.forEach((o, k) => {
          const b = batch[k]
          if (o.ok) results[b.item].push({ idx: b.idx, status: 'ok', statusCode: '2.0.0', diagnostic: '' })
          else results[b.item].push({
            idx: b.idx, status: o.temporary ? 'temp' : 'perm', statusCode: o.enhancedStatus,
            diagnostic: `${o.enhancedStatus} ${o.text}`,
          })
        })
      } catch (e) {
        // The store failed as a whole (I/O): everything stays queued (4.3.0, spec 01 §15 codes).
        for (const b of batch) results[b.item].push({ idx: b.idx, status: 'temp', statusCode: '4.3.0', diagnostic: `4.3.0 ${(e as Error).message}` })
      }
      return results
    },
  }
}
