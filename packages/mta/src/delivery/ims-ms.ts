// ims-ms master program: deposits into the message store (spec 01 §9) with one group commit per
// batch (MailStore.deliverBatch). Quota answers map to 4.2.2 (temporary, within grace) or 5.2.2.
import type { LocalStore, RecipientDirectory } from '../ports.js'
import type { DeliveryItem, MasterProgram, RecipientOutcome } from './types.js'

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
        const outs = await store.deliverBatch(batch.map((b) => ({
          req: b.req, message: { path: items[b.item].path, offset: 0, length: items[b.item].env.size },
        })))
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
