// The dispatcher's side of the hand-off (handoff.ts, D28): which new journal entries go to the job
// controller, and how each one ends — `settled` (delivered, or indexed by the job controller: its
// journal batch may settle, journal.ts) or `orphaned` (the connection went away first: indexed
// here, then settled). Nothing handed off is left without one of the two, except at a crash, which
// the journal's recovery covers (the batch's high-water mark never passed it).
//
// An entry handed off with `wantResult` (an LMTP listener's message) also has a waiter: its session
// waits (`resultOf`) for the job controller's `result` — the recipients' delivery results — up to
// `resultTimeoutMs`. It gets `undefined` instead (and answers "queued" as for any other entry) when
// the entry was settled without results (indexed: a stopped channel, a full hand-off, a failed job),
// orphaned, or the time ran out. A result that comes after the time ran out was not given to the
// client: its refused recipients are indexed here (the delivered ones marked done), and retried
// from the queue as any other entry's.
import { HandoffClient, type HandedOffEntry, type RecipientResult } from './handoff.js'
import type { QueueIndex, NewEntry } from './index-db.js'
import type { CommitJournal } from './journal.js'

/** How long a settlement or an orphan's indexing keeps trying while the index stays locked. */
const RETRY_MS = 1000
const MAX_SETTLE_RETRIES = 60

interface Waiter { resolve(r: RecipientResult[] | undefined): void; timer: NodeJS.Timeout }

export class HandoffLedger {
  /** Entries handed off, settled by the job controller, and orphaned (indexed here after the connection went away). */
  readonly stats = { handedOff: 0, settled: 0, orphaned: 0 }
  /** How long an LMTP session waits for a `wantResult` entry's results before it answers "queued". */
  resultTimeoutMs = 30_000
  private readonly client: HandoffClient
  /** `wantResult` entries whose results a session still waits for, and the promises it has not taken yet. */
  private readonly waiters = new Map<string, Waiter>()
  private readonly results = new Map<string, Promise<RecipientResult[] | undefined>>()
  private stopped = false
  private stopping = false

  /**
   * @param commitIndex the group commit's connection (never sleeps on the lock; the journal's marks are written on it)
   * @param index the blocking connection, for indexing what is outstanding when the dispatcher stops
   */
  constructor(socketPath: string, private readonly journal: CommitJournal, private readonly commitIndex: QueueIndex, private readonly index: QueueIndex) {
    this.client = new HandoffClient(socketPath, {
      settled: (entries) => { this.stats.settled += entries.length; this.answer(entries, undefined); this.settle(entries) },
      orphaned: (entries) => { this.stats.orphaned += entries.length; this.answer(entries, undefined); this.indexOrphans(entries) },
      result: (entry, results) => {
        this.stats.settled++
        if (this.answer([entry], results)) { this.settle([entry]); return }
        // (the session answered "queued" already: what was not delivered is queued now)
        const delivered = results.filter((r) => r.status === 'ok').map((r) => r.idx)
        if (delivered.length >= entry.env.recipients.length) this.settle([entry])
        else this.indexOrphans([entry], new Map([[entry.key, delivered]]))
      },
    })
    this.client.start()
  }

  /** Whether a new entry of `channel` goes to the job controller now. */
  takes(channel: string): boolean { return !this.stopped && this.client.takes(channel) }

  /** Handed off and not yet settled. */
  get pending(): number { return this.client.pending }

  /** Hands over entries chosen while `takes` said so (after their batch's transaction); once stopped, indexes them. */
  offer(entries: HandedOffEntry[]): void {
    if (!entries.length) return
    this.stats.handedOff += entries.length
    if (this.stopped) { this.stats.orphaned += entries.length; this.indexOrphans(entries); return }
    for (const e of entries) if (e.wantResult) this.wait(e.key)
    this.client.offer(entries)
  }

  /**
   * The results of an entry offered with `wantResult`: per recipient, or `undefined` when it was
   * queued instead (see above). Undefined for an entry that was not handed off so. Taken once.
   */
  resultOf(key: string): Promise<RecipientResult[] | undefined> | undefined {
    const p = this.results.get(key)
    this.results.delete(key)
    return p
  }

  private wait(key: string): void {
    let resolve!: Waiter['resolve']
    this.results.set(key, new Promise((r) => (resolve = r)))
    const timer = setTimeout(() => { this.waiters.delete(key); this.results.delete(key); resolve(undefined) }, this.resultTimeoutMs)
    timer.unref()
    this.waiters.set(key, { resolve, timer })
  }

  /** Gives waiting sessions their entries' results; false when nobody waited for the (single) entry. */
  private answer(entries: HandedOffEntry[], results: RecipientResult[] | undefined): boolean {
    let waited = false
    for (const e of entries) {
      const w = this.waiters.get(e.key)
      if (!w) continue
      this.waiters.delete(e.key)
      // (its timer stays: it drops the promise if no session takes it)
      w.resolve(results)
      waited = true
    }
    return waited
  }

  /** Stops handing off; what is outstanding is indexed now, on the blocking connection. */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    this.stopping = true
    try { this.client.close() } finally { this.stopping = false }
  }

  private settle(entries: HandedOffEntry[], attempt = 0): void {
    void this.commitIndex.transactionRetrying(() => { for (const e of entries) this.journal.settled(e.seg, e.at) })
      .catch(() => {
        // (the lock stayed busy for 10 s: try again; until then only a crash would re-index these)
        if (attempt < MAX_SETTLE_RETRIES && !this.stopped) setTimeout(() => this.settle(entries, attempt + 1), RETRY_MS).unref()
      })
  }

  /**
   * Indexes entries whose end never came (unless the job controller did first), then settles them.
   * `done`: recipients already delivered, per key (marked done in the same transaction).
   */
  private indexOrphans(entries: HandedOffEntry[], done?: Map<string, number[]>): void {
    const now = Date.now()
    const marks = done ? [...done].map(([key, idxs]) => ({ key, idxs })) : []
    const rows: NewEntry[] = entries.map((e) => ({ key: e.key, dir: e.dir, attempts: 0, held: false, env: e.env, seg: e.seg, segOff: e.segOff, nextAt: now }))
    // Stopping: now, on the blocking connection. Their batches stay unsettled, which costs the next
    // start a look at them (it finds their rows) and keeps their segment until then.
    if (this.stopped) {
      try { if (this.index.insertAbsent(rows) && marks.length) this.index.markDoneMany(marks) } catch { /* the next start re-indexes them from the journal */ }
      return
    }
    void this.commitIndex.transactionRetrying(() => {
      if (this.commitIndex.insertAbsent(rows) && marks.length) this.commitIndex.markDoneMany(marks)
      for (const e of entries) this.journal.settled(e.seg, e.at)
    }).catch(() => {
      // (the job controller's rescan finds them once they are in; a restart re-indexes them anyway)
      if (!this.stopped) setTimeout(() => this.indexOrphans(entries, done), RETRY_MS).unref()
    })
  }
}
