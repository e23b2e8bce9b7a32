// Channel counters (spec 02 §2): Received (E to a channel), Stored (E to it minus its D/R/K dequeues),
// Submitted (E from it), Delivered (D, with the first-attempt ones apart), Attempted (Q/Z), Rejected (J),
// Failed (R, and K: a failure without notice, spec 01 §22), queue time, and the channel's inbound and
// outbound SMTP associations (`+ O` / `- O` connection records). Fed by decorating the transport log:
// every counted event is one log record, whichever process writes it — the MTA services
// (openServiceQueue) and the operator's tool (`imsimta qm delete|return`, toolCountingLog).
//
// Lifetime, as the product's shared-memory section (spec 02 §2, docs/decisions.md D-mta-counters): the
// counters belong to one run of the MTA. The section is stamped with the daemon's identity
// (`run/wren.pid` and its start time); an MTA process that finds another run's stamp starts from zero,
// so counters are lost on shutdown/restart, while a single service restarted by the watcher keeps them
// (as a crashed process leaves shared memory behind). `imsimta counters -create` creates the section,
// `-delete` removes it (nothing is counted until it is created again), `-clear` zeroes it. A tool
// process joins the section and never creates or resets it. The rows live in the queue index database
// so that the dispatcher, the job controller and `imsimta` (separate processes) share them; updates
// are batched and best effort, as the product's.
import { readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { TransportLog, TransportLogConnection, TransportLogMessage } from '../ports.js'
import type { QueueIndex } from './index-db.js'
import { blocks } from '../transport-log.js'

type Key = `${string}|${string}`

/** One recipient of one message in one channel's queue, as its log records name it. */
const recipientKey = (r: TransportLogMessage) => `${r.source}|${r.messageId ?? ''}|${r.from}|${r.size}|${r.to ?? r.origTo ?? ''}`

const SCHEMA = `CREATE TABLE IF NOT EXISTS counter_section (id INTEGER PRIMARY KEY CHECK (id = 1), boot TEXT NOT NULL, created INTEGER NOT NULL)`

/** The data root of a queue index at `<data root>/db/queue-index.sqlite`. */
function dataRootOf(index: QueueIndex): string {
  return dirname(dirname(index.db.name))
}

/** Identity of the running MTA: the daemon's pid file and its start time; undefined when none runs. */
export function mtaBoot(dataRoot: string): string | undefined {
  try {
    const p = join(dataRoot, 'run', 'wren.pid')
    const pid = readFileSync(p, 'utf8').trim()
    return `daemon:${pid}:${Math.round(statSync(p).mtimeMs)}`
  } catch { return undefined }
}

/** In-process services without a daemon (tests, embedded use): this process is the MTA run. */
const processBoot = () => `process:${process.pid}:${Math.round(performance.timeOrigin)}`

function section(index: QueueIndex): { boot: string; created: number } | undefined {
  index.db.exec(SCHEMA)
  return index.db.prepare('SELECT boot, created FROM counter_section WHERE id = 1').get() as { boot: string; created: number } | undefined
}

/**
 * Creates the counters section for this MTA run (`imsimta counters -create`, and every MTA process at
 * start). A section left by another run is discarded first: its counters did not survive the shutdown.
 * Returns whether a new section was made.
 */
export function createSection(index: QueueIndex, boot = mtaBoot(dataRootOf(index)) ?? processBoot()): boolean {
  return index.db.transaction(() => {
    const s = section(index)
    if (s?.boot === boot) return false
    index.db.prepare('DELETE FROM counter').run()
    index.db.prepare('INSERT OR REPLACE INTO counter_section (id, boot, created) VALUES (1, ?, ?)').run(boot, Date.now())
    return true
  }).immediate()
}

/** `imsimta counters -delete`. */
export function deleteSection(index: QueueIndex): void {
  index.db.transaction(() => {
    section(index)
    index.db.prepare('DELETE FROM counter').run()
    index.db.prepare('DELETE FROM counter_section').run()
  }).immediate()
}

/**
 * Is there a section for the MTA run that is going on now? A daemon's section ends with it (the daemon
 * removes its pid file on shutdown); a section made without a daemon (in-process MTA, `-create` while
 * stopped) lasts until deleted.
 */
export function sectionExists(index: QueueIndex): boolean {
  const s = section(index)
  if (!s) return false
  if (!s.boot.startsWith('daemon:')) return true
  return s.boot === mtaBoot(dataRootOf(index))
}

/** Counter rows kept besides the manual's seven lines (spec 02 §2 output shape). */
export const DELIVERED_FIRST = 'DeliveredFirst'
export const IN_ASSOCS = 'InAssocs'
export const OUT_ASSOCS = 'OutAssocs'

/** Recipients remembered as re-queued (Q/Z) until their D/R/K; the oldest are forgotten beyond this. */
const MAX_REQUEUED = 100_000

export interface CountersOptions {
  /**
   * False for a tool process (`imsimta`): count into the current section, never create one (creating
   * would discard the running MTA's counters when the tool's identity differs from its run's).
   */
  create?: boolean
}

export class ChannelCounters {
  private pending = new Map<Key, { m: number; r: number; b: number; x: number }>()
  private timer?: NodeJS.Timeout
  /** Recipients whose delivery was already attempted (a Q/Z record): their D is not a first-time one. */
  private requeued = new Set<string>()

  constructor(private readonly index: QueueIndex, flushMs = 1000, boot?: string, opts: CountersOptions = {}) {
    if (opts.create !== false) {
      try { createSection(index, boot) } catch { /* best effort: counting starts with the next flush that can write */ }
    }
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
    // a message's further recipients add recipients, not messages or blocks ("a 2-recipient message → +1")
    const m = r.sameMessage ? 0 : 1
    const b = m * blocks(r.size)
    switch (r.action) {
      case 'E': this.enqueued(r, m, b); break
      case 'D': this.delivered(r, m, b); break
      case 'Q': case 'Z': this.bump(r.source, 'Attempted', m, 1, b); this.remember(r); break
      case 'J': this.bump(r.source, 'Rejected', m, 1, b); break
      // R: rejected on dequeue or returned (also by `qm return`); K: the same without a notice
      // (NOTIFY=NEVER, `qm delete`, spec 01 §22). Both are failed dequeues: Failed, no longer Stored.
      case 'R': case 'K': this.bump(r.source, 'Failed', m, 1, b); this.dequeued(r, m, b); break
    }
  }

  /** Connection records (spec 01 §22): each opened connection is one association of its channel. */
  countConnection(r: TransportLogConnection): void {
    if (r.action !== 'O') return
    this.bump(r.channel, r.direction === '+' ? IN_ASSOCS : OUT_ASSOCS, 1, 0, 0)
  }

  /** E: Received and Stored for the destination, Submitted for the source (a DSN's E too). */
  private enqueued(r: TransportLogMessage, m: number, b: number): void {
    if (r.destination) { this.bump(r.destination, 'Received', m, 1, b); this.bump(r.destination, 'Stored', m, 1, b) }
    this.bump(r.source, 'Submitted', m, 1, b)
  }

  /** D: Delivered, with queue time; a recipient never re-queued before is a first-time delivery. */
  private delivered(r: TransportLogMessage, m: number, b: number): void {
    const first = !this.requeued.has(recipientKey(r))
    this.bump(r.source, 'Delivered', m, 1, b, r.queueTime ?? 0)
    if (first) this.bump(r.source, DELIVERED_FIRST, m, 1, b, r.queueTime ?? 0)
    this.dequeued(r, m, b)
  }

  /** The recipient leaves the channel's queue. */
  private dequeued(r: TransportLogMessage, m: number, b: number): void {
    this.requeued.delete(recipientKey(r))
    this.bump(r.source, 'Stored', -m, -1, -b)
  }

  private remember(r: TransportLogMessage): void {
    if (this.requeued.size >= MAX_REQUEUED) this.requeued.delete(this.requeued.values().next().value as string)
    this.requeued.add(recipientKey(r))
  }

  flush(): void {
    if (!this.pending.size) return
    const rows = [...this.pending]
    this.pending.clear()
    try {
      const db = this.index.db
      const up = db.prepare(`INSERT INTO counter (channel, name, messages, recipients, blocks, extra) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT(channel, name) DO UPDATE SET messages = messages + excluded.messages, recipients = recipients + excluded.recipients,
        blocks = blocks + excluded.blocks, extra = extra + excluded.extra`)
      db.transaction(() => {
        // No section (deleted by `imsimta counters -delete`): nothing is counted until it is created.
        if (!db.prepare('SELECT 1 FROM counter_section WHERE id = 1').get()) return
        for (const [k, c] of rows) { const [ch, n] = k.split('|'); up.run(ch, n, c.m, c.r, c.b, c.x) }
      })()
    } catch { /* best effort, as the product's counters (an update is skipped when its lock is busy) */ }
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
    connection(r) { counters.countConnection(r); log.connection(r) },
    flush: () => { counters.flush(); return log.flush?.() },
    sync: () => log.sync?.(),
    close: () => { counters.close(); return log.close?.() },
  }
}

/**
 * The log of a tool process that writes queue records (`imsimta qm delete|return`: K, R and the DSN's
 * E): counted into the running MTA's section, as the services' records are.
 */
export function toolCountingLog(index: QueueIndex, log: TransportLog): TransportLog {
  return countingLog(log, new ChannelCounters(index, 1000, undefined, { create: false }))
}

export interface CounterRow { channel: string; name: string; messages: number; recipients: number; blocks: number; extra: number }

/** The counters of the current section; none when there is no section (`imsimta counters -create`). */
export function readCounters(index: QueueIndex): CounterRow[] {
  if (!sectionExists(index)) return []
  return index.db.prepare('SELECT * FROM counter ORDER BY channel, name').all() as CounterRow[]
}

export function clearCounters(index: QueueIndex): void {
  index.db.prepare('DELETE FROM counter').run()
}
