// Idempotent replay of a dead process's delivery journal (journal.ts) into the per-user indexes.
// Per delivery: its key in the user's `deliveries` table means the commit survived — the message file
// is compared with the journal's bytes and rewritten (durably) if the crash lost or truncated it;
// no key means the commit was lost with the crash — the message is stored again, at its old UID when
// that is still free, in one FULL-sync transaction that records the key (so a second replay, or the
// MTA's retry, finds it). Replay never applies quota: the delivery was already accepted.
import fs from 'node:fs'
import path from 'node:path'
import type { StoreImpl } from './store.js'
import type { JournalDelivery } from './journal.js'
import { messagePath } from './layout.js'
import { parseMessage } from './mime.js'
import { fsyncDirSync, mkdirDurableSync } from './fsutil.js'

export interface ReplayReport { present: number; repaired: number; restored: number; skipped: number }

function writeDurableSync(file: string, data: Buffer): void {
  const fd = fs.openSync(file, 'w', 0o600)
  try {
    let off = 0
    while (off < data.length) off += fs.writeSync(fd, data, off)
    fs.fdatasyncSync(fd)
  } finally { fs.closeSync(fd) }
}

function sameContent(file: string, data: Buffer): boolean {
  try {
    const st = fs.statSync(file)
    return st.size === data.length && fs.readFileSync(file).equals(data)
  } catch { return false }
}

export function replayJournal(store: StoreImpl, deliveries: JournalDelivery[]): ReplayReport {
  const report: ReplayReport = { present: 0, repaired: 0, restored: 0, skipped: 0 }
  for (const d of deliveries) {
    const udb = store.db(d.userid)
    if (!udb) { report.skipped++; store.logger.warning('Store', `delivery journal: user/${d.userid} no longer exists; delivery ${d.key} dropped`); continue }
    const prev = udb.s.deliveryById.get(d.key) as { mailbox_id: number; uid: number } | undefined
    if (prev) {
      report.present++
      const row = udb.s.message.get(prev.mailbox_id, prev.uid) as { size: number } | undefined
      if (!row) continue // expunged since
      const file = messagePath(udb.dir, prev.mailbox_id, prev.uid)
      if (row.size === d.data.length && !sameContent(file, d.data)) {
        // A new file renamed over the damaged one: a reader never sees it half written.
        mkdirDurableSync(path.dirname(file))
        const fixed = `${file}.${process.pid}.repair`
        writeDurableSync(fixed, d.data)
        fs.renameSync(fixed, file)
        fsyncDirSync(path.dirname(file))
        report.repaired++
      }
      continue
    }
    // The commit was lost: store it again (same mailbox and UID when still possible).
    let mb = udb.mailbox(d.mailboxId)
    const sameMailbox = !!mb && mb.uidvalidity === d.uidvalidity
    if (!sameMailbox) mb = udb.mailboxByFolder(d.folder) ?? udb.mailboxByFolder('INBOX')
    if (!mb) { store.ensureUser(d.userid); mb = udb.mailboxByFolder('INBOX')! }
    const tmp = path.join(store.layout.tmpDir(udb.partition), `${process.pid}.${Date.now()}.replay.tmp`)
    fs.mkdirSync(path.dirname(tmp), { recursive: true })
    writeDurableSync(tmp, d.data)
    try {
      store.commitAppends(udb, [{
        mailboxId: mb.id, tmp, parsed: parseMessage(d.data), size: d.data.length, bits: d.bits, keywords: d.keywords,
        internalDate: d.internalDate, bypassQuota: true, consume: true, deliveryId: d.key,
        uid: sameMailbox && mb.id === d.mailboxId ? d.uid : undefined,
      }], null)
      report.restored++
    } finally {
      fs.rmSync(tmp, { force: true })
    }
  }
  return report
}
