// The queue INDEX (better-sqlite3, WAL): a derived view of the queue files that lets the job
// controller pick due work and an operator list/count/filter/act on 1,000,000 entries quickly.
// The files are the truth: `QueueStore.reconcile()` rebuilds rows from files after a crash.
import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { QueueEnvelope } from './format.js'
import { filterToSql, type QueueFilter } from './filter.js'

export interface EntryRow {
  key: string
  msg_id: string
  channel: string
  dir: string
  attempts: number
  held: number
  created: number
  next_at: number
  last_error: string | null
  sender: string
  size: number
  rcpt_count: number
  active: number
  /** JSON copy of the file's envelope (the file is the truth). */
  env?: string | null
  /** Commit-journal entries (journal.ts): the segment holding the message, and the message's offset in it; null for a queue file. */
  seg?: string | null
  seg_off?: number | null
}

export interface IndexedEntry {
  key: string
  channel: string
  dir: string
  attempts: number
  held: boolean
  envelope: QueueEnvelope
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entry (
  key TEXT PRIMARY KEY,
  msg_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  dir TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  held INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL,
  next_at INTEGER NOT NULL,
  last_error TEXT,
  sender TEXT NOT NULL,
  sender_domain TEXT NOT NULL,
  size INTEGER NOT NULL,
  rcpt_count INTEGER NOT NULL,
  active INTEGER NOT NULL DEFAULT 0,
  env TEXT,
  seg TEXT,
  seg_off INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entry_due ON entry(channel, held, active, next_at);
CREATE INDEX IF NOT EXISTS entry_sender ON entry(sender);
CREATE INDEX IF NOT EXISTS entry_sender_domain ON entry(sender_domain);
CREATE INDEX IF NOT EXISTS entry_created ON entry(created);
CREATE INDEX IF NOT EXISTS entry_msg ON entry(msg_id);
CREATE TABLE IF NOT EXISTS rcpt (
  key TEXT NOT NULL,
  idx INTEGER NOT NULL,
  address TEXT NOT NULL,
  domain TEXT NOT NULL,
  done INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (key, idx)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rcpt_address ON rcpt(address);
CREATE INDEX IF NOT EXISTS rcpt_domain ON rcpt(domain);
CREATE TABLE IF NOT EXISTS journal_segment (
  name TEXT PRIMARY KEY,
  hw INTEGER NOT NULL DEFAULT 0,
  sealed INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS channel_state (channel TEXT PRIMARY KEY, stopped INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS counter (
  channel TEXT NOT NULL, name TEXT NOT NULL,
  messages INTEGER NOT NULL DEFAULT 0, recipients INTEGER NOT NULL DEFAULT 0, blocks INTEGER NOT NULL DEFAULT 0,
  extra INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (channel, name)
) WITHOUT ROWID;
`

const domainOf = (a: string) => { const i = a.lastIndexOf('@'); return i < 0 ? '' : a.slice(i + 1).toLowerCase() }

export interface NewEntry {
  key: string; dir: string; attempts: number; held: boolean; env: QueueEnvelope; nextAt?: number; lastError?: string
  /** Commit-journal location (journal.ts); absent for a queue file. */
  seg?: string | null; segOff?: number | null
}

/** Stateful handle on the index DB (one per process). */
export class QueueIndex {
  readonly db: Database.Database
  private readonly insEntry: Database.Statement
  private readonly insRcpt: Database.Statement
  private readonly delEntry: Database.Statement
  private readonly delRcpt: Database.Statement
  /** Statements of the per-message paths, prepared once (a prepare costs as much as the query). */
  private readonly st: Record<'due' | 'claim' | 'done' | 'mark' | 'release', Database.Statement>

  /**
   * @param opts.busyTimeoutMs how long a statement waits, blocking the process, for another
   *   process's write lock (default 10 s). The dispatcher's group-commit connection uses 0 and
   *   waits without blocking its event loop (transactionRetrying).
   * @param opts.autoCheckpointPages SQLite's `wal_autocheckpoint` for this connection: a commit that
   *   leaves more WAL pages than this copies them into the database file and fsyncs it, on this
   *   process's event loop (default 1000, SQLite's own).
   */
  constructor(path: string, opts: { busyTimeoutMs?: number; autoCheckpointPages?: number } = {}) {
    mkdirSync(dirname(path), { recursive: true })
    this.db = new Database(path)
    this.db.pragma('journal_mode = WAL')
    // Files are the truth and are fsynced; the index survives a process kill without fsync (WAL).
    this.db.pragma('synchronous = NORMAL')
    this.db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 10000}`)
    if (opts.autoCheckpointPages !== undefined) this.db.pragma(`wal_autocheckpoint = ${opts.autoCheckpointPages}`)
    this.db.exec(SCHEMA)
    // A copy of the envelope in the index spares the job controller a file read per message.
    const cols = (this.db.prepare('PRAGMA table_info(entry)').all() as Array<{ name: string }>).map((c) => c.name)
    // (an index from an earlier version; two processes may both try: a duplicate column is fine)
    const addColumn = (sql: string) => { try { this.db.exec(sql) } catch (e) { if (!/duplicate column/i.test(String(e))) throw e } }
    if (!cols.includes('env')) addColumn('ALTER TABLE entry ADD COLUMN env TEXT')
    if (!cols.includes('seg')) { addColumn('ALTER TABLE entry ADD COLUMN seg TEXT'); addColumn('ALTER TABLE entry ADD COLUMN seg_off INTEGER') }
    this.db.exec('CREATE INDEX IF NOT EXISTS entry_seg ON entry(seg) WHERE seg IS NOT NULL')
    this.insEntry = this.db.prepare(`INSERT OR REPLACE INTO entry
      (key, msg_id, channel, dir, attempts, held, created, next_at, last_error, sender, sender_domain, size, rcpt_count, active, env, seg, seg_off)
      VALUES (@key, @msg_id, @channel, @dir, @attempts, @held, @created, @next_at, @last_error, @sender, @sender_domain, @size, @rcpt_count, 0, @env, @seg, @seg_off)`)
    this.insRcpt = this.db.prepare('INSERT OR REPLACE INTO rcpt (key, idx, address, domain, done) VALUES (?, ?, ?, ?, 0)')
    this.delEntry = this.db.prepare('DELETE FROM entry WHERE key = ?')
    this.delRcpt = this.db.prepare('DELETE FROM rcpt WHERE key = ?')
    this.st = {
      due: this.db.prepare(`SELECT * FROM entry WHERE channel = ? AND held = 0 AND active = 0 AND next_at <= ?
        ORDER BY attempts, next_at LIMIT ?`),
      claim: this.db.prepare('UPDATE entry SET active = ? WHERE key = ? AND active = 0'),
      done: this.db.prepare('SELECT key, idx FROM rcpt WHERE key = ? AND done = 1'),
      mark: this.db.prepare('UPDATE rcpt SET done = 1 WHERE key = ? AND idx = ?'),
      release: this.db.prepare('UPDATE entry SET active = 0 WHERE key = ?'),
    }
  }

  /**
   * Runs `fn` in an immediate transaction; while another process holds the write lock it tries
   * again on the next turns of the event loop instead of sleeping in SQLite's busy handler (which
   * sleeps 1, 2, 5, 10… ms and stalls every SMTP session of the process meanwhile). For a
   * connection opened with busyTimeoutMs 0.
   */
  async transactionRetrying(fn: () => void, maxWaitMs = 10_000): Promise<void> {
    const tx = this.db.transaction(fn)
    const t0 = Date.now()
    for (let n = 0; ; n++) {
      try { tx.immediate(); return } catch (e) {
        if ((e as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() - t0 > maxWaitMs) throw e
      }
      await new Promise((r) => (n < 50 ? setImmediate(r) : setTimeout(r, 1)))
    }
  }

  /** Adds (or replaces) entries in one transaction. */
  insert(items: NewEntry[]): void {
    this.db.transaction(() => { for (const it of items) this.insertOne(it) }).immediate()
  }

  private insertOne(it: NewEntry): void {
    const env = it.env
    this.delRcpt.run(it.key)
    this.insEntry.run({
      key: it.key, msg_id: env.id, channel: env.channel, dir: it.dir, attempts: it.attempts, held: it.held ? 1 : 0,
      created: env.created, next_at: it.nextAt ?? env.created, last_error: it.lastError ?? null,
      sender: env.from.toLowerCase(), sender_domain: domainOf(env.from), size: env.size, rcpt_count: env.recipients.length,
      env: JSON.stringify(env), seg: it.seg ?? null, seg_off: it.segOff ?? null,
    })
    env.recipients.forEach((r, i) => this.insRcpt.run(it.key, i, r.to.toLowerCase(), domainOf(r.to)))
  }

  // --- commit-journal segments (journal.ts) ---

  addSegment(name: string): void {
    this.db.prepare('INSERT OR IGNORE INTO journal_segment (name, hw, sealed) VALUES (?, 0, 0)').run(name)
  }

  /** Inside a batch's transaction: every record of the segment below `end` is indexed. */
  raiseHighWater(name: string, end: number): void {
    (this.hwSt ??= this.db.prepare('UPDATE journal_segment SET hw = max(hw, ?) WHERE name = ?')).run(end, name)
  }

  private hwSt?: Database.Statement

  sealSegment(name: string): void {
    this.db.prepare('UPDATE journal_segment SET sealed = 1 WHERE name = ?').run(name)
  }

  dropSegment(name: string): void {
    this.db.prepare('DELETE FROM journal_segment WHERE name = ?').run(name)
  }

  segments(): Array<{ name: string; hw: number; sealed: number }> {
    return this.db.prepare('SELECT name, hw, sealed FROM journal_segment').all() as Array<{ name: string; hw: number; sealed: number }>
  }

  /** Sealed segments (of `names`, or all) that no entry refers to. */
  emptySealedSegments(names?: string[]): string[] {
    // (called after every completed job: statements prepared once)
    const st = this.segSt ??= {
      sealed: this.db.prepare('SELECT sealed FROM journal_segment WHERE name = ?').pluck(),
      allSealed: this.db.prepare('SELECT name FROM journal_segment WHERE sealed = 1').pluck(),
      used: this.db.prepare('SELECT 1 FROM entry WHERE seg = ? LIMIT 1').pluck(),
    }
    const cand = names ? names.filter((n) => st.sealed.get(n) === 1) : st.allSealed.all() as string[]
    return cand.filter((n) => st.used.get(n) === undefined)
  }

  private segSt?: Record<'sealed' | 'allSealed' | 'used', Database.Statement>

  /** Indexes the entries the index lacks (a hand-off's fallback, handoff.ts: whoever indexes first wins, nothing is replaced). */
  insertAbsent(items: NewEntry[]): number {
    this.hasSt ??= this.db.prepare('SELECT 1 FROM entry WHERE key = ?').pluck()
    return this.db.transaction(() => {
      let n = 0
      for (const it of items) if (this.hasSt!.get(it.key) === undefined) { this.insertOne(it); n++ }
      return n
    }).immediate()
  }

  private hasSt?: Database.Statement

  /** Journal recovery: indexes the entries the index lacks, and raises the segment's mark, in one transaction. */
  insertMissing(items: NewEntry[], segment: string, end: number): number {
    const has = this.db.prepare('SELECT 1 FROM entry WHERE key = ?').pluck()
    return this.db.transaction(() => {
      let n = 0
      for (const it of items) if (has.get(it.key) === undefined) { this.insertOne(it); n++ }
      this.raiseHighWater(segment, end)
      return n
    }).immediate()
  }

  /** The entry now lives in its own queue file (QueueStore.ensureFile). */
  detachFromJournal(key: string, dir: string): void {
    this.db.prepare('UPDATE entry SET seg = NULL, seg_off = NULL, dir = ? WHERE key = ?').run(dir, key)
  }

  remove(keys: string[]): void {
    if (!keys.length) return
    this.db.transaction(() => { for (const k of keys) { this.delEntry.run(k); this.delRcpt.run(k) } }).immediate()
  }

  get(key: string): EntryRow | undefined {
    return this.db.prepare('SELECT * FROM entry WHERE key = ?').get(key) as EntryRow | undefined
  }

  /**
   * Claims up to `limit` due entries of a channel for delivery (sets `active`), untried (ZZ) first
   * as the job controller does (spec 01 §11). Returns the claimed rows.
   */
  claimDue(channel: string, limit: number, now = Date.now(), owner = process.pid): EntryRow[] {
    // A scan that finds nothing due (most of them under load: one per enqueue notice) takes no
    // write lock away from the dispatcher's inserts: the cheap read comes first, and only when it
    // finds rows are they read again and claimed in one immediate transaction (so that a row held
    // or rescheduled in between is not claimed with stale data).
    // (index-only probe: the claim query's ORDER BY sorts every due row)
    this.anyDueSt ??= this.db.prepare('SELECT 1 FROM entry WHERE channel = ? AND held = 0 AND active = 0 AND next_at <= ? LIMIT 1').pluck()
    if (this.anyDueSt.get(channel, now) === undefined) return []
    this.claimTx ??= this.db.transaction((ch: string, n: number, lim: number, o: number) => {
      const rows = this.st.due.all(ch, n, lim) as EntryRow[]
      return rows.filter((r) => this.st.claim.run(o, r.key).changes === 1)
    })
    return this.claimTx.immediate(channel, now, limit, owner)
  }

  /** Due entries of a channel not being delivered, counted up to `limit` (an index-only scan). */
  countDue(channel: string, limit: number, now = Date.now()): number {
    this.countDueSt ??= this.db.prepare('SELECT count(*) FROM (SELECT 1 FROM entry WHERE channel = ? AND held = 0 AND active = 0 AND next_at <= ? LIMIT ?)').pluck()
    return this.countDueSt.get(channel, now, limit) as number
  }

  private anyDueSt?: Database.Statement
  private countDueSt?: Database.Statement
  private claimTx?: Database.Transaction<(ch: string, n: number, lim: number, o: number) => EntryRow[]>
  private stoppedSt?: Database.Statement

  /** Claims entries matching a filter for an operator action (skips entries being delivered). */
  claimMatching(filter: QueueFilter, owner: number, limit = 5000, after = ''): EntryRow[] {
    const { where, params } = filterToSql(filter)
    return this.db.transaction(() => {
      const rows = this.db.prepare(`SELECT * FROM entry e WHERE ${where} AND e.active = 0 AND e.key > ? ORDER BY e.key LIMIT ?`).all(...params, after, limit) as EntryRow[]
      const upd = this.db.prepare('UPDATE entry SET active = ? WHERE key = ? AND active = 0')
      return rows.filter((r) => upd.run(owner, r.key).changes === 1)
    }).immediate()
  }

  release(keys: string[]): void {
    if (!keys.length) return
    this.db.transaction(() => { for (const k of keys) this.st.release.run(k) }).immediate()
  }

  /** After a failed attempt: new attempt count, next retry time, last error; releases the claim. */
  /** The envelope copy, if the row has one. */
  envelopeOf(key: string): QueueEnvelope | undefined {
    const r = this.db.prepare('SELECT env FROM entry WHERE key = ?').get(key) as { env: string | null } | undefined
    return r?.env ? (JSON.parse(r.env) as QueueEnvelope) : undefined
  }

  reschedule(key: string, attempts: number, nextAt: number, lastError: string, held = false): void {
    this.db.prepare('UPDATE entry SET attempts = ?, next_at = ?, last_error = ?, held = ?, active = 0 WHERE key = ?')
      .run(attempts, nextAt, lastError, held ? 1 : 0, key)
  }

  setHeld(key: string, held: boolean, nextAt = Date.now()): void {
    this.db.prepare('UPDATE entry SET held = ?, next_at = ?, active = 0 WHERE key = ?').run(held ? 1 : 0, nextAt, key)
  }

  /** Recipient-level done marks: persisted before the file is rewritten or removed. */
  markDone(key: string, idxs: number[]): void {
    this.markDoneMany([{ key, idxs }])
  }

  /** Done marks of many entries (a job's worth) in one transaction. */
  markDoneMany(items: Array<{ key: string; idxs: number[] }>): void {
    if (!items.some((it) => it.idxs.length)) return
    this.db.transaction(() => { for (const it of items) for (const i of it.idxs) this.st.mark.run(it.key, i) }).immediate()
  }

  doneSet(key: string): Set<number> {
    return this.doneSets([key]).get(key) ?? new Set()
  }

  /** Finished recipient indexes of each entry that has any (one read transaction). */
  doneSets(keys: string[]): Map<string, Set<number>> {
    const out = new Map<string, Set<number>>()
    this.db.transaction(() => {
      for (const k of keys) for (const r of this.st.done.all(k) as Array<{ key: string; idx: number }>) {
        let set = out.get(r.key)
        if (!set) out.set(r.key, (set = new Set()))
        set.add(r.idx)
      }
    })()
    return out
  }

  /** Drops stale claims left by a process that died (job controller start). */
  resetActive(owner?: number): void {
    if (owner === undefined) this.db.prepare('UPDATE entry SET active = 0 WHERE active != 0').run()
    else this.db.prepare('UPDATE entry SET active = 0 WHERE active = ?').run(owner)
  }

  count(filter: QueueFilter = {}): number {
    const { where, params } = filterToSql(filter)
    return (this.db.prepare(`SELECT count(*) AS n FROM entry e WHERE ${where}`).get(...params) as { n: number }).n
  }

  /** Cursor-paginated listing (ordered by key; pass the last key seen as `after`). */
  list(filter: QueueFilter = {}, opts: { limit?: number; after?: string } = {}): EntryRow[] {
    const { where, params } = filterToSql(filter)
    const after = opts.after ? ' AND e.key > ?' : ''
    return this.db.prepare(`SELECT * FROM entry e WHERE ${where}${after} ORDER BY e.key LIMIT ?`)
      .all(...params, ...(opts.after ? [opts.after] : []), opts.limit ?? 1000) as EntryRow[]
  }

  recipients(key: string): Array<{ idx: number; address: string; done: number }> {
    return this.db.prepare('SELECT idx, address, done FROM rcpt WHERE key = ? ORDER BY idx').all(key) as Array<{ idx: number; address: string; done: number }>
  }

  /** Per-channel totals: messages, bytes, oldest, held counts (qm summarize). */
  summary(): Array<{ channel: string; held: number; messages: number; bytes: number; oldest: number | null; active: number; delayed: number }> {
    return this.db.prepare(`SELECT channel, held, count(*) AS messages, sum(size) AS bytes, min(created) AS oldest,
        sum(active != 0) AS active, sum(attempts > 0 AND active = 0) AS delayed
      FROM entry GROUP BY channel, held ORDER BY channel`).all() as Array<{ channel: string; held: number; messages: number; bytes: number; oldest: number | null; active: number; delayed: number }>
  }

  allKeys(): Map<string, { channel: string; dir: string; attempts: number; held: number; seg: string | null }> {
    const m = new Map<string, { channel: string; dir: string; attempts: number; held: number; seg: string | null }>()
    for (const r of this.db.prepare('SELECT key, channel, dir, attempts, held, seg FROM entry').iterate() as Iterable<{ key: string; channel: string; dir: string; attempts: number; held: number; seg: string | null }>) {
      m.set(r.key, r)
    }
    return m
  }

  isStopped(channel: string): boolean {
    const r = this.db.prepare('SELECT stopped FROM channel_state WHERE channel = ?').get(channel) as { stopped: number } | undefined
    return Boolean(r?.stopped)
  }

  setStopped(channel: string, stopped: boolean): void {
    this.db.prepare('INSERT INTO channel_state (channel, stopped) VALUES (?, ?) ON CONFLICT(channel) DO UPDATE SET stopped = excluded.stopped')
      .run(channel, stopped ? 1 : 0)
  }

  stoppedChannels(): string[] {
    this.stoppedSt ??= this.db.prepare('SELECT channel FROM channel_state WHERE stopped = 1')
    return (this.stoppedSt.all() as Array<{ channel: string }>).map((r) => r.channel)
  }

  /**
   * Copies committed WAL pages into the database file without waiting for readers or writers
   * (`wal_checkpoint(PASSIVE)`); returns the WAL's size and how much of it is now in the database.
   */
  checkpoint(): { walPages: number; checkpointed: number } {
    const r = this.db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>
    return { walPages: r[0]?.log ?? 0, checkpointed: r[0]?.checkpointed ?? 0 }
  }

  close(): void {
    this.db.close()
  }
}
