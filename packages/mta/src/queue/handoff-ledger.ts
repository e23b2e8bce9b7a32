// The dispatcher's side of the hand-off (handoff.ts, D28): which new journal entries go to the job
// controller, and how each one ends — `settled` (delivered, or indexed by the job controller: its
// journal batch may settle, journal.ts) or `orphaned` (the connection went away first: indexed
// here, then settled). Nothing handed off is left without one of the two, except at a crash, which
// the journal's recovery covers (the batch's high-water mark never passed it).
import { HandoffClient, type HandedOffEntry } from './handoff.js'
import type { QueueIndex, NewEntry } from './index-db.js'
import type { CommitJournal } from './journal.js'

/** How long a settlement or an orphan's indexing keeps trying while the index stays locked. */
const RETRY_MS = 1000
const MAX_SETTLE_RETRIES = 60

export class HandoffLedger {
  /** Entries handed off, settled by the job controller, and orphaned (indexed here after the connection went away). */
  readonly stats = { handedOff: 0, settled: 0, orphaned: 0 }
  private readonly client: HandoffClient
  private stopped = false
  private stopping = false

  /**
   * @param commitIndex the group commit's connection (never sleeps on the lock; the journal's marks are written on it)
   * @param index the blocking connection, for indexing what is outstanding when the dispatcher stops
   */
  constructor(socketPath: string, private readonly journal: CommitJournal, private readonly commitIndex: QueueIndex, private readonly index: QueueIndex) {
    this.client = new HandoffClient(socketPath, {
      settled: (entries) => { this.stats.settled += entries.length; this.settle(entries) },
      orphaned: (entries) => { this.stats.orphaned += entries.length; this.indexOrphans(entries) },
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
    this.client.offer(entries)
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

  /** Indexes entries whose end never came (unless the job controller did first), then settles them. */
  private indexOrphans(entries: HandedOffEntry[]): void {
    const now = Date.now()
    const rows: NewEntry[] = entries.map((e) => ({ key: e.key, dir: e.dir, attempts: 0, held: false, env: e.env, seg: e.seg, segOff: e.segOff, nextAt: now }))
    // Stopping: now, on the blocking connection. Their batches stay unsettled, which costs the next
    // start a look at them (it finds their rows) and keeps their segment until then.
    if (this.stopped) {
      try { this.index.insertAbsent(rows) } catch { /* the next start re-indexes them from the journal */ }
      return
    }
    void this.commitIndex.transactionRetrying(() => {
      this.commitIndex.insertAbsent(rows)
      for (const e of entries) this.journal.settled(e.seg, e.at)
    }).catch(() => {
      // (the job controller's rescan finds them once they are in; a restart re-indexes them anyway)
      if (!this.stopped) setTimeout(() => this.indexOrphans(entries), RETRY_MS).unref()
    })
  }
}
