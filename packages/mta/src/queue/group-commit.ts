// Group commit: many sessions' queue files are made durable together — one round of parallel
// fsyncs (ext4 merges them into one journal commit), renames into place, one fsync per touched
// directory, one index transaction — before any of those sessions answers `250`.
import { open, rename } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'

export interface CommitItem {
  fh: FileHandle
  tmpPath: string
  finalPath: string
  finalDir: string
}

interface Pending {
  items: CommitItem[]
  after: () => void
  resolve: () => void
  reject: (e: unknown) => void
}

export class GroupCommitter {
  private queue: Pending[] = []
  private running = false
  /** Batches committed and items per batch, for the benchmark. */
  stats = { batches: 0, items: 0 }

  /**
   * Makes the items durable. `after` runs synchronously once their renames and directory fsyncs
   * are done (index insert), in the same batch as the other sessions' items.
   */
  commit(items: CommitItem[], after: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ items, after, resolve, reject })
      if (!this.running) { this.running = true; setImmediate(() => void this.drain()) }
    })
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0)
      this.stats.batches++
      const results = await Promise.allSettled(batch.map(async (p) => {
        await Promise.all(p.items.map((it) => it.fh.datasync()))
        await Promise.all(p.items.map((it) => it.fh.close()))
        for (const it of p.items) await rename(it.tmpPath, it.finalPath)
      }))
      const dirs = new Set<string>()
      batch.forEach((p, i) => { if (results[i].status === 'fulfilled') for (const it of p.items) dirs.add(it.finalDir) })
      let dirErr: unknown
      try {
        await Promise.all([...dirs].map(async (d) => { const h = await open(d, 'r'); try { await h.sync() } finally { await h.close() } }))
      } catch (e) { dirErr = e }
      batch.forEach((p, i) => {
        const r = results[i]
        if (r.status === 'rejected') return p.reject(r.reason)
        if (dirErr) return p.reject(dirErr)
        try { p.after(); this.stats.items += p.items.length; p.resolve() } catch (e) { p.reject(e) }
      })
    }
    this.running = false
  }
}
