// QueueStore: the durable MTA queue — files under `queue/<channel>/[NNN/]` (spec 01 §9) plus the
// derived index. Used by the dispatcher (enqueue), the job controller (claim, complete, requeue)
// and imsimta qm (filters and bulk actions) — possibly from different processes at once.
import { mkdirSync, readdirSync, existsSync, statSync } from 'node:fs'
import { open, rename, unlink, copyFile, mkdir } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { encodeTrailer, readEnvelope, type QueueEnvelope } from './format.js'
import { GroupCommitter, closeItem, type CommitItem } from './group-commit.js'
import { QueueIndex, type EntryRow } from './index-db.js'
import { CommitJournal, encodeRecord, retireEmptySegments, type JournalEntry, type Placement } from './journal.js'
import { journalRef, readMessagePrefix } from './message-ref.js'
import type { HandedOffEntry, RecipientResult } from './handoff.js'
import { HandoffLedger } from './handoff-ledger.js'
import { entryKey, newMessageId, parseQueueName, queueFileName, subdirFor } from './names.js'

export interface QueueStoreOptions {
  dataRoot: string
  /** `channel:<n>.subdirs` (spec 01 §9); default none. */
  subdirs?: (channel: string) => number
  indexPath?: string
  /**
   * This process appends accepted messages to the commit journal (journal.ts, D26): the
   * dispatcher. Messages up to `journalMaxBytes` (default 64 KB: the same bound on a session's
   * memory as the file path's 64 KB write buffer) never get a queue file unless they need one
   * (retry, hold); larger ones stream to a queue file as before.
   */
  journal?: boolean | { segmentBytes?: number; journalMaxBytes?: number }
  /**
   * Checkpoint the index's WAL from this process every so many ms (the job controller's queue).
   * The journal owner's connections then leave checkpoints to it: a checkpoint copies pages and
   * fsyncs the database file, which on the dispatcher's event loop held up every session's 250.
   */
  checkpointEveryMs?: number
}

/**
 * `wal_autocheckpoint` of the journal owner's connections: far above what a running job controller
 * lets the WAL reach (it checkpoints every second), so only a dispatcher left alone for a long time
 * checkpoints, and the WAL stays bounded (64 MB) even then.
 */
const OWNER_AUTOCHECKPOINT_PAGES = 16384

/** Messages up to this size are held in memory while they arrive and go to the commit journal. */
const JOURNAL_MAX_BYTES = 64 * 1024

/**
 * A message being received. With the commit journal, its bytes stay in memory and go to the
 * journal at commit; beyond `journalMaxBytes` (or without a journal) they stream to a temporary
 * file, buffered 64 KB at a time. Without a journal the file is opened (asynchronously, while the
 * body arrives) at `begin`. (Synchronous create/unlink on the event loop were tried and measured
 * worse: they block on the ext4 journal while other writers fsync.)
 */
export interface IncomingMessage {
  id: string
  tmpPath: string
  /** The temporary file, once there is one. */
  fh?: FileHandle
  /** Body bytes written to the file so far. */
  size: number
  /** Bytes received but not yet written (write(); up to 64 KB, or the whole message for the journal). */
  pend?: Buffer[]
  pendLen?: number
}

/** The message's unwritten bytes as one Buffer (undefined when none); the buffer is emptied. */
function takePending(msg: IncomingMessage): Buffer | undefined {
  const p = msg.pend
  if (!p?.length) return undefined
  msg.pend = []
  msg.pendLen = 0
  return p.length === 1 ? p[0] : Buffer.concat(p)
}

export class QueueStore {
  readonly root: string
  readonly index: QueueIndex
  private readonly incomingDir: string
  private readonly committer: GroupCommitter
  private readonly madeDirs = new Set<string>()
  private readonly subdirs: (channel: string) => number
  private readonly openedAt = Date.now()
  /** The journal this process appends to (the dispatcher's); other processes only read and retire. */
  private readonly journal?: CommitJournal
  private readonly journalMax: number
  readonly journalDir: string
  /** The journal owner's second index connection, for the group commit's transactions only (never blocks the event loop on the lock). */
  private readonly commitIndex?: QueueIndex
  private checkpointTimer?: NodeJS.Timeout
  /** The dispatcher's hand-off to the job controller (handoff-ledger.ts), once attached. */
  private handoff?: HandoffLedger

  constructor(opts: QueueStoreOptions) {
    this.root = join(opts.dataRoot, 'queue')
    this.incomingDir = join(this.root, '.incoming')
    mkdirSync(this.incomingDir, { recursive: true })
    const indexPath = opts.indexPath ?? join(opts.dataRoot, 'db', 'queue-index.sqlite')
    this.index = new QueueIndex(indexPath, opts.journal ? { autoCheckpointPages: OWNER_AUTOCHECKPOINT_PAGES } : {})
    this.subdirs = opts.subdirs ?? (() => 0)
    this.journalDir = join(this.root, '.journal')
    const jo = typeof opts.journal === 'object' ? opts.journal : {}
    this.journalMax = jo.journalMaxBytes ?? JOURNAL_MAX_BYTES
    if (opts.journal) {
      mkdirSync(this.journalDir, { recursive: true })
      this.commitIndex = new QueueIndex(indexPath, { busyTimeoutMs: 0, autoCheckpointPages: OWNER_AUTOCHECKPOINT_PAGES })
      this.journal = new CommitJournal(this.root, this.index, this.commitIndex, jo.segmentBytes)
    }
    // A batch's index inserts share one transaction (one WAL commit for N messages).
    const commitIndex = this.commitIndex
    if (opts.checkpointEveryMs) {
      this.checkpointTimer = setInterval(() => { try { this.index.checkpoint() } catch { /* busy or closing: next time */ } }, opts.checkpointEveryMs)
      this.checkpointTimer.unref()
    }
    this.committer = new GroupCommitter(commitIndex ? (fn) => commitIndex.transactionRetrying(fn) : (fn) => this.index.db.transaction(fn).immediate(), 2, this.journal)
  }

  get commitStats() { return this.committer.stats }

  /** Opens a temporary file for a message body (dispatcher DATA, sendmail, DSN generation). */
  async begin(): Promise<IncomingMessage> {
    const id = newMessageId()
    const tmpPath = join(this.incomingDir, id)
    if (this.journal) return { id, tmpPath, size: 0 }
    const fh = await open(tmpPath, 'w', 0o600)
    return { id, tmpPath, fh, size: 0 }
  }

  /** Buffered write: small messages reach the disk in one write (fewer syscalls per message). */
  async write(msg: IncomingMessage, chunk: Buffer): Promise<void> {
    msg.pend ??= []
    msg.pend.push(chunk)
    msg.pendLen = (msg.pendLen ?? 0) + chunk.length
    if (!msg.fh && msg.pendLen > this.journalMax) msg.fh = await open(msg.tmpPath, 'w', 0o600) // too big for the journal
    if (msg.fh && msg.pendLen >= 65536) await this.flushPending(msg)
  }

  private async flushPending(msg: IncomingMessage): Promise<void> {
    const buf = takePending(msg)
    if (buf) await this.writeRaw(msg, buf)
  }

  private async writeRaw(msg: IncomingMessage, chunk: Buffer): Promise<void> {
    let off = 0
    while (off < chunk.length) {
      const { bytesWritten } = await msg.fh!.write(chunk, off, chunk.length - off, msg.size)
      off += bytesWritten
      msg.size += bytesWritten
    }
  }

  async abort(msg: IncomingMessage): Promise<void> {
    if (!msg.fh) return
    await msg.fh.close().catch(() => {})
    await unlink(msg.tmpPath).catch(() => {})
  }

  private dirFor(channel: string, key: string): { dir: string; sub: string } {
    const sub = subdirFor(key, this.subdirs(channel))
    const dir = sub ? join(this.root, channel, sub) : join(this.root, channel)
    if (!this.madeDirs.has(dir)) { mkdirSync(dir, { recursive: true }); this.madeDirs.add(dir) }
    return { dir, sub }
  }

  /**
   * Makes the message durable (fsync) as one queue entry per destination channel (split); resolves
   * with their keys when the message may be acknowledged. `opts.indexed` runs once the entries are in the index (the job
   * controller can see them): for a journaled message that is just after the promise resolves
   * (group-commit.ts), for a queue file just before. `opts.wantResult`: entries handed off to the job
   * controller ask for their recipients' results (an LMTP listener's message: `handoffResult`).
   */
  async commit(msg: IncomingMessage, splits: Array<Omit<QueueEnvelope, 'id' | 'size'>>, opts: { held?: boolean; indexed?: (keys: string[]) => void; wantResult?: boolean } = {}): Promise<string[]> {
    const held = Boolean(opts.held)
    // Small messages of the journal's owner: one record in the commit journal (held ones get a file: the tools act on it).
    if (this.journal && !msg.fh && !held) return this.commitToJournal(msg, splits, opts.indexed, opts.wantResult)
    if (!msg.fh) msg.fh = await open(msg.tmpPath, 'w', 0o600)
    const fh0 = msg.fh
    const items: CommitItem[] = []
    const rows: Array<{ key: string; dir: string; attempts: number; held: boolean; env: QueueEnvelope }> = []
    const pendingBody = takePending(msg)
    if (pendingBody) msg.size += pendingBody.length
    const bodyStart = msg.size - (pendingBody?.length ?? 0)
    try {
      for (let i = splits.length - 1; i >= 0; i--) {
        const env: QueueEnvelope = { ...splits[i], id: msg.id, size: msg.size }
        const key = entryKey(msg.id, i + 1)
        const { dir, sub } = this.dirFor(env.channel, key)
        const trailer = encodeTrailer(env)
        const tmpPath = i === 0 ? msg.tmpPath : `${msg.tmpPath}.${i + 1}`
        const finalPath = join(dir, queueFileName(key, 0, held))
        if (i === 0) {
          // the rest of the body and the trailer in one write
          const out = pendingBody ? Buffer.concat([pendingBody, trailer]) : trailer
          await fh0.write(out, 0, out.length, bodyStart)
          items.push({ fh: fh0, tmpPath, finalPath, finalDir: dir })
        } else {
          if (pendingBody) { await this.writeRaw({ ...msg, size: bodyStart }, pendingBody) }
          await copyFile(msg.tmpPath, tmpPath)
          const fh = await open(tmpPath, 'r+')
          items.push({ fh, tmpPath, finalPath, finalDir: dir })
          await fh.write(trailer, 0, trailer.length, msg.size)
        }
        rows.push({ key, dir: sub, attempts: 0, held, env })
      }
    } catch (e) {
      for (const it of items) {
        if (it.fh === msg.fh) continue
        closeItem(it)
        await unlink(it.tmpPath).catch(() => {})
      }
      await this.abort(msg)
      throw e
    }
    const keys = rows.map((r) => r.key).reverse()
    await this.committer.commit(items, () => (this.commitIndex ?? this.index).insert(rows), undefined, opts.indexed && (() => opts.indexed!(keys)))
    return keys
  }

  private async commitToJournal(msg: IncomingMessage, splits: Array<Omit<QueueEnvelope, 'id' | 'size'>>, indexed?: (keys: string[]) => void, wantResult?: boolean): Promise<string[]> {
    const body = takePending(msg) ?? Buffer.alloc(0)
    msg.size = body.length
    const entries: JournalEntry[] = splits.map((sp, i) => {
      const key = entryKey(msg.id, i + 1)
      return { key, dir: this.dirFor(sp.channel, key).sub, env: { ...sp, id: msg.id, size: msg.size } }
    })
    const keys = entries.map((e) => e.key)
    const record = encodeRecord(entries, body)
    // Inside the batch's index transaction (run again if it fails): entries of a channel the job
    // controller takes are handed off once it committed, the others indexed now.
    let handedOff: HandedOffEntry[] = []
    let inIndex: string[] = []
    let via: HandoffLedger | undefined
    const after = (placed?: Placement) => {
      via = this.handoff
      const loc = { seg: placed!.segment, segOff: placed!.recordOffset + record.bodyOffset }
      const rows = entries.map((e) => ({ key: e.key, dir: e.dir, attempts: 0, held: false, env: e.env, ...loc }))
      handedOff = []
      inIndex = []
      const indexNow: typeof rows = []
      for (const r of rows) {
        if (via?.takes(r.env.channel)) handedOff.push({ key: r.key, dir: r.dir, env: r.env, ...loc, at: placed!.batchAt, ...(wantResult ? { wantResult } : {}) })
        else { indexNow.push(r); inIndex.push(r.key) }
      }
      if (indexNow.length) this.commitIndex!.insert(indexNow)
      return handedOff.length
    }
    await this.committer.commit([], after, record, () => {
      via?.offer(handedOff) // (indexed at once if the hand-off stopped meanwhile)
      indexed?.(inIndex)
    })
    return keys
  }

  /**
   * The dispatcher hands journaled entries of the channels the job controller takes to it over
   * `socketPath` instead of indexing them (handoff.ts, D28). Journal owner only.
   */
  attachHandoff(socketPath: string): void {
    if (!this.journal || this.handoff) return
    this.handoff = new HandoffLedger(socketPath, this.journal, this.commitIndex!, this.index)
  }

  /** Stops handing off; what is outstanding gets its index rows now. */
  detachHandoff(): void {
    this.handoff?.stop()
    this.handoff = undefined
  }

  /**
   * The recipients' results of an entry committed with `wantResult` and handed off (handoff-ledger.ts):
   * undefined when it was not handed off, or resolves undefined when it was queued instead. Taken once.
   */
  handoffResult(key: string): Promise<RecipientResult[] | undefined> | undefined { return this.handoff?.resultOf(key) }

  /** Whether a new entry of `channel` would be handed off now (connected, and the job controller takes the channel). */
  handsOff(channel: string): boolean { return this.handoff?.takes(channel) ?? false }

  /** The hand-off's counts (zeros when none is attached). */
  get handoffStats(): HandoffLedger['stats'] { return this.handoff?.stats ?? { handedOff: 0, settled: 0, orphaned: 0 } }

  /** Entries in the queue: indexed, answered and about to be indexed, or handed off and not yet settled (tests and tools wait for 0). */
  pendingCount(): number { return this.index.count() + this.committer.unindexed + (this.handoff?.pending ?? 0) }

  /** Enqueues a whole message held in memory (notifications, sendmail). */
  async enqueueBuffer(body: Buffer, splits: Array<Omit<QueueEnvelope, 'id' | 'size'>>): Promise<string[]> {
    const msg = await this.begin()
    try { await this.write(msg, body) } catch (e) { await this.abort(msg); throw e }
    // (returns once the entries are indexed: callers then wake the job controller)
    let indexed!: () => void
    const inIndex = new Promise<void>((r) => (indexed = () => r()))
    const keys = await this.commit(msg, splits, { indexed })
    await inIndex
    return keys
  }

  /**
   * Where the entry's message is read from (message-ref.ts): its queue file, or its place in a
   * commit-journal segment.
   */
  pathOf(row: Pick<EntryRow, 'key' | 'channel' | 'dir' | 'attempts' | 'held' | 'seg' | 'seg_off'>): string {
    if (row.seg) return journalRef(join(this.journalDir, row.seg), row.seg_off ?? 0)
    return this.filePathOf(row)
  }

  /** The entry's queue file name (`queue/<channel>/[NNN/]ZZ<key>`), which a journal entry gets when it needs a file. */
  filePathOf(row: Pick<EntryRow, 'key' | 'channel' | 'dir' | 'attempts' | 'held'>): string {
    const base = row.dir ? join(this.root, row.channel, row.dir) : join(this.root, row.channel)
    return join(base, queueFileName(row.key, row.attempts, Boolean(row.held)))
  }

  /**
   * Gives a journal entry its own queue file (body + envelope trailer, synced, renamed into place),
   * then points its row at it. Everything but a first-attempt completion goes through here: the
   * manual's tools act on queue files. A crash after the rename leaves both; reconcile prefers the file.
   */
  async ensureFile(row: EntryRow): Promise<EntryRow> {
    if (!row.seg) return row
    const env = await this.envelope(row)
    const { sub } = this.dirFor(row.channel, row.key)
    const target: EntryRow = { ...row, dir: sub, seg: null, seg_off: null }
    const path = this.filePathOf(target)
    const body = await readMessagePrefix(this.pathOf(row), env.size)
    if (body.length !== env.size) throw new Error(`journal entry ${row.key} truncated`)
    const tmp = `${path}.tmp`
    const fh = await open(tmp, 'w', 0o600)
    try {
      const out = Buffer.concat([body, encodeTrailer(env)])
      await fh.write(out, 0, out.length, 0)
      await fh.datasync()
    } finally { await fh.close() }
    await rename(tmp, path)
    await this.syncDir(path)
    this.index.detachFromJournal(row.key, sub)
    await this.retireSegments([row.seg])
    return target
  }

  /** Deletes sealed journal segments nothing refers to any more. */
  private async retireSegments(names: string[]): Promise<void> {
    await retireEmptySegments(this.index, this.journalDir, names).catch(() => {}) // retried at the next completion or start
  }

  /** The entry's envelope: the index copy when the claim returned it, else the file's trailer. */
  async envelope(row: EntryRow): Promise<QueueEnvelope> {
    if (row.env) return JSON.parse(row.env) as QueueEnvelope
    return readEnvelope(this.pathOf(row))
  }

  /** Every recipient delivered or bounced: remove the file, then the index row. */
  async complete(row: EntryRow): Promise<void> {
    if (!row.seg) await unlink(this.pathOf(row)).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'ENOENT') throw e })
    this.index.remove([row.key])
    if (row.seg) await this.retireSegments([row.seg])
  }

  /** `complete` for many entries: the files unlinked in parallel, the index rows in one transaction. */
  async completeMany(rows: EntryRow[]): Promise<void> {
    if (!rows.length) return
    // (async on purpose: a synchronous unlink blocks on the ext4 journal while other processes
    // fsync — measured 24% of the job controller's event loop)
    await Promise.all(rows.filter((row) => !row.seg).map((row) => unlink(this.pathOf(row)).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'ENOENT') throw e })))
    this.index.remove(rows.map((r) => r.key))
    const segs = [...new Set(rows.map((r) => r.seg).filter((x): x is string => Boolean(x)))]
    if (segs.length) await this.retireSegments(segs)
  }

  /**
   * A failed attempt: the file gets the next attempt prefix (ZZ → ZY → ZX…). When some recipients
   * are finished, the file is rewritten with only the rest (done-marks were persisted first).
   */
  async requeue(row: EntryRow, env: QueueEnvelope, remaining: number[] | null, nextAt: number, error: string, hold = false, envChanged = false): Promise<EntryRow> {
    row = await this.ensureFile(row)
    const from = this.pathOf(row)
    const next: EntryRow = { ...row, attempts: row.attempts + 1, held: hold ? 1 : 0 }
    const to = this.pathOf(next)
    if ((remaining && remaining.length < env.recipients.length) || envChanged) {
      const newEnv: QueueEnvelope = remaining ? { ...env, recipients: remaining.map((i) => env.recipients[i]) } : env
      const tmp = `${to}.tmp`
      await copyFile(from, tmp)
      const fh = await open(tmp, 'r+')
      try {
        await fh.truncate(env.size)
        const t = encodeTrailer(newEnv)
        await fh.write(t, 0, t.length, env.size)
        await fh.datasync()
      } finally { await fh.close() }
      await rename(tmp, to)
      await unlink(from).catch(() => {})
      await this.syncDir(to)
      this.index.insert([{ key: row.key, dir: row.dir, attempts: next.attempts, held: hold, env: newEnv, nextAt, lastError: error }])
      this.index.release([row.key])
    } else {
      await rename(from, to)
      this.index.reschedule(row.key, next.attempts, nextAt, error, hold)
    }
    return next
  }

  /** Rewrites the envelope in place (same attempt), e.g. after a delay notice was sent. */
  async rewriteEnvelope(row: EntryRow, env: QueueEnvelope): Promise<void> {
    row = await this.ensureFile(row)
    const path = this.pathOf(row)
    const tmp = `${path}.tmp`
    await copyFile(path, tmp)
    const fh = await open(tmp, 'r+')
    try {
      await fh.truncate(env.size)
      const t = encodeTrailer(env)
      await fh.write(t, 0, t.length, env.size)
      await fh.datasync()
    } finally { await fh.close() }
    await rename(tmp, path)
  }

  /** Sidelines an entry as `.HELD` (loops, `qm hold`); the job controller ignores it. */
  async hold(row: EntryRow, reason?: string): Promise<void> {
    if (row.held) return
    row = await this.ensureFile(row)
    await rename(this.pathOf(row), this.pathOf({ ...row, held: 1 }))
    this.index.setHeld(row.key, true)
    if (reason) this.index.db.prepare('UPDATE entry SET last_error = ? WHERE key = ?').run(reason, row.key)
  }

  async release(row: EntryRow): Promise<void> {
    if (!row.held) return
    row = await this.ensureFile(row)
    await rename(this.pathOf(row), this.pathOf({ ...row, held: 0 }))
    this.index.setHeld(row.key, false)
  }

  private async syncDir(path: string): Promise<void> {
    const dir = path.slice(0, path.lastIndexOf('/'))
    const h = await open(dir, 'r')
    try { await h.sync() } finally { await h.close() }
  }

  /** Channels that have a queue directory. */
  channels(): string[] {
    if (!existsSync(this.root)) return []
    return readdirSync(this.root, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name)
  }

  /**
   * Makes the index agree with the files (the truth): adds files the index lacks (a crash between
   * rename and index insert), drops rows whose file is gone, fixes attempt/held state, resolves a
   * duplicate key (crash in the middle of a rewrite) in favour of the most-attempted file.
   */
  async reconcile(opts: { cleanIncoming?: boolean } = {}): Promise<{ added: number; removed: number; fixed: number }> {
    const known = this.index.allKeys()
    const seen = new Map<string, { channel: string; dir: string; attempts: number; held: boolean; name: string }>()
    let added = 0, removed = 0, fixed = 0
    const dupes: string[] = []
    for (const channel of this.channels()) {
      const top = join(this.root, channel)
      const dirs: Array<{ path: string; sub: string }> = [{ path: top, sub: '' }]
      for (const d of readdirSync(top, { withFileTypes: true })) if (d.isDirectory() && /^\d{3}$/.test(d.name)) dirs.push({ path: join(top, d.name), sub: d.name })
      for (const { path, sub } of dirs) {
        for (const name of readdirSync(path)) {
          if (name.endsWith('.tmp')) { await unlink(join(path, name)).catch(() => {}); continue }
          const p = parseQueueName(name)
          if (!p) continue
          const prev = seen.get(p.key)
          if (prev) {
            const loser = prev.attempts >= p.attempts ? join(path, name) : join(this.root, prev.channel, prev.dir, prev.name)
            dupes.push(loser)
            if (prev.attempts >= p.attempts) continue
          }
          seen.set(p.key, { channel, dir: sub, attempts: p.attempts, held: p.held, name })
        }
      }
    }
    for (const f of dupes) await unlink(f).catch(() => {})
    const toInsert: Parameters<QueueIndex['insert']>[0] = []
    for (const [key, f] of seen) {
      const row = known.get(key)
      // (a journal entry that also has a file — a crash inside ensureFile — is the file's from now on)
      if (row && row.channel === f.channel && row.dir === f.dir && row.attempts === f.attempts && Boolean(row.held) === f.held && !row.seg) continue
      const full = join(this.root, f.channel, f.dir, f.name)
      try {
        const env = await readEnvelope(full)
        toInsert.push({ key, dir: f.dir, attempts: f.attempts, held: f.held, env, nextAt: Date.now() })
        if (row) fixed++; else added++
      } catch {
        // A foreign or truncated file is not ours to deliver: sideline it for the operator.
        if (!f.held) await rename(full, `${full}.HELD`).catch(() => {})
      }
    }
    if (toInsert.length) this.index.insert(toInsert)
    const gone = [...known].filter(([k, r]) => !seen.has(k) && !r.seg).map(([k]) => k)
    removed = gone.length
    if (gone.length) this.index.remove(gone)
    // The journal's owner re-indexes what a crash left unindexed, and seals its old segments.
    if (this.journal) added += await this.journal.recover()
    // Temporary files of interrupted receptions were never acknowledged (dispatcher start only).
    if (opts.cleanIncoming) for (const name of readdirSync(this.incomingDir)) {
      const full = join(this.incomingDir, name)
      try { if (statSync(full).mtimeMs < this.openedAt) await unlink(full) } catch { /* gone */ }
    }
    return { added, removed, fixed }
  }

  close(): void {
    this.detachHandoff()
    clearInterval(this.checkpointTimer)
    void this.journal?.close()
    void this.committer.close()
    this.commitIndex?.close()
    this.index.close()
  }

  static async ensureDir(path: string): Promise<void> { await mkdir(path, { recursive: true }) }
}
