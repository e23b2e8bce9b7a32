// The MailStore implementation: user provisioning, the index connection cache, the durable append
// path shared by APPEND and delivery, mailbox create/delete/rename, ENS events and change notices.
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import os from 'node:os'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import type { ConfigView, EventBus, Logger } from '@wren/kernel'
import { nullLogger } from '@wren/kernel'
import {
  InvalidMailboxNameError, MailboxExistsError, MailboxNotFoundError, StoreIOError, StoreLimitError,
  type DeliverOutcome, type DeliverRequest, type MailboxInfo, type MailboxRef, type MailSession, type MailStore, type MessageSource,
  type OpenStoreOptions, type QuotaResolver, type QuotaSource, type QuotaVerdict, type ReconstructOptions,
  type ReconstructReport, type SpecialUse, type UserQuotaReport,
} from './types.js'
import { Layout, folderDir, messagePath } from './layout.js'
import { UserDb, type MailboxRow } from './userdb.js'
import { MboxList } from './mboxlist.js'
import { ChangeHub, doorbellPath, type Counters } from './notify.js'
import { hashdir } from './hashdir.js'
import { fullName, isValidUserId, listPatternToRegExp, normalizeFolderName, parentsOf, validateUserId } from './names.js'
import { fsyncDirSync, linkReplaceSync, mkdirDurableSync, writeFileAtomicSync, writeTempDurable } from './fsutil.js'
import type { ParsedMessage, SearchText } from './mime.js'
import { isSimpleText, parseMessage } from './mime.js'
import { keywordsToText } from './flags.js'
import { effectiveLimits, governingRoot, quotaPolicy, quotaVerdict, rootLimits, usageByRoot, type EffectiveLimits, type QuotaPolicy } from './quota.js'
import { Session } from './session.js'
import { deliverBatchImpl } from './deliver.js'
import { reconstructImpl } from './reconstruct.js'
import { renderQuotaNotice } from './quota-notice.js'
import { moveUserToPartition, restoreExpunged } from './admin.js'
import { DeliveryJournal, processTag, recoverJournals } from './journal.js'
import { replayJournal } from './journal-replay.js'

/** Special-use folders created for new users (RFC 6154; brief). */
export const DEFAULT_FOLDERS: Array<[string, SpecialUse]> = [
  ['Sent', '\\Sent'], ['Drafts', '\\Drafts'], ['Trash', '\\Trash'], ['Junk', '\\Junk'], ['Archive', '\\Archive'],
]

export interface AppendEntry {
  mailboxId: number
  /** Durable source file to hard-link (a temp file, or another mailbox's message file for COPY). */
  tmp: string
  /**
   * Journaled delivery only: the message bytes, written straight to the message file inside the commit
   * (no temp file; the delivery journal holds the bytes until its checkpoint). `tmp`, when set, is an
   * already-committed copy of the same bytes to hard-link instead (a later recipient of the message).
   */
  data?: Buffer
  parsed: ParsedMessage | CachedParse
  size: number
  bits: number
  keywords: string[]
  internalDate: number
  bypassQuota: boolean
  /** Move (rename) the source into place instead of linking: its last use (saves a link + unlink). */
  consume?: boolean
  /** Idempotency key of a delivery (DeliverRequest.deliveryId); a repeat returns the first result. */
  deliveryId?: string
  /** Journal replay: keep the UID the delivery had before the crash when it is still free (>= UIDNEXT). */
  uid?: number
}

/** The cache columns of an existing message (COPY reuses them without re-parsing). */
export interface CachedParse {
  headerSize: number
  messageId: string | null
  envelopeJson: string
  structureJson: string
  simple: number
  text: SearchText | null
}

/** MULTIAPPEND (RFC 3502): one entry of an all-or-nothing commit failed; nothing was committed. */
export class AtomicAppendError extends Error {
  constructor(readonly index: number, readonly result: Extract<AppendCommit, { ok: false }>) { super('append refused') }
}

export type AppendCommit =
  | { ok: true; uid: number; modseq: number; mailbox: MailboxRow; duplicate?: boolean }
  | { ok: false; verdict: Extract<QuotaVerdict, { ok: false }> | null; limit?: 'maxmessages' }

interface QuotaStateRow { over_since: number | null; warn_since: number | null; last_warn: number | null; over_event: number }
/** A user's usage and quota state as its delivery commit left them (read inside that transaction). */
export interface UsageAfterCommit { usage: { bytes: number; messages: number }; qs: QuotaStateRow | undefined }
/** Users committed by a delivery batch, whose mboxlist mirror and doorbell wait for `afterCommits`. */
export type DeferredUsage = Map<UserDb, UsageAfterCommit>

/** Folder-root keys from LDAP may be unnormalized; compare on the canonical form when possible. */
function safeFolder(f: string): string {
  try { return normalizeFolderName(f) } catch { return f }
}

const LITTLE_ENDIAN = os.endianness() === 'LE'
/** How long resolved directory quota values are reused (spec 03 §4: changes apply "lazily from caches"). */
const LIMIT_CACHE_MS = 5000

/** Turns the `uidsPacked` BLOB (big-endian uint32s, ascending) into a Uint32Array without per-row work. */
export function unpackUids(blob: Buffer | null): Uint32Array {
  if (!blob || blob.length < 4) return new Uint32Array(0)
  // Own, aligned copy: the result is cached and shared, and Uint32Array needs 4-byte alignment.
  const out = new Uint32Array(blob.length >>> 2)
  const bytes = new Uint8Array(out.buffer)
  bytes.set(blob.subarray(0, out.length * 4))
  if (LITTLE_ENDIAN) Buffer.from(out.buffer).swap32()
  // The primary-key scan gives ascending uids; keep the invariant even if a query plan changed that.
  for (let i = 1; i < out.length; i++) if (out[i - 1] >= out[i]) return out.sort()
  return out
}

interface UidCacheEntry { db: UserDb; uidnext: number; exists: number; expunged: number; uids: Uint32Array }

export function mailboxInfo(owner: string, partition: string, r: MailboxRow): MailboxInfo {
  return {
    id: r.id, owner, folder: r.folder, fullName: fullName(owner, r.folder), partition,
    uidValidity: r.uidvalidity, uidNext: r.uidnext, highestModseq: r.highestmodseq,
    specialUse: (r.special_use as SpecialUse | null) ?? null, created: r.created,
    messages: r.exists_count, size: r.total_size, lastAppend: r.last_append, expunged: r.expunged_count,
  }
}

export class StoreImpl implements MailStore {
  readonly dataRoot: string
  readonly layout: Layout
  readonly mboxlist: MboxList
  readonly hub = new ChangeHub()
  readonly config: ConfigView
  readonly bus?: EventBus
  readonly logger: Logger
  readonly hostname: string
  readonly processName: string
  private readonly resolver?: QuotaResolver
  private readonly dbs = new Map<string, UserDb>()
  private readonly uidCache = new Map<string, UidCacheEntry>()
  private readonly limitCache = new Map<string, { at: number; src: QuotaSource | undefined }>()
  private closed = false
  private journalInst: DeliveryJournal | null = null

  constructor(opts: OpenStoreOptions) {
    this.dataRoot = path.resolve(opts.dataRoot)
    this.config = opts.config
    this.bus = opts.bus
    this.logger = opts.logger ?? nullLogger
    this.resolver = opts.quotaResolver
    this.hostname = opts.hostname ?? os.hostname()
    this.processName = opts.processName ?? 'stored'
    this.layout = new Layout(this.dataRoot, opts.config)
    for (const p of this.layout.partitions.values()) fs.mkdirSync(path.join(p, 'tmp'), { recursive: true })
    this.mboxlist = new MboxList(this.layout.mboxlistPath())
    this.recoverJournals()
  }

  // ---------------------------------------------------------------- delivery journal (journal.ts)
  journalDir(): string { return path.join(this.storeRoot(), 'journal') }
  private storeRoot(): string { return this.layout.storeRoot }

  /** This process's delivery journal (created on first delivery). */
  journal(): DeliveryJournal {
    if (!this.journalInst) {
      this.journalInst = new DeliveryJournal(this.journalDir(), {
        syncTargets: () => [this.layout.storeRoot, ...this.layout.partitions.values()],
        onError: (m) => this.logger.error('Store', `Store Error: ${m}`),
      })
    }
    return this.journalInst
  }

  /** Replay the journals of dead processes (crash recovery); returns how many deliveries were checked. */
  recoverJournals(): number {
    const tag = processTag() ?? `${process.pid}.0`
    return recoverJournals(this.journalDir(), tag, (deliveries, file) => {
      const r = replayJournal(this, deliveries)
      // Before the journal goes: whatever it covered (index WALs, message files) must be on disk.
      const targets = [this.layout.storeRoot, ...this.layout.partitions.values()].filter((p) => fs.existsSync(p))
      execFileSync('sync', ['-f', ...targets])
      if (r.restored || r.repaired) {
        this.logger.notice('Store', `stored: delivery journal ${path.basename(file)}: ${r.restored} deliveries restored, ${r.repaired} message files repaired, ${r.present} already stored`)
      }
    }, (m) => this.logger.error('Store', `Store Error: ${m}`))
  }

  /**
   * Make an already-committed message durable on its own (a duplicate delivery answered from an
   * earlier, possibly journal-covered commit): fsync its file, its directory and the index WAL.
   */
  ensureDurable(udb: UserDb, mailboxId: number, uid: number): void {
    const p = messagePath(udb.dir, mailboxId, uid)
    for (const f of [p, path.join(udb.dir, 'store.idx-wal')]) {
      try { const fd = fs.openSync(f, 'r'); try { fs.fsyncSync(fd) } finally { fs.closeSync(fd) } } catch { /* expunged, or no WAL */ }
    }
    try { fsyncDirSync(path.dirname(p)) } catch { /* expunged */ }
  }

  // ---------------------------------------------------------------- options
  opt(name: string, dflt: number): number {
    const v = this.config.find(name)
    const n = Number(v)
    return v === undefined || v === '' || Number.isNaN(n) ? dflt : n
  }
  optStr(name: string, dflt = ''): string {
    const v = this.config.find(name)
    return v === undefined ? dflt : Array.isArray(v) ? v.join(' ') : String(v)
  }
  policy(): QuotaPolicy { return quotaPolicy(this.config) }
  admins(): Set<string> {
    return new Set(this.optStr('store.admins').split(/[\s,]+/).filter(Boolean))
  }
  /** `store.pin` folder names (spec 03 §12; `%`-separated per the examples). */
  pinned(): Set<string> {
    return new Set(this.optStr('store.pin').split(/[%@]/).map((s) => s.trim()).filter(Boolean))
  }
  publicUser(): string | null {
    return this.optStr('store.publicsharedfolders.user') || null
  }

  // ---------------------------------------------------------------- users and index connections
  hashdir(userid: string): string { return hashdir(userid) }

  userPath(userid: string): string {
    const row = this.mboxlist.user(userid)
    return this.layout.userDir(row?.partition ?? this.layout.defaultPartition, userid)
  }

  userExists(userid: string): boolean {
    if (!isValidUserId(userid)) return false
    if (this.mboxlist.user(userid)) return true
    return this.findUserOnDisk(userid) !== null
  }

  private findUserOnDisk(userid: string): string | null {
    for (const name of this.layout.partitions.keys()) {
      if (UserDb.exists(this.layout.userDir(name, userid))) return name
    }
    return null
  }

  listUsers(): string[] {
    return this.mboxlist.users().map((u) => u.userid)
  }

  /** The user's open index, or null when the user does not exist (create = provision). */
  db(userid: string, create = false): UserDb | null {
    const cached = this.dbs.get(userid)
    if (cached) {
      // Another process (mboxutil -d, reconstruct) may have removed or replaced the index.
      if (cached.stillCurrent()) { cached.lastUsed = Date.now(); return cached }
      cached.close()
      this.dbs.delete(userid)
    }
    let partition = this.mboxlist.user(userid)?.partition ?? this.findUserOnDisk(userid)
    if (!partition) {
      if (!create) return null
      validateUserId(userid)
      partition = this.layout.defaultPartition
    }
    const dir = this.layout.userDir(partition, userid)
    if (!UserDb.exists(dir)) {
      if (!create) return null
      mkdirDurableSync(dir)
    }
    const udb = new UserDb(userid, dir, partition)
    if (!this.mboxlist.user(userid)) this.mboxlist.addUser(userid, partition)
    if (!fs.existsSync(doorbellPath(dir))) fs.writeFileSync(doorbellPath(dir), '0')
    this.dbs.set(userid, udb)
    this.evictIdle()
    return udb
  }

  /** Close a user's cached index connection (reconstruct moves a corrupt index aside). */
  closeUser(userid: string): void {
    const d = this.dbs.get(userid)
    if (d) { d.close(); this.dbs.delete(userid) }
  }

  requireDb(userid: string): UserDb {
    const d = this.db(userid)
    if (!d) throw new MailboxNotFoundError(`user/${userid}`)
    return d
  }

  /** Keep the number of open indexes bounded: close unreferenced ones beyond 1000. */
  private evictIdle(): void {
    if (this.dbs.size <= 1000) return
    const idle = [...this.dbs.values()].filter((d) => d.refs === 0).sort((a, b) => a.lastUsed - b.lastUsed)
    for (const d of idle.slice(0, this.dbs.size - 1000)) { d.close(); this.dbs.delete(d.userid) }
  }

  ensureUser(userid: string, opts: { partition?: string } = {}): void {
    validateUserId(userid)
    if (opts.partition && !this.mboxlist.user(userid) && !this.findUserOnDisk(userid)) {
      this.layout.partitionPath(opts.partition)
      this.mboxlist.addUser(userid, opts.partition)
    }
    const udb = this.db(userid, true)!
    if (udb.mailboxByFolder('INBOX')) return
    this.createMailbox(udb, 'INBOX', null, true)
    for (const [f, use] of DEFAULT_FOLDERS) if (!udb.mailboxByFolder(f)) this.createMailbox(udb, f, use, true)
  }

  session(userid: string, opts: { autoCreate?: boolean; groups?: string[] } = {}): MailSession {
    validateUserId(userid)
    const isAdmin = this.admins().has(userid)
    if (opts.autoCreate !== false) this.ensureUser(userid)
    else if (!this.userExists(userid) && !isAdmin) throw new MailboxNotFoundError(`user/${userid}`)
    // The user's directory limits (spec 03 §4), ready for the synchronous quota view (GETQUOTAROOT).
    this.prefetchLimits(userid)
    return new Session(this, userid, isAdmin, opts.groups ?? [])
  }

  async deleteUser(userid: string): Promise<void> {
    const udb = this.db(userid)
    if (!udb) throw new MailboxNotFoundError(`user/${userid}`)
    const dir = udb.dir
    const folders = udb.allMailboxes()
    udb.close()
    this.dbs.delete(userid)
    this.mboxlist.deleteUser(userid)
    await fsp.rm(dir, { recursive: true, force: true })
    for (const f of folders) this.emit('Delete', userid, f.folder, {})
  }

  // ---------------------------------------------------------------- mailboxes
  /** Create a mailbox (and missing parents, RFC 3501 §6.3.3). Returns the new row. */
  createMailbox(udb: UserDb, folderIn: string, specialUse: SpecialUse | null, quiet = false): MailboxRow {
    const folder = normalizeFolderName(folderIn)
    const created: MailboxRow[] = []
    udb.write(() => {
      if (udb.mailboxByFolder(folder)) throw new MailboxExistsError()
      for (const name of [...parentsOf(folder).filter((p) => p !== 'INBOX' || folder.startsWith('INBOX/')), folder]) {
        if (udb.mailboxByFolder(name)) continue
        const nextId = Math.max(Number(udb.meta('next_mailbox_id') ?? 1), (udb.s.maxMailboxId.get() as { m: number }).m + 1)
        udb.s.setMeta.run('next_mailbox_id', String(nextId + 1))
        udb.s.insertMailbox.run({
          id: nextId, folder: name, uidvalidity: udb.nextUidValidity(), uidnext: 1, highestmodseq: 1,
          special_use: name === folder ? specialUse : null, created: Date.now(),
        })
        created.push(udb.mailbox(nextId)!)
      }
    })
    for (const r of created) {
      this.writeFolderMeta(udb, r)
      if (!quiet) this.emit('Create', udb.userid, r.folder, {})
    }
    this.hub.ring(udb.userid, udb.dir)
    return created[created.length - 1]
  }

  /** `f<id>/store.meta`: the folder's name and UIDVALIDITY, so reconstruct can rebuild without the index. */
  writeFolderMeta(udb: UserDb, r: MailboxRow): void {
    const dir = folderDir(udb.dir, r.id)
    mkdirDurableSync(dir)
    writeFileAtomicSync(path.join(dir, 'store.meta'), JSON.stringify({
      folder: r.folder, uidvalidity: r.uidvalidity, specialUse: r.special_use, created: r.created,
    }) + '\n')
  }

  async deleteMailbox(udb: UserDb, folder: string): Promise<void> {
    const row = udb.mailboxByFolder(folder)
    if (!row) throw new MailboxNotFoundError(folder)
    udb.write(() => {
      for (const t of ['messages', 'cache', 'textcache', 'expunged', 'acl', 'seen']) udb.db.prepare(`DELETE FROM ${t} WHERE mailbox_id = ?`).run(row.id)
      udb.db.prepare('DELETE FROM mailboxes WHERE id = ?').run(row.id)
    })
    this.mboxlist.aclDelMailbox(udb.userid, row.id)
    await fsp.rm(folderDir(udb.dir, row.id), { recursive: true, force: true })
    this.afterUsageChange(udb)
    this.hub.ring(udb.userid, udb.dir)
    this.emit('Delete', udb.userid, folder, {})
  }

  /** RENAME with children (RFC 3501 §6.3.5); INBOX moves its messages into a new folder. */
  async renameMailbox(udb: UserDb, from: string, to: string): Promise<void> {
    const src = udb.mailboxByFolder(from)
    if (!src) throw new MailboxNotFoundError(from)
    if (udb.mailboxByFolder(to)) throw new MailboxExistsError()
    if (to === from || to.startsWith(from + '/')) throw new InvalidMailboxNameError('Cannot rename a mailbox into itself')
    if (from === 'INBOX') { await this.renameInbox(udb, to); return }
    const renamed: MailboxRow[] = []
    udb.write(() => {
      if (udb.mailboxByFolder(to)) throw new MailboxExistsError()
      const rows = udb.allMailboxes().filter((r) => r.folder === from || r.folder.startsWith(from + '/'))
      const upd = udb.db.prepare('UPDATE mailboxes SET folder = ? WHERE id = ?')
      for (const r of rows) {
        const nf = to + r.folder.slice(from.length)
        if (udb.mailboxByFolder(nf)) throw new MailboxExistsError()
        upd.run(nf, r.id)
      }
      // Missing parents of the new name are created (as for CREATE).
      for (const p of parentsOf(to)) {
        if (udb.mailboxByFolder(p)) continue
        const nextId = Math.max(Number(udb.meta('next_mailbox_id') ?? 1), (udb.s.maxMailboxId.get() as { m: number }).m + 1)
        udb.s.setMeta.run('next_mailbox_id', String(nextId + 1))
        udb.s.insertMailbox.run({ id: nextId, folder: p, uidvalidity: udb.nextUidValidity(), uidnext: 1, highestmodseq: 1, special_use: null, created: Date.now() })
        renamed.push(udb.mailbox(nextId)!)
      }
      for (const r of rows) renamed.push(udb.mailbox(r.id)!)
    })
    for (const r of renamed) this.writeFolderMeta(udb, r)
    this.hub.ring(udb.userid, udb.dir)
    this.emit('Rename', udb.userid, from, { newName: to })
  }

  private async renameInbox(udb: UserDb, to: string): Promise<void> {
    const dest = this.createMailbox(udb, to, null, true)
    const inbox = udb.mailboxByFolder('INBOX')!
    const rows = udb.db.prepare('SELECT * FROM messages WHERE mailbox_id = ? ORDER BY uid').all(inbox.id) as Array<Record<string, number | string | null>>
    const linked: string[] = []
    try {
      udb.write(() => {
        const dirs = new Set<string>()
        const d = udb.mailbox(dest.id)!
        let modseq = d.highestmodseq
        let uid = d.uidnext
        let bytes = 0
        const inb = udb.mailbox(inbox.id)!
        let inModseq = inb.highestmodseq + 1
        for (const m of rows) {
          const src = messagePath(udb.dir, inbox.id, m.uid as number)
          const dst = messagePath(udb.dir, dest.id, uid)
          if (mkdirDurableSync(path.dirname(dst))) { /* parent fsync'd */ }
          linkReplaceSync(src, dst)
          linked.push(dst)
          dirs.add(path.dirname(dst))
          modseq++
          udb.s.insertMessage.run(dest.id, uid, modseq, m.flags, m.keywords, m.size, m.header_size, m.internal_date, m.save_date, m.simple)
          const c = udb.s.cacheRow.get(inbox.id, m.uid) as { message_id: string | null; envelope: string; structure: string }
          udb.s.insertCache.run(dest.id, uid, c.message_id, c.envelope, c.structure)
          const tx = udb.s.textRow.get(inbox.id, m.uid) as { hdr: string; body: string } | undefined
          if (tx) udb.s.insertText.run(dest.id, uid, tx.hdr, tx.body)
          udb.s.deleteText.run(inbox.id, m.uid)
          udb.s.deleteMessage.run(inbox.id, m.uid)
          udb.s.deleteCache.run(inbox.id, m.uid)
          udb.s.insertExpunged.run(inbox.id, m.uid, inModseq, Date.now(), m.size)
          bytes += m.size as number
          uid++
        }
        for (const dir of dirs) fsyncDirSync(dir)
        udb.s.bumpAppend.run(uid, modseq, rows.length, bytes, Date.now(), dest.id)
        if (rows.length) udb.s.bumpExpunge.run(inModseq, rows.length, bytes, rows.length, inbox.id)
        udb.s.recountFlags.run(dest.id)
        udb.s.recountFlags.run(inbox.id)
      })
    } catch (e) {
      for (const f of linked) fs.rmSync(f, { force: true })
      throw e
    }
    this.hub.ring(udb.userid, udb.dir)
    this.emit('Rename', udb.userid, 'INBOX', { newName: to })
  }

  // ---------------------------------------------------------------- the append path
  /**
   * Commit appends of already-durable temp files into one user's index in ONE transaction:
   * quota check, UID/modseq allocation, link into place, directory fsync, index rows. Entries failing
   * quota are reported and skipped. Temp files are not removed here.
   */
  commitAppends(udb: UserDb, entries: AppendEntry[], limits: EffectiveLimits | null,
    opts: { journaled?: boolean; atomic?: boolean; deferred?: DeferredUsage } = {}): AppendCommit[] {
    const linked: string[] = []
    // Journaled delivery: the delivery journal's fdatasync makes this commit durable (journal.ts), so
    // the index commits without its own WAL fsync and the new directory entries are not fsync'd here.
    if (opts.journaled) udb.s.syncNormal.run()
    const now = Date.now()
    const policy = this.policy()
    const maxMessages = this.opt('store.maxmessages', 16_000_000)
    let results: AppendCommit[] = []
    let warnNotice = false
    let afterCommit: UsageAfterCommit | undefined
    try {
      results = udb.write(() => {
        const out: AppendCommit[] = []
        const dirs = new Set<string>()
        // Usage per quota root (folder roots cover their subfolders and do not overlap the user root).
        // Without folder roots (the common case) one SUM row is all the user root needs.
        const folderRoots = !!limits && (Object.keys(limits.diskQuota.folders).length + Object.keys(limits.msgQuota.folders).length > 0)
        const rootUsage = !limits ? null
          : folderRoots ? usageByRoot(limits, udb.allMailboxes().map((r) => ({ folder: r.folder, bytes: r.total_size, messages: r.exists_count })), safeFolder)
            : new Map([['', { ...(udb.s.usage.get() as { bytes: number; messages: number }) }]])
        const qs = (udb.s.quotaState.get() as { over_since: number | null; warn_since: number | null; last_warn: number | null; over_event: number } | undefined)
          ?? { over_since: null, warn_since: null, last_warn: null, over_event: 0 }
        let stateChanged = false
        // The deliveries table is pruned at most hourly per connection (a scan of 14 days of keys).
        if (now - udb.lastPrune > 3600_000 && entries.some((e) => e.deliveryId)) {
          udb.lastPrune = now
          udb.s.pruneDeliveries.run(now - 14 * 86400_000)
        }
        for (const e of entries) {
          if (e.deliveryId) {
            const prev = udb.s.deliveryById.get(e.deliveryId) as { mailbox_id: number; uid: number } | undefined
            const prevMb = prev && udb.mailbox(prev.mailbox_id)
            if (prev && prevMb) { out.push({ ok: true, uid: prev.uid, modseq: prevMb.highestmodseq, mailbox: prevMb, duplicate: true }); continue }
          }
          const mb = udb.mailbox(e.mailboxId)
          if (!mb) throw new MailboxNotFoundError()
          if (mb.exists_count >= maxMessages) { out.push({ ok: false, verdict: null, limit: 'maxmessages' }); continue }
          const root = folderRoots ? governingRoot(limits!, mb.folder, safeFolder) : ''
          const usage = rootUsage ? rootUsage.get(root) ?? { bytes: 0, messages: 0 } : { bytes: 0, messages: 0 }
          if (rootUsage && !rootUsage.has(root)) rootUsage.set(root, usage)
          if (limits && !e.bypassQuota) {
            const v = quotaVerdict({ limits: rootLimits(limits, root), usedBytes: usage.bytes, usedMsgs: usage.messages, size: e.size,
              since: qs.warn_since ?? qs.over_since, now }, policy)
            if (!v.ok) {
              if (qs.over_since === null) { qs.over_since = now; stateChanged = true }
              if (!qs.over_event) { qs.over_event = 1; stateChanged = true; this.overQuotaEvent(udb.userid, 'OverQuota', usage, rootLimits(limits, root)) }
              out.push({ ok: false, verdict: v })
              continue
            }
            if (v.warn && qs.warn_since === null) {
              qs.warn_since = now
              stateChanged = true
              const intervalMs = this.opt('store.quotaexceededmsginterval', 7) * 86400_000
              if (qs.last_warn === null || now - qs.last_warn >= intervalMs) { qs.last_warn = now; warnNotice = true }
              this.logger.warning('Store', `user/${udb.userid}: mailbox usage reached store.quotawarn (${policy.warnPercent}%) of its quota`)
            }
          }
          const uid = e.uid !== undefined && e.uid >= mb.uidnext ? e.uid : mb.uidnext
          const modseq = mb.highestmodseq + 1
          const dst = messagePath(udb.dir, mb.id, uid)
          const dir = path.dirname(dst)
          if (e.data) {
            // Journaled: no directory fsync (the journal checkpoint's syncfs covers new entries; replay
            // recreates a lost file from the journal's bytes), and no temp file or rename.
            linked.push(dst)
            placeJournaledSync(e.tmp, dst, e.data)
          } else {
            mkdirDurableSync(dir)
            if (e.consume) fs.renameSync(e.tmp, dst)
            else linkReplaceSync(e.tmp, dst)
            linked.push(dst)
            dirs.add(dir)
          }
          const simple = 'structure' in e.parsed ? (isSimpleText(e.parsed.structure) ? 1 : 0) : e.parsed.simple
          udb.s.insertMessage.run(mb.id, uid, modseq, e.bits, keywordsToText(e.keywords), e.size, e.parsed.headerSize, e.internalDate, now, simple)
          if (e.deliveryId) udb.s.insertDelivery.run(e.deliveryId, mb.id, uid, now)
          const p = e.parsed
          udb.s.insertCache.run(mb.id, uid, p.messageId, 'envelopeJson' in p ? p.envelopeJson : JSON.stringify(p.envelope),
            'structureJson' in p ? p.structureJson : JSON.stringify(p.structure))
          if (p.text) udb.s.insertText.run(mb.id, uid, p.text.header, p.text.body)
          udb.s.bumpAppend.run(uid + 1, modseq, 1, e.size, now, mb.id)
          if (e.bits & 9) udb.s.adjustFlagCounts.run(e.bits & 1, (e.bits & 8) >> 3, mb.id)
          usage.bytes += e.size
          usage.messages += 1
          out.push({ ok: true, uid, modseq, mailbox: udb.mailbox(mb.id)! })
        }
        if (opts.atomic) {
          const bad = out.findIndex((r) => !r.ok)
          if (bad >= 0) throw new AtomicAppendError(bad, out[bad] as Extract<AppendCommit, { ok: false }>) // rolls back
        }
        if (!opts.journaled) for (const d of dirs) fsyncDirSync(d)
        if (stateChanged) udb.s.setQuotaState.run(qs)
        // Read in this transaction (no extra read transaction and its locks): afterCommits uses them.
        if (opts.deferred) afterCommit = { usage: udb.s.usage.get() as { bytes: number; messages: number }, qs: { ...qs } }
        return out
      })
    } catch (e) {
      for (const f of linked) fs.rmSync(f, { force: true })
      if (opts.journaled) udb.s.syncFull.run()
      if (e instanceof Error && 'code' in e && typeof (e as NodeJS.ErrnoException).errno === 'number') {
        this.logger.error('Store', `Store Error: Unable to append for user/${udb.userid}: ${e.message}`)
        throw new StoreIOError(e.message)
      }
      throw e
    }
    if (opts.journaled) udb.s.syncFull.run()
    if (results.some((r) => r.ok && !r.duplicate)) {
      if (opts.deferred) opts.deferred.set(udb, afterCommit!)
      else {
        this.afterUsageChange(udb)
        this.hub.ring(udb.userid, udb.dir)
      }
    }
    if (warnNotice && limits) this.sendQuotaNotice(udb, limits)
    return results
  }

  /** Deliver the over-quota warning (spec 03 §4) when `store.quotanotification` and a template are set. */
  private sendQuotaNotice(udb: UserDb, limits: EffectiveLimits): void {
    const template = this.optStr('store.quotaexceededmsg')
    if (this.opt('store.quotanotification', 0) === 0 || !template) return
    const u = udb.s.usage.get() as { bytes: number; messages: number }
    const data = renderQuotaNotice(template, { userid: udb.userid, diskUsed: u.bytes, msgUsed: u.messages, diskLimit: limits.disk, msgLimit: limits.msgs })
    this.deliver({ userid: udb.userid, bypassQuota: true }, data).then((o) => {
      if (!o.ok) this.logger.error('Store', `user/${udb.userid}: quota warning not delivered: ${o.text}`)
    }, (e) => this.logger.error('Store', `user/${udb.userid}: quota warning not delivered: ${(e as Error).message}`))
  }

  /** Write a message to a durable temp file on the user's partition. */
  async writeTemp(udb: UserDb, data: Buffer): Promise<string> {
    const dir = this.layout.tmpDir(udb.partition)
    try {
      return await writeTempDurable(dir, data)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') { fs.mkdirSync(dir, { recursive: true }); return writeTempDurable(dir, data) }
      this.logger.error('Store', `Store Error: Unable to write message for user/${udb.userid}: ${(e as Error).message}`)
      throw new StoreIOError((e as Error).message)
    }
  }

  /**
   * Write a message to a temp file WITHOUT fsync: the delivery journal holds its bytes until its
   * checkpoint. Synchronous: a page-cache write is cheaper than three thread-pool round trips.
   */
  writeTempJournaled(udb: UserDb, data: Buffer): string {
    const dir = this.layout.tmpDir(udb.partition)
    const p = path.join(dir, `${process.pid}.${Date.now()}.${++this.tmpSeq}.j.tmp`)
    try {
      try { fs.writeFileSync(p, data, { flag: 'wx', mode: 0o600 }) } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
        fs.mkdirSync(dir, { recursive: true })
        fs.writeFileSync(p, data, { flag: 'wx', mode: 0o600 })
      }
      return p
    } catch (e) {
      this.logger.error('Store', `Store Error: Unable to write message for user/${udb.userid}: ${(e as Error).message}`)
      throw new StoreIOError((e as Error).message)
    }
  }
  private tmpSeq = 0

  /**
   * Limits from the last resolution (or the defaults when never resolved), for synchronous callers
   * (the RFC 9208 quota view). A missing or stale entry is re-resolved in the background, so the
   * directory's `mailQuota` (spec 03 §4) shows up without waiting for a delivery or an APPEND.
   */
  limitsCached(userid: string): EffectiveLimits {
    const c = this.limitCache.get(userid)
    if (this.resolver && (!c || Date.now() - c.at >= LIMIT_CACHE_MS)) this.prefetchLimits(userid)
    return effectiveLimits(c?.src, this.policy())
  }

  /** Resolve `userid`'s limits into the cache without waiting (a failed lookup is retried on next use). */
  prefetchLimits(userid: string): void {
    if (!this.resolver || this.closed || this.prefetching.has(userid)) return
    this.prefetching.add(userid)
    this.limitsFor(userid).catch(() => undefined).finally(() => this.prefetching.delete(userid))
  }
  private readonly prefetching = new Set<string>()

  async limitsFor(userid: string, fresh = false): Promise<EffectiveLimits> {
    let src: QuotaSource | undefined
    if (this.resolver) {
      const c = this.limitCache.get(userid)
      if (c && !fresh && Date.now() - c.at < LIMIT_CACHE_MS) src = c.src
      else {
        src = await this.resolver(userid)
        this.limitCache.set(userid, { at: Date.now(), src })
      }
    }
    return effectiveLimits(src, this.policy())
  }

  async quotaSource(userid: string): Promise<QuotaSource | undefined> {
    return this.resolver ? await this.resolver(userid) : undefined
  }

  /**
   * A delivery batch's `commitAppends(…, { deferred })` users: their usage mirrored into the mboxlist in
   * ONE mboxlist transaction (instead of one write per user), then their change doorbells rung.
   */
  afterCommits(deferred: DeferredUsage): void {
    if (!deferred.size) return
    try {
      this.mboxlist.db.transaction(() => { for (const [udb, after] of deferred) this.afterUsageChange(udb, after) })()
    } catch (e) {
      this.logger.warning('Store', `mboxlist usage update failed: ${(e as Error).message}`)
    }
    for (const udb of deferred.keys()) this.hub.ring(udb.userid, udb.dir, () => udb.doorbellFd())
  }

  /** The user's index, provisioning the user (INBOX + special-use folders) on first use. */
  ensureUserDb(userid: string): UserDb {
    const udb = this.db(userid)
    if (udb?.inboxId) return udb
    this.ensureUser(userid)
    const d = this.db(userid)!
    d.inboxId = d.mailboxByFolder('INBOX')?.id ?? 0
    return d
  }

  /** After usage changed: mirror it into the mboxlist, clear the over-quota clock when back under. */
  afterUsageChange(udb: UserDb, read?: UsageAfterCommit): void {
    const u = read?.usage ?? udb.s.usage.get() as { bytes: number; messages: number }
    try { this.mboxlist.setUsage(udb.userid, u.bytes, u.messages) } catch { /* cache only */ }
    const qs = read ? read.qs : udb.s.quotaState.get() as QuotaStateRow | undefined
    if (!qs || (qs.over_since === null && qs.warn_since === null)) return
    const cached = this.limitCache.get(udb.userid)
    const limits = effectiveLimits(cached?.src, this.policy())
    const policy = this.policy()
    const warnAt = limits.disk >= 0 ? (limits.disk * (policy.overdraft ? 100 : policy.warnPercent)) / 100 : Infinity
    const underMsgs = limits.msgs < 0 || u.messages < limits.msgs
    if (u.bytes < warnAt && underMsgs) {
      // The notice interval (last_warn) survives: no repeat within store.quotaexceededmsginterval.
      udb.write(() => udb.s.setQuotaState.run({ over_since: null, warn_since: null, last_warn: qs.last_warn, over_event: 0 }))
      if (qs.over_event) this.overQuotaEvent(udb.userid, 'UnderQuota', u, limits)
    }
  }

  private overQuotaEvent(userid: string, evt: 'OverQuota' | 'UnderQuota', u: { bytes: number; messages: number }, l: EffectiveLimits): void {
    this.emit(evt, userid, 'INBOX', {
      diskquota: l.disk < 0 ? -1 : Math.floor(l.disk / 1024), diskquotaused: Math.ceil(u.bytes / 1024),
      msgquota: l.msgs, numMsgs: u.messages, quotaRoot: userid,
    }, true)
  }

  // ---------------------------------------------------------------- events
  /** Publish an ENS event (spec 01 §19). Message events only for INBOX unless noneInbox is enabled. */
  emit(evtType: string, owner: string, folder: string, fields: Record<string, string | number | undefined>, always = false): void {
    if (!this.bus) return
    const messageEvent = ['NewMsg', 'UpdateMsg', 'ReadMsg', 'TrashMsg', 'ChangeFlag', 'ExpungeMsg', 'Copy', 'MsgFlags', 'DeleteMsg'].includes(evtType)
    if (messageEvent && !always && folder !== 'INBOX' && this.opt('local.store.notifyplugin.noneInbox.enable', 0) === 0) return
    try {
      this.bus.publish({
        evtType, timestamp: Date.now(), hostname: this.hostname, process: this.processName, pid: process.pid,
        mailboxName: owner, ...(folder !== 'INBOX' ? { mailbox: folder } : {}), ...fields,
      })
    } catch (e) {
      this.logger.warning('Store', `ENS publish failed: ${(e as Error).message}`)
    }
  }

  /**
   * The mailbox's uid list, cached per process: sessions selecting the same mailbox share one scan, and
   * after appends only the new uids are read. The key (uidnext, exists, expunged) changes on every
   * change of the uid set, whichever process made it.
   */
  uidList(udb: UserDb, mailboxId: number): Uint32Array {
    // One read transaction: the key and the scan see the same snapshot (WAL).
    return udb.db.transaction(() => this.uidListTx(udb, mailboxId))()
  }

  private uidListTx(udb: UserDb, mailboxId: number): Uint32Array {
    const row = udb.s.uidKey.get(mailboxId) as { uidnext: number; exists_count: number; expunged_count: number } | undefined
    if (!row) return new Uint32Array(0)
    const k = `${udb.userid}\0${mailboxId}`
    const c = this.uidCache.get(k)
    if (c && c.db === udb) {
      if (c.uidnext === row.uidnext && c.exists === row.exists_count && c.expunged === row.expunged_count) return c.uids
      if (c.expunged === row.expunged_count && row.uidnext > c.uidnext) {
        const more = udb.s.uidsFrom.all(mailboxId, c.uidnext) as number[]
        if (c.uids.length + more.length === row.exists_count) {
          const u = new Uint32Array(c.uids.length + more.length)
          u.set(c.uids)
          u.set(more, c.uids.length)
          this.putUids(k, { db: udb, uidnext: row.uidnext, exists: row.exists_count, expunged: row.expunged_count, uids: u })
          return u
        }
      }
    }
    const u = unpackUids(udb.s.uidsPacked.get(mailboxId) as Buffer | null)
    this.putUids(k, { db: udb, uidnext: row.uidnext, exists: row.exists_count, expunged: row.expunged_count, uids: u })
    return u
  }

  private putUids(k: string, v: UidCacheEntry): void {
    this.uidCache.delete(k)
    this.uidCache.set(k, v)
    if (this.uidCache.size > 256) this.uidCache.delete(this.uidCache.keys().next().value!)
  }

  counters(udb: UserDb, mailboxId: number): Counters | null {
    const r = udb.s.counters.get(mailboxId) as { highestmodseq: number; uidnext: number; exists_count: number } | undefined
    return r ? { highestModseq: r.highestmodseq, uidNext: r.uidnext, messages: r.exists_count } : null
  }

  // ---------------------------------------------------------------- admin listing
  listAll(pattern = '*'): MailboxInfo[] {
    const re = listPatternToRegExp(pattern)
    const out: MailboxInfo[] = []
    for (const u of this.mboxlist.users()) {
      const udb = this.db(u.userid)
      if (!udb) continue
      for (const r of udb.allMailboxes()) {
        const info = mailboxInfo(u.userid, udb.partition, r)
        if (re.test(info.fullName) || (r.folder === 'INBOX' && re.test(`user/${u.userid}/inbox`))) out.push(info)
      }
    }
    return out
  }

  moveUser(userid: string, partition: string): void {
    moveUserToPartition(this, userid, partition)
  }

  restoreExpunged(mailbox: MailboxRef, opts: { uids?: number[]; dest?: string } = {}): number[] {
    return restoreExpunged(this, mailbox.owner, normalizeFolderName(mailbox.folder), opts.uids ?? null,
      opts.dest === undefined ? undefined : normalizeFolderName(opts.dest))
  }

  parse(data: Buffer): ParsedMessage { return parseMessage(data) }

  domainUsage(domain: string): { users: number; bytes: number; messages: number } {
    return this.mboxlist.domainUsage(domain.toLowerCase())
  }

  // ---------------------------------------------------------------- delivery
  async deliver(req: DeliverRequest, message: MessageSource): Promise<DeliverOutcome> {
    return (await deliverBatchImpl(this, [{ req, message }]))[0]
  }

  async deliverMany(reqs: DeliverRequest[], message: MessageSource): Promise<DeliverOutcome[]> {
    return deliverBatchImpl(this, reqs.map((req) => ({ req, message })))
  }

  async deliverBatch(items: Array<{ req: DeliverRequest; message: MessageSource }>): Promise<DeliverOutcome[]> {
    return deliverBatchImpl(this, items)
  }

  async checkQuota(userid: string, size: number, folder?: string): Promise<QuotaVerdict> {
    const udb = this.db(userid)
    const limits = await this.limitsFor(userid)
    if (!udb) return { ok: true, warn: false }
    // The root governing the target folder (spec 03 §4), the user root by default.
    const root = folder ? governingRoot(limits, safeFolder(folder), safeFolder) : ''
    const byRoot = usageByRoot(limits, udb.allMailboxes().map((r) => ({ folder: r.folder, bytes: r.total_size, messages: r.exists_count })), safeFolder)
    const u = byRoot.get(root) ?? { bytes: 0, messages: 0 }
    const qs = udb.s.quotaState.get() as { over_since: number | null; warn_since: number | null } | undefined
    return quotaVerdict({ limits: rootLimits(limits, root), usedBytes: u.bytes, usedMsgs: u.messages, size,
      since: qs?.warn_since ?? qs?.over_since ?? null, now: Date.now() }, this.policy())
  }

  /** True when `n` more messages fit the message-count limit of the root governing `folder`. */
  msgRoomFor(udb: UserDb, limits: EffectiveLimits, folder: string, n: number): boolean {
    const root = governingRoot(limits, folder, safeFolder)
    const l = rootLimits(limits, root)
    if (l.msgs < 0) return true
    const byRoot = usageByRoot(limits, udb.allMailboxes().map((r) => ({ folder: r.folder, bytes: r.total_size, messages: r.exists_count })), safeFolder)
    return (byRoot.get(root)?.messages ?? 0) + n <= l.msgs
  }

  async quotaReport(userid: string): Promise<UserQuotaReport> {
    const udb = this.requireDb(userid)
    const limits = await this.limitsFor(userid)
    const u = udb.s.usage.get() as { bytes: number; messages: number }
    const qs = udb.s.quotaState.get() as { over_since: number | null; warn_since: number | null } | undefined
    return {
      userid, diskLimit: limits.disk, diskUsed: u.bytes, msgLimit: limits.msgs, msgUsed: u.messages,
      overSince: qs?.over_since ?? null, warnSince: qs?.warn_since ?? null,
      folders: udb.allMailboxes().map((r) => ({ folder: r.folder, bytes: r.total_size, messages: r.exists_count })),
    }
  }

  // ---------------------------------------------------------------- maintenance
  async reconstruct(target: string, opts: ReconstructOptions = {}): Promise<ReconstructReport> {
    return reconstructImpl(this, target, opts)
  }

  /** Remove files of messages expunged more than `store.cleanupage` hours ago (spec 03 §7). */
  async cleanup(opts: { mailboxes?: MailboxRef[]; minExpunged?: number } = {}): Promise<number> {
    const cutoff = Date.now() - this.opt('store.cleanupage', 0) * 3600_000
    const only = opts.mailboxes ? new Set(opts.mailboxes.map((m) => `${m.owner}\0${safeFolder(m.folder)}`)) : null
    let removed = 0
    for (const u of this.mboxlist.users()) {
      const udb = this.db(u.userid)
      if (!udb) continue
      let rows = udb.s.purgeable.all(cutoff) as Array<[number, number]>
      if (only || opts.minExpunged) {
        const pending = new Map<number, number>()
        for (const [mb] of udb.db.prepare('SELECT mailbox_id FROM expunged WHERE purged = 0').raw().all() as Array<[number]>) pending.set(mb, (pending.get(mb) ?? 0) + 1)
        rows = rows.filter(([mb]) => {
          const folder = udb.mailbox(mb)?.folder
          if (only && (folder === undefined || !only.has(`${u.userid}\0${folder}`))) return false
          return (pending.get(mb) ?? 0) >= (opts.minExpunged ?? 0)
        })
      }
      if (!rows.length) continue
      for (const [mb, uid] of rows) {
        try { await fsp.unlink(messagePath(udb.dir, mb, uid)); removed++ } catch { /* already gone */ }
      }
      udb.write(() => { for (const [mb, uid] of rows) udb.s.markPurged.run(mb, uid) })
    }
    return removed
  }

  /** Parse + durable temp write for an APPEND (shared by sessions). */
  async prepareAppend(udb: UserDb, data: Buffer): Promise<{ tmp: string; parsed: ParsedMessage }> {
    const parsed = parseMessage(data)
    const tmp = await this.writeTemp(udb, data)
    return { tmp, parsed }
  }

  limitError(detail: string): StoreLimitError { return new StoreLimitError(detail) }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.journalInst?.close()
    this.hub.close()
    for (const d of this.dbs.values()) d.close()
    this.dbs.clear()
    this.mboxlist.close()
  }
}

/**
 * Place a journaled delivery's message file at `dst` (a uid not yet committed): hard-link `linkFrom`
 * (the same bytes already committed for an earlier recipient) when given, else create and write it.
 * A leftover `dst` (an orphan of a crash before its commit; maybe a link to another message) is
 * unlinked first, never truncated. Missing directories are created (no fsync: see the caller).
 */
export function placeJournaledSync(linkFrom: string, dst: string, data: Buffer): void {
  for (let attempt = 0; ; attempt++) {
    try {
      if (linkFrom) fs.linkSync(linkFrom, dst)
      else {
        const fd = fs.openSync(dst, 'wx', 0o600)
        try {
          let off = 0
          while (off < data.length) off += fs.writeSync(fd, data, off)
        } finally { fs.closeSync(fd) }
      }
      return
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (attempt >= 4) throw e
      if (code === 'EEXIST') { fs.unlinkSync(dst); continue }
      if (code === 'ENOENT' && !fs.existsSync(path.dirname(dst))) { fs.mkdirSync(path.dirname(dst), { recursive: true, mode: 0o700 }); continue }
      // The link source went away, or cannot be linked (another filesystem): write the bytes instead.
      if (linkFrom && (code === 'ENOENT' || code === 'EXDEV' || code === 'EPERM' || code === 'EMLINK')) { linkFrom = ''; continue }
      throw e
    }
  }
}

export function openStore(opts: OpenStoreOptions): MailStore & StoreImpl {
  return new StoreImpl(opts)
}
