// reconstruct (spec 03 §13): check a user's index against the message files and repair it.
// - index missing or corrupt → rebuilt from the folders' `store.meta` files and the message files
//   (UIDVALIDITY and UIDs kept; flags are lost with the index);
// - an index entry whose file is missing → removed (logged as expunged, so clients see VANISHED);
// - a message file below UIDNEXT that the index does not know (and that is not an expunged message
//   awaiting cleanup) → adopted; a file at or above UIDNEXT is a delivery that crashed before its
//   index commit (never acknowledged) → removed;
// - per-folder counters and quota usage recomputed.
import fs from 'node:fs'
import path from 'node:path'
import type { ReconstructOptions, ReconstructReport } from './types.js'
import { MailboxNotFoundError } from './types.js'
import type { StoreImpl } from './store.js'
import type { UserDb, MailboxRow } from './userdb.js'
import { folderDir, messagePath } from './layout.js'
import { fullName, parseFullName } from './names.js'
import { isSimpleText, parseMessage } from './mime.js'
import { fsyncDirSync } from './fsutil.js'

interface FolderMeta { folder: string; uidvalidity: number; specialUse?: string | null; created?: number }

function listMessageFiles(dir: string): Map<number, string> {
  const out = new Map<number, string>()
  let subs: string[] = []
  try { subs = fs.readdirSync(dir) } catch { return out }
  for (const nn of subs) {
    if (!/^\d\d$/.test(nn)) continue
    for (const f of fs.readdirSync(path.join(dir, nn))) {
      const m = /^(\d+)\.msg$/.exec(f)
      if (m) out.set(Number(m[1]), path.join(dir, nn, f))
    }
  }
  return out
}

function folderDirs(userDir: string): Map<number, string> {
  const out = new Map<number, string>()
  for (const f of fs.readdirSync(userDir)) {
    const m = /^f(\d+)$/.exec(f)
    if (m) out.set(Number(m[1]), path.join(userDir, f))
  }
  return out
}

function readMeta(dir: string): FolderMeta | null {
  try { return JSON.parse(fs.readFileSync(path.join(dir, 'store.meta'), 'utf8')) as FolderMeta } catch { return null }
}

export async function reconstruct(store: StoreImpl, target: string, opts: ReconstructOptions = {}): Promise<ReconstructReport> {
  return reconstructImpl(store, target, opts)
}

export async function reconstructImpl(store: StoreImpl, target: string, opts: ReconstructOptions): Promise<ReconstructReport> {
  const report: ReconstructReport = { mailboxes: [], missingFiles: [], orphanFiles: [], recoveredMailboxes: [], quotaFixed: false, messages: [] }
  let users: string[]
  let onlyFolder: string | null = null
  if (target === '*' || target === '') users = allUsersOnDisk(store)
  else if (target.startsWith('user/')) {
    const p = parseFullName(target)
    if (!p) throw new MailboxNotFoundError(target)
    users = [p.owner]
    if (target.split('/').length > 2) onlyFolder = p.folder
  } else users = [target]
  for (const u of users) reconstructUser(store, u, onlyFolder, opts, report)
  return report
}

function allUsersOnDisk(store: StoreImpl): string[] {
  const set = new Set(store.listUsers())
  for (const p of store.layout.partitions.values()) {
    const root = path.join(p, '=user')
    for (const a of safeReaddir(root)) for (const b of safeReaddir(path.join(root, a))) for (const u of safeReaddir(path.join(root, a, b))) {
      if (u.startsWith('=')) set.add(u.slice(1))
    }
  }
  return [...set].sort()
}

function safeReaddir(d: string): string[] {
  try { return fs.readdirSync(d) } catch { return [] }
}

function locateUserDir(store: StoreImpl, userid: string): { dir: string; partition: string } | null {
  const row = store.mboxlist.user(userid)
  if (row) return { dir: store.layout.userDir(row.partition, userid), partition: row.partition }
  for (const name of store.layout.partitions.keys()) {
    const dir = store.layout.userDir(name, userid)
    if (fs.existsSync(dir)) return { dir, partition: name }
  }
  return null
}

function reconstructUser(store: StoreImpl, userid: string, onlyFolder: string | null, opts: ReconstructOptions, report: ReconstructReport): void {
  const loc = locateUserDir(store, userid)
  if (!loc || !fs.existsSync(loc.dir)) throw new MailboxNotFoundError(`user/${userid}`)
  let udb = store.db(userid)
  // An unreadable index is moved aside and rebuilt (spec 03 §7 self-heal).
  if (udb) {
    let ok = false
    try { ok = (udb.db.pragma('quick_check', { simple: true }) as string) === 'ok' } catch { ok = false }
    if (!ok) {
      report.messages.push(`user/${userid}: Mailbox has an invalid format; repair requested`)
      if (opts.reportOnly) return
      store.closeUser(userid)
      fs.renameSync(path.join(loc.dir, 'store.idx'), path.join(loc.dir, `store.idx.corrupt.${Date.now()}`))
      for (const ext of ['-wal', '-shm']) fs.rmSync(path.join(loc.dir, 'store.idx' + ext), { force: true })
      udb = null
    }
  }
  const fresh = !udb
  if (!udb) {
    report.messages.push(`user/${userid}: index missing, rebuilding from message files`)
    if (opts.reportOnly) {
      for (const [id, dir] of folderDirs(loc.dir)) {
        const meta = readMeta(dir)
        const name = fullName(userid, meta?.folder ?? `Recovered-${id}`)
        report.recoveredMailboxes.push(name)
        for (const uid of listMessageFiles(dir).keys()) report.orphanFiles.push({ mailbox: name, uid })
      }
      return
    }
    store.mboxlist.addUser(userid, loc.partition)
    udb = store.db(userid, true)!
  }
  const db = udb
  // Folders on disk the index lacks (always the case for a fresh index).
  const known = new Map(db.allMailboxes().map((r) => [r.id, r]))
  for (const [id, dir] of folderDirs(loc.dir)) {
    if (known.has(id)) continue
    const meta = readMeta(dir)
    let folder = meta?.folder ?? `Recovered-${id}`
    if (db.mailboxByFolder(folder)) folder = `${folder}-recovered-${id}`
    report.recoveredMailboxes.push(fullName(userid, folder))
    if (opts.reportOnly) continue
    db.write(() => {
      db.s.insertMailbox.run({ id, folder, uidvalidity: meta?.uidvalidity ?? db.nextUidValidity(), uidnext: 1, highestmodseq: 1,
        special_use: meta?.specialUse ?? null, created: meta?.created ?? Date.now() })
      const next = Number(db.meta('next_mailbox_id') ?? 1)
      if (next <= id) db.s.setMeta.run('next_mailbox_id', String(id + 1))
      const lastV = Number(db.meta('last_uidvalidity') ?? 0)
      if (meta && meta.uidvalidity > lastV) db.s.setMeta.run('last_uidvalidity', String(meta.uidvalidity))
    })
    known.set(id, db.mailbox(id)!)
  }
  if (fresh && !db.mailboxByFolder('INBOX') && !opts.reportOnly) store.ensureUser(userid)
  const before = db.s.usage.get() as { bytes: number; messages: number }
  for (const row of db.allMailboxes()) {
    if (onlyFolder && row.folder !== onlyFolder && !row.folder.startsWith(onlyFolder + '/')) continue
    checkMailbox(store, db, row, fresh, opts, report)
  }
  const after = db.s.usage.get() as { bytes: number; messages: number }
  if (before.bytes !== after.bytes || before.messages !== after.messages) report.quotaFixed = true
  if (!opts.reportOnly) {
    store.mboxlist.setUsage(userid, after.bytes, after.messages)
    store.hub.ring(userid, db.dir)
  }
}

function checkMailbox(store: StoreImpl, db: UserDb, row: MailboxRow, fresh: boolean, opts: ReconstructOptions, report: ReconstructReport): void {
  const name = fullName(db.userid, row.folder)
  report.mailboxes.push(name)
  const dir = folderDir(db.dir, row.id)
  const files = listMessageFiles(dir)
  const indexed = new Set(db.s.uids.all(row.id) as number[])
  const pending = new Set((db.db.prepare('SELECT uid FROM expunged WHERE mailbox_id = ? AND purged = 0').pluck().all(row.id)) as number[])
  const missing = [...indexed].filter((u) => !files.has(u))
  const orphans = [...files.keys()].filter((u) => !indexed.has(u) && !pending.has(u)).sort((a, b) => a - b)
  for (const uid of missing) report.missingFiles.push({ mailbox: name, uid })
  const adopt = orphans.filter((u) => fresh || u < row.uidnext)
  const stale = orphans.filter((u) => !fresh && u >= row.uidnext)
  for (const uid of adopt) report.orphanFiles.push({ mailbox: name, uid })
  for (const uid of stale) report.orphanFiles.push({ mailbox: name, uid })
  if (missing.length) report.messages.push(`${name}: ${missing.length} index entries without a message file`)
  if (adopt.length) report.messages.push(`${name}: ${adopt.length} message files adopted`)
  if (stale.length) report.messages.push(`${name}: ${stale.length} partial deliveries removed`)
  if (opts.reportOnly) return
  for (const uid of stale) fs.rmSync(files.get(uid)!, { force: true })
  if (stale.length) for (const d of new Set(stale.map((u) => path.dirname(files.get(u)!)))) fsyncDirSync(d)
  const parsed = adopt.map((uid) => {
    const data = fs.readFileSync(files.get(uid)!)
    const st = fs.statSync(files.get(uid)!)
    return { uid, data, p: parseMessage(data), mtime: Math.floor(st.mtimeMs) }
  })
  db.write(() => {
    const mb = db.mailbox(row.id)!
    let modseq = mb.highestmodseq
    const now = Date.now()
    if (missing.length) {
      modseq++
      for (const uid of missing) {
        const m = db.s.message.get(mb.id, uid) as { size: number } | undefined
        db.s.deleteMessage.run(mb.id, uid)
        db.s.deleteCache.run(mb.id, uid)
        db.s.deleteText.run(mb.id, uid)
        db.s.insertExpunged.run(mb.id, uid, modseq, now, m?.size ?? 0)
        db.s.markPurged.run(mb.id, uid)
      }
    }
    let uidnext = mb.uidnext
    for (const a of parsed) {
      modseq++
      db.s.insertMessage.run(mb.id, a.uid, modseq, 0, null, a.data.length, a.p.headerSize, a.mtime, now, isSimpleText(a.p.structure) ? 1 : 0)
      db.s.insertCache.run(mb.id, a.uid, a.p.messageId, JSON.stringify(a.p.envelope), JSON.stringify(a.p.structure))
      if (a.p.text) db.s.insertText.run(mb.id, a.uid, a.p.text.header, a.p.text.body)
      if (a.uid >= uidnext) uidnext = a.uid + 1
    }
    const c = db.db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS b FROM messages WHERE mailbox_id = ?').get(mb.id) as { n: number; b: number }
    if (c.n !== mb.exists_count || c.b !== mb.total_size) report.messages.push(`${name}: counters corrected (${mb.exists_count}→${c.n} messages, ${mb.total_size}→${c.b} bytes)`)
    db.db.prepare('UPDATE mailboxes SET exists_count = ?, total_size = ?, uidnext = ?, highestmodseq = ? WHERE id = ?')
      .run(c.n, c.b, uidnext, modseq, mb.id)
    db.s.recountFlags.run(mb.id)
  })
  store.writeFolderMeta(db, db.mailbox(row.id)!)
}

export { messagePath }
