// Administrative operations behind mboxutil (spec 03 §3): moving a user to another partition
// (`mboxutil -r user/d/INBOX user/d/INBOX p2`: UIDs and flags unchanged) and restoring expunged but not
// yet purged messages (`mboxutil -R [-m dest] [-U uids] mailbox`).
import fs from 'node:fs'
import path from 'node:path'
import { MailboxNotFoundError, StoreError } from './types.js'
import type { StoreImpl, AppendEntry } from './store.js'
import { messagePath } from './layout.js'
import { fsyncDirSync, mkdirDurableSync } from './fsutil.js'

/** Move every mailbox of `userid` to `partition`. */
export function moveUserToPartition(store: StoreImpl, userid: string, partition: string): void {
  const target = store.layout.partitionPath(partition.toLowerCase())
  const udb = store.db(userid)
  if (!udb) throw new MailboxNotFoundError(`user/${userid}`)
  if (udb.partition === partition.toLowerCase()) return
  const from = udb.dir
  const to = store.layout.userDir(partition.toLowerCase(), userid)
  if (fs.existsSync(to)) throw new StoreError('CANNOT', `Mailbox already exists on partition ${partition}`)
  // Fold the WAL into the main file so the copy is one consistent file.
  udb.db.pragma('wal_checkpoint(TRUNCATE)')
  store.closeUser(userid)
  const staging = to + '.moving'
  fs.rmSync(staging, { recursive: true, force: true })
  mkdirDurableSync(path.dirname(staging))
  fs.cpSync(from, staging, { recursive: true, preserveTimestamps: true })
  syncTree(staging)
  fs.renameSync(staging, to)
  fsyncDirSync(path.dirname(to))
  store.mboxlist.setPartition(userid, partition.toLowerCase())
  fs.rmSync(from, { recursive: true, force: true })
  store.hub.ring(userid, to)
}

function syncTree(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) syncTree(p)
    else { const fd = fs.openSync(p, 'r'); try { fs.fsyncSync(fd) } finally { fs.closeSync(fd) } }
  }
  fsyncDirSync(dir)
}

/**
 * Bring back expunged messages whose files are still present (not yet cleaned up) into `dest`
 * (default: the same mailbox) as new messages. Returns the new UIDs in the order of `uids`.
 */
export function restoreExpunged(store: StoreImpl, owner: string, folder: string, uids: number[] | null, dest?: string): number[] {
  const udb = store.db(owner)
  const src = udb?.mailboxByFolder(folder)
  if (!udb || !src) throw new MailboxNotFoundError(`user/${owner}/${folder}`)
  const target = udb.mailboxByFolder(dest ?? folder)
  if (!target) throw new MailboxNotFoundError(`user/${owner}/${dest}`)
  const rows = udb.db.prepare('SELECT uid FROM expunged WHERE mailbox_id = ? AND purged = 0 ORDER BY uid').pluck().all(src.id) as number[]
  const want = uids ? new Set(uids) : null
  const wanted = want ? rows.filter((u) => want.has(u)) : rows
  const entries: AppendEntry[] = []
  const restored: number[] = []
  for (const uid of wanted) {
    const file = messagePath(udb.dir, src.id, uid)
    if (!fs.existsSync(file)) continue
    const data = fs.readFileSync(file)
    entries.push({
      mailboxId: target.id, tmp: file, parsed: store.parse(data), size: data.length, bits: 0, keywords: [],
      internalDate: Math.floor(fs.statSync(file).mtimeMs), bypassQuota: true,
    })
    restored.push(uid)
  }
  const res = store.commitAppends(udb, entries, null)
  // The restored files now live under their new UIDs; the expunged entries no longer own them.
  udb.write(() => { for (const u of restored) udb.s.markPurged.run(src.id, u) })
  for (const u of restored) fs.rmSync(messagePath(udb.dir, src.id, u), { force: true })
  return res.flatMap((r) => (r.ok ? [r.uid] : []))
}
