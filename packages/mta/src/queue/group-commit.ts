// Group commit: many sessions' queue files are made durable together — one round of parallel
// fsyncs (ext4 merges them into few journal commits), renames into place, one fsync per touched
// directory, one index transaction — before any of those sessions answers `250`. Two batches may
// be in flight, so a message that arrives just after a batch started waits for the next one to
// start, not for the whole previous batch to finish.
//
// A message that went to the commit journal only (journal.ts) is answered as soon as its record is
// fdatasynced: the journal is the durable copy, and a crash before the index transaction is
// recovered from it. Its rows are indexed right after, and `onIndexed` tells the caller (who then
// wakes the job controller). The SQLite write lock, which the job controller also takes, is then
// never on the way to a journaled session's `250`. If the index transaction fails, it is retried
// (the segment stays in flight meanwhile, so nothing of it is retired).
import { renameSync } from 'node:fs'
import { open, unlink } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import type { CommitJournal, JournalRecord, Placement } from './journal.js'

/** A written queue file to make durable. */
export interface CommitItem {
  fh: FileHandle
  tmpPath: string
  finalPath: string
  finalDir: string
}

/** Closes an item's file (after its sync, off the 250 path; errors are of no interest then). */
export function closeItem(it: CommitItem): void {
  void it.fh.close().catch(() => {})
}

/** Renames every item of one session into place; a failure undoes nothing (the caller unlinks). */
function renameAll(items: CommitItem[]): void {
  for (const it of items) renameSync(it.tmpPath, it.finalPath)
}

interface Pending {
  items: CommitItem[]
  /** A message going to the commit journal instead of (or besides) queue files. */
  record?: JournalRecord
  placement?: Placement
  /** Indexes the message's entries; returns how many it handed off to the job controller instead (journal.ts `indexed`). */
  after: (placement?: Placement) => number | void
  /** After `after` has committed (a journal-only message is answered before it). */
  onIndexed?: () => void
  resolve: () => void
  reject: (e: unknown) => void
}

/** How long a failed index transaction of answered journal messages waits before it is tried again. */
const REINDEX_RETRY_MS = 1000

export class GroupCommitter {
  private queue: Pending[] = []
  /** Batches being made durable now; at most `maxInFlight` (a new batch starts while the last one's directory fsync and index insert run). */
  private inFlight = 0
  private scheduled = false
  /** Open directory handles, kept for the per-batch directory fsync (no open/close per batch). */
  private readonly dirHandles = new Map<string, Promise<FileHandle>>()
  private closed = false
  /** Journal-only messages answered `250` whose index transaction has not committed yet. */
  unindexed = 0
  /** Batches committed, messages committed (journaled or as files), and time spent per phase summed over batches (ms), for the benchmark. */
  stats = { batches: 0, messages: 0, ms: { sync: 0, index: 0 }, maxMs: { sync: 0, index: 0 }, reindexRetries: 0 }

  /**
   * @param inTransaction runs the batch's `after` callbacks together (QueueStore: one SQLite
   *   transaction for every index insert of the batch instead of one per message).
   */
  constructor(private readonly inTransaction: (fn: () => void) => void | Promise<void> = (fn) => fn(), private readonly maxInFlight = 2, private readonly journal?: CommitJournal) {}

  /**
   * Makes the items durable. `after` runs synchronously once their renames and directory fsyncs
   * are done (index insert), in the same batch as the other sessions' items. The promise settles
   * after `after` committed, except for a journal-only message (no items): it resolves once the
   * record is on disk, and `onIndexed` follows the index transaction.
   */
  commit(items: CommitItem[], after: (placement?: Placement) => number | void, record?: JournalRecord, onIndexed?: () => void): Promise<void> {
    if (record && !this.journal) return Promise.reject(new Error('no commit journal'))
    return new Promise((resolve, reject) => {
      this.queue.push({ items, after, record, onIndexed, resolve, reject })
      this.schedule()
    })
  }

  private dirHandle(dir: string): Promise<FileHandle> {
    let h = this.dirHandles.get(dir)
    if (!h) {
      h = open(dir, 'r')
      h.catch(() => this.dirHandles.delete(dir))
      this.dirHandles.set(dir, h)
    }
    return h
  }

  private async syncDir(dir: string): Promise<void> {
    try { await (await this.dirHandle(dir)).sync(); return } catch { this.dirHandles.delete(dir) }
    // a stale or failed cached handle: once more with a fresh one (its error is the batch's)
    const h = await open(dir, 'r')
    try { await h.sync() } finally { await h.close() }
  }

  /** Starts a batch on the next turn of the event loop (so that concurrent sessions join it). */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || !this.queue.length) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      if (this.inFlight >= this.maxInFlight || !this.queue.length) return
      this.inFlight++
      const batch = this.queue.splice(0)
      void this.runBatch(batch)
        .catch((e) => { for (const p of batch) p.reject(e) }) // settled promises ignore this
        .finally(() => { this.inFlight--; this.schedule() })
    })
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    this.stats.batches++
    const t0 = performance.now()
    // One round of syncs per batch: the renames into place come first, then every file's
    // fdatasync and every touched directory's fsync run together (ext4 folds them into few journal
    // commits). Only when both the data and the directory entry are on disk is the entry indexed
    // and the session answered `250`. A power loss in between can leave a renamed but torn file that
    // was never acknowledged: reconcile() sidelines such a file as .HELD, never delivers it.
    // Renames are synchronous: a directory-entry change in the page cache costs microseconds, less
    // than the thread-pool round trip of an async rename (dispatcher CPU profile).
    // The journal's records of the batch: one region, one write, one fdatasync (journal.ts).
    const journaled = batch.filter((p) => p.record)
    let placed: Awaited<ReturnType<CommitJournal['place']>> | undefined
    let journalWrite: Promise<void> | undefined
    if (journaled.length) {
      try {
        placed = await this.journal!.place(journaled.map((p) => p.record!))
        journaled.forEach((p, i) => { p.placement = placed!.placements[i] })
        const { seg, at, buf } = placed
        journalWrite = (async () => {
          for (let off = 0; off < buf.length;) off += (await seg.fh.write(buf, off, buf.length - off, at + off)).bytesWritten
          await seg.fh.datasync()
        })()
      } catch (e) { journalWrite = Promise.reject(e) }
      journalWrite.catch(() => {}) // awaited below by the journaled sessions
    }
    const renamed: Array<PromiseSettledResult<void>> = batch.map((p) => {
      try { renameAll(p.items); return { status: 'fulfilled', value: undefined } } catch (reason) { return { status: 'rejected', reason } }
    })
    const dirs = new Set<string>()
    batch.forEach((p, i) => { if (renamed[i].status === 'fulfilled') for (const it of p.items) dirs.add(it.finalDir) })
    const dirResults = new Map<string, Promise<void>>([...dirs].map((d) => {
      const synced = this.syncDir(d)
      synced.catch(() => {}) // awaited below by the items in that directory
      return [d, synced]
    }))
    const results = await Promise.allSettled(batch.map(async (p, i) => {
      const r = renamed[i]
      if (r.status === 'rejected') throw r.reason
      await Promise.all(p.items.map((it) => it.fh.datasync()))
      await Promise.all(p.items.map((it) => dirResults.get(it.finalDir)))
      if (p.record) await journalWrite
    }))
    const t1 = performance.now()
    for (const p of batch) for (const it of p.items) closeItem(it)
    const outcome: Array<{ ok: true } | { ok: false; error: unknown }> = results.map((r) => (r.status === 'fulfilled' ? { ok: true } : { ok: false, error: r.reason }))
    // Journal-only messages on disk are answered now (see the top of this file).
    const answered = batch.filter((p, i) => p.record && !p.items.length && outcome[i].ok)
    const wasAnswered = new Set(answered)
    for (const p of answered) p.resolve()
    this.unindexed += answered.length
    let journalIndexed = false
    try {
      await this.inTransaction(() => {
        let handedOff = 0
        batch.forEach((p, i) => {
          if (!outcome[i].ok) return
          try { handedOff += p.after(p.placement) || 0 } catch (error) {
            if (wasAnswered.has(p)) throw error // answered: all of its batch's journal rows are tried again
            outcome[i] = { ok: false, error }
          }
        })
        if (placed && batch.some((p, i) => p.record && outcome[i].ok)) {
          this.journal!.indexed(placed.seg, placed.at, handedOff)
          journalIndexed = true
        }
      })
    } catch (error) {
      // the transaction itself failed (commit): nobody of this batch is indexed
      journalIndexed = false
      for (let i = 0; i < batch.length; i++) if (outcome[i].ok) outcome[i] = { ok: false, error }
    }
    const t2 = performance.now()
    this.stats.ms.sync += t1 - t0; this.stats.ms.index += t2 - t1
    this.stats.maxMs.sync = Math.max(this.stats.maxMs.sync, t1 - t0); this.stats.maxMs.index = Math.max(this.stats.maxMs.index, t2 - t1)
    if (placed && !journalIndexed) {
      if (answered.length) this.reindexLater(answered, placed)
      else this.journal!.abandoned(placed.seg, placed.at)
    }
    const refused: Array<Promise<unknown>> = []
    batch.forEach((p, i) => {
      if (wasAnswered.has(p)) { this.stats.messages++; if (journalIndexed) { p.onIndexed?.(); this.unindexed-- } return }
      const o = outcome[i]
      if (o.ok) { this.stats.messages++; p.resolve(); p.onIndexed?.(); return }
      // A refused session must not leave a deliverable file behind (it was never indexed).
      // (a rename that failed half way may have moved some of the session's files: remove both names)
      const gone = Promise.all(p.items.flatMap((it) => [unlink(it.finalPath).catch(() => {}), unlink(it.tmpPath).catch(() => {})]))
      refused.push(gone.then(() => p.reject(o.error)))
    })
    await Promise.all(refused)
  }

  /**
   * Indexes answered journal messages whose index transaction failed, until it succeeds: they are
   * on disk and acknowledged (a restart would recover them from the journal; this spares the wait).
   */
  private reindexLater(answered: Pending[], placed: { seg: Parameters<CommitJournal['indexed']>[0]; at: number }): void {
    if (this.closed) return // the next start recovers them from the journal
    this.stats.reindexRetries++
    const t = setTimeout(() => {
      if (this.closed) return
      void Promise.resolve(this.inTransaction(() => {
        let handedOff = 0
        for (const p of answered) handedOff += p.after(p.placement) || 0
        this.journal!.indexed(placed.seg, placed.at, handedOff)
      })).then(() => { for (const p of answered) { p.onIndexed?.(); this.unindexed-- } }, () => this.reindexLater(answered, placed))
    }, REINDEX_RETRY_MS)
    t.unref()
  }

  /** Closes the cached directory handles (QueueStore.close). */
  async close(): Promise<void> {
    this.closed = true
    const hs = [...this.dirHandles.values()]
    this.dirHandles.clear()
    await Promise.all(hs.map(async (h) => (await h).close().catch(() => {})))
  }
}
