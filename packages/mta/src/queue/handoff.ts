// The hand-off between the dispatcher and the job controller (D28). The product's enqueueing
// processes tell the job controller about new messages over its own socket (`job_controller.tcp_ports`,
// 27442, spec 04 install table); Wren's is a Unix socket in the data root's private `run/`
// directory: file permissions instead of the product's shared secret, and no port for two
// instances on one machine to fight over.
//
// Over it, a journaled entry of a channel the job controller delivers in-process (ims-ms) is handed
// over whole, right after its record is on disk, instead of being indexed first: the job controller
// delivers it at once and answers `settled`. Only an entry it cannot deliver at once gets an index
// row, written by the job controller before it answers. An entry that is answered `settled` never
// had a row: no index insert, claim or delete — the queue's largest per-message costs after fsync.
//
// Nothing is lost on the way:
// - the dispatcher's journal keeps each batch unsettled (its high-water mark below it) until every
//   handed-off entry is settled (journal.ts), so a dispatcher crash re-indexes them at its next start;
// - when the connection is lost (the job controller stopped or crashed), the dispatcher indexes
//   every entry still outstanding, and the job controller forgets the ones it had not started;
// - a delivery that happens twice because of either (delivered, then re-indexed) is a no-op in the
//   store, which keys each delivery by message, channel and recipient (ims-ms.ts).
//
// Frames are JSON, one per line: `hello` {channels} from the job controller (the channels it takes,
// again after a refresh), `fresh` {entries} from the dispatcher, `settled` {keys} back, and `result`
// {key, results} back for an entry handed off with `wantResult` (an LMTP listener's message: the
// session answers each recipient with its delivery's result, RFC 2033 §4.2). A `result` settles
// its entry: delivered recipients are logged (D) by the job controller, refused ones are not queued
// — the LMTP client was told (D28).
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { chmodSync, mkdirSync, unlinkSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { QueueEnvelope } from './format.js'

/** A journaled entry handed off instead of indexed: its index row's content, and its batch (journal.ts). */
export interface HandedOffEntry {
  key: string
  dir: string
  env: QueueEnvelope
  /** Journal segment and the message's offset in it. */
  seg: string
  segOff: number
  /** Where its batch starts in the segment (the dispatcher's bookkeeping; the job controller ignores it). */
  at: number
  /**
   * Answer with a `result` instead of indexing recipients that were not delivered at once (an LMTP
   * listener's message: its session waits for the store's answer per recipient).
   */
  wantResult?: boolean
}

/** One recipient's delivery result, in a `result` frame: `idx` is its index in the entry's envelope. */
export interface RecipientResult {
  idx: number
  status: 'ok' | 'temp' | 'perm'
  /** SMTP reply code and enhanced status (RFC 3463) to give the LMTP client. */
  code: number
  enhanced: string
  text: string
}

type Frame =
  | { t: 'hello'; channels: string[] }
  | { t: 'fresh'; entries: HandedOffEntry[] }
  | { t: 'settled'; keys: string[] }
  | { t: 'result'; key: string; results: RecipientResult[] }

/** Where the job controller listens for the hand-off. */
export const handoffSocketPath = (dataRoot: string) => join(dataRoot, 'run', 'job_controller.sock')

/** A Unix socket's path must fit in sun_path (108 bytes on Linux, with its NUL). */
export const fitsSocketPath = (path: string) => Buffer.byteLength(path) < 108

function send(sock: Socket, frame: Frame): void {
  if (!sock.destroyed) sock.write(`${JSON.stringify(frame)}\n`)
}

/** Calls `onFrame` for every complete line; a line that is not JSON ends the connection. */
function readFrames(sock: Socket, onFrame: (f: Frame) => void): void {
  let buf = ''
  sock.setEncoding('utf8')
  sock.on('data', (d: string) => {
    buf += d
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl)
      buf = buf.slice(nl + 1)
      let f: Frame
      try { f = JSON.parse(line) as Frame } catch { sock.destroy(); return }
      onFrame(f)
    }
  })
}

/**
 * The dispatcher's end: connects (again every second while the job controller is away), hands
 * entries over, and reports each entry's end — `settled` by the job controller, or `orphaned`
 * when the connection went away before that (the caller indexes those).
 */
export class HandoffClient {
  private sock?: Socket
  private channels = new Set<string>()
  private readonly outstanding = new Map<string, HandedOffEntry>()
  private retry?: NodeJS.Timeout
  private closed = false

  constructor(private readonly path: string, private readonly on: {
    settled(entries: HandedOffEntry[]): void
    orphaned(entries: HandedOffEntry[]): void
    /** A `wantResult` entry's recipients' results (the entry is settled: refused recipients were not queued). */
    result(entry: HandedOffEntry, results: RecipientResult[]): void
  }, private readonly retryMs = 1000) {}

  start(): void {
    if (fitsSocketPath(this.path)) this.connect()
  }

  /** Entries handed off and not yet settled (for "is the queue empty" checks). */
  get pending(): number { return this.outstanding.size }

  /** Whether entries of this channel are handed off now (connected, and the job controller said it takes them). */
  takes(channel: string): boolean {
    return this.sock !== undefined && this.channels.has(channel)
  }

  /** Hands entries over; if the connection went away meanwhile they are orphaned (on the next turn). */
  offer(entries: HandedOffEntry[]): void {
    if (!entries.length) return
    for (const e of entries) this.outstanding.set(e.key, e)
    if (this.sock) { send(this.sock, { t: 'fresh', entries }); return }
    setImmediate(() => this.orphan(entries))
  }

  private orphan(entries: HandedOffEntry[]): void {
    const left = entries.filter((e) => this.outstanding.delete(e.key))
    if (left.length) this.on.orphaned(left)
  }

  private connect(): void {
    if (this.closed) return
    const sock = createConnection(this.path)
    sock.on('error', () => { /* 'close' follows */ })
    sock.on('close', () => this.lost(sock))
    readFrames(sock, (f) => {
      if (f.t === 'hello') {
        this.sock = sock
        this.channels = new Set(f.channels)
      } else if (f.t === 'settled') {
        const done: HandedOffEntry[] = []
        for (const k of f.keys) {
          const e = this.outstanding.get(k)
          if (e) { this.outstanding.delete(k); done.push(e) }
        }
        if (done.length) this.on.settled(done)
      } else if (f.t === 'result' && typeof f.key === 'string' && Array.isArray(f.results)) {
        const e = this.outstanding.get(f.key)
        if (e) { this.outstanding.delete(f.key); this.on.result(e, f.results) }
      }
    })
  }

  private lost(sock: Socket): void {
    if (this.sock === sock) {
      this.sock = undefined
      this.channels.clear()
      this.orphan([...this.outstanding.values()])
    }
    if (!this.closed) {
      this.retry = setTimeout(() => this.connect(), this.retryMs)
      this.retry.unref()
    }
  }

  /** Stops; entries still outstanding are orphaned now (synchronously: the caller indexes them before it closes the index). */
  close(): void {
    this.closed = true
    clearTimeout(this.retry)
    const sock = this.sock
    this.sock = undefined
    this.orphan([...this.outstanding.values()])
    sock?.destroy()
  }
}

/** A connected dispatcher, as the job controller sees it. */
export interface HandoffPeer {
  /** These entries are delivered or indexed: the dispatcher may count their batches settled. */
  settle(keys: string[]): void
  /** A `wantResult` entry's results: settles it (its refused recipients are the LMTP client's to retry or bounce). */
  result(key: string, results: RecipientResult[]): void
  /** False once the connection is gone (its entries are the dispatcher's to index again). */
  readonly connected: boolean
}

/** The job controller's end: listens, announces the channels it takes, passes entries on. */
export class HandoffServer {
  private server?: Server
  private readonly socks = new Set<Socket>()

  constructor(private readonly path: string, private readonly on: {
    channels(): string[]
    fresh(entries: HandedOffEntry[], peer: HandoffPeer): void
    closed(peer: HandoffPeer): void
  }) {}

  /** Listens on the socket (a stale one from a crash is replaced); false when the path cannot be a socket. */
  async listen(): Promise<boolean> {
    if (!fitsSocketPath(this.path)) return false
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 })
    try { unlinkSync(this.path) } catch { /* none */ }
    const server = createServer((sock) => this.accept(sock))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.path, () => { server.off('error', reject); resolve() })
    })
    chmodSync(this.path, 0o600)
    this.server = server
    return true
  }

  private accept(sock: Socket): void {
    this.socks.add(sock)
    const peer: HandoffPeer = {
      settle: (keys) => { if (keys.length) send(sock, { t: 'settled', keys }) },
      result: (key, results) => send(sock, { t: 'result', key, results }),
      get connected() { return !sock.destroyed },
    }
    sock.on('error', () => { /* 'close' follows */ })
    sock.on('close', () => { this.socks.delete(sock); this.on.closed(peer) })
    readFrames(sock, (f) => { if (f.t === 'fresh' && Array.isArray(f.entries)) this.on.fresh(f.entries, peer) })
    send(sock, { t: 'hello', channels: this.on.channels() })
  }

  /** Tells every dispatcher the channels taken now (after a refresh or a channel stop/start). */
  announce(): void {
    const channels = this.on.channels()
    for (const s of this.socks) send(s, { t: 'hello', channels })
  }

  async close(): Promise<void> {
    for (const s of this.socks) s.destroy()
    const server = this.server
    this.server = undefined
    if (server) await new Promise<void>((r) => server.close(() => r()))
    try { unlinkSync(this.path) } catch { /* gone */ }
  }
}
