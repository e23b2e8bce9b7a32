// Channel counters (spec 02 §2): Received (E to a channel), Submitted (E from it), Delivered (D,
// with first-attempt count), Attempted (Q/Z), Rejected (J), Failed (R), queue time. Kept in the
// queue index DB (they survive a restart, unlike the product's shared memory — noted in docs), and
// fed by decorating the transport log: every counted event is one log record.
import type { TransportLog, TransportLogMessage } from '../ports.js'
import type { QueueIndex } from './index-db.js'
import { blocks } from '../transport-log.js'

type Key = `${string}|${string}`

export class ChannelCounters {
  private pending = new Map<Key, { m: number; r: number; b: number; x: number }>()
  private timer?: NodeJS.Timeout

  constructor(private readonly index: QueueIndex, flushMs = 1000) {
    this.timer = setInterval(() => this.flush(), flushMs)
    this.timer.unref()
  }

  bump(channel: string, name: string, msgs: number, rcpts: number, blks: number, extra = 0): void {
    const k: Key = `${channel}|${name}`
    const c = this.pending.get(k) ?? { m: 0, r: 0, b: 0, x: 0 }
    c.m += msgs; c.r += rcpts; c.b += blks; c.x += extra
    this.pending.set(k, c)
  }

  /** Counts one log record (spec 02 §2 semantics table). */
  count(r: TransportLogMessage): void {
    const b = blocks(r.size)
    switch (r.action) {
      case 'E':
        if (r.destination) this.bump(r.destination, 'Received', 1, 1, b)
        this.bump(r.source, 'Submitted', 1, 1, b)
        break
      case 'D': this.bump(r.source, 'Delivered', 1, 1, b, r.queueTime ?? 0); break
      case 'Q': case 'Z': this.bump(r.source, 'Attempted', 1, 1, b); break
      case 'J': this.bump(r.source, 'Rejected', 1, 1, b); break
      case 'R': this.bump(r.source, 'Failed', 1, 1, b); break
    }
  }

  flush(): void {
    if (!this.pending.size) return
    const rows = [...this.pending]
    this.pending.clear()
    try {
      const up = this.index.db.prepare(`INSERT INTO counter (channel, name, messages, recipients, blocks, extra) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT(channel, name) DO UPDATE SET messages = messages + excluded.messages, recipients = recipients + excluded.recipients,
        blocks = blocks + excluded.blocks, extra = extra + excluded.extra`)
      this.index.db.transaction(() => { for (const [k, c] of rows) { const [ch, n] = k.split('|'); up.run(ch, n, c.m, c.r, c.b, c.x) } })()
    } catch { /* best effort, as the product's counters */ }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer)
    this.flush()
  }
}

/** A TransportLog that also feeds the counters. */
export function countingLog(log: TransportLog, counters: ChannelCounters): TransportLog {
  return {
    message(r) { counters.count(r); log.message(r) },
    connection(r) { log.connection(r) },
    flush: () => { counters.flush(); return log.flush?.() },
    close: () => { counters.close(); return log.close?.() },
  }
}

export interface CounterRow { channel: string; name: string; messages: number; recipients: number; blocks: number; extra: number }

export function readCounters(index: QueueIndex): CounterRow[] {
  return index.db.prepare('SELECT * FROM counter ORDER BY channel, name').all() as CounterRow[]
}

export function clearCounters(index: QueueIndex): void {
  index.db.prepare('DELETE FROM counter').run()
}
