// The store-wide delivery journal: group commit for deliveries (issue 4 perf target; brief S2-store).
// A delivery batch commits into each recipient's index with synchronous=NORMAL (no fsync) and writes
// its message files without fsync; then ONE append + fdatasync of this journal makes all of it durable
// before anything is acknowledged. Concurrent batches share a flush (the next flush takes everything
// queued while the previous one ran). A checkpoint (`syncfs` of the store's filesystems, then unlink)
// retires a journal file once everything it covers is on disk by other means.
//
// After a crash, journals whose writer process is gone are replayed idempotently: each record carries
// the delivery's key (the MTA's deliveryId, or a generated one), which the index's `deliveries` table
// records in the message's own transaction — present means stored (the file is checked against the
// journal's bytes and rewritten if the crash lost it), absent means the commit was lost: store it again.
//
// File: <store>/journal/<pid>.<starttime>.<seq>.jnl, a sequence of frames
//   u32 payloadLength | u32 crc32(payload) | payload = u32 headerLength | header JSON | data
// header {t:'M', n} carries message bytes (data) once per distinct message of a flush;
// header {t:'D', m: n, key, userid, mailboxId, folder, uidvalidity, uid, bits, keywords, internalDate}.
// A torn or corrupt frame ends the file (it was never fsync'd, so nothing in it was acknowledged).
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import type { Socket } from 'node:net'
import { promisify } from 'node:util'
import { fsyncDirSync } from './fsutil.js'

const execFileP = promisify(execFile)

/**
 * `sync -f` (syncfs(2)) for checkpoints through one long-lived shell per set of paths: forking this
 * (large) process for every checkpoint stalls its event loop; the shell forks only `sync` itself.
 * One request = one line in, one line (`ok`/`fail`) out; the shell ends when this process does.
 */
class SyncFsHelper {
  private child: ChildProcess | null = null
  private key = ''
  private out = ''
  private waiting: Array<{ resolve: () => void; reject: (e: Error) => void }> = []

  run(targets: string[]): Promise<void> {
    const key = targets.join('\0')
    if (!this.child || this.key !== key) this.start(targets, key)
    const child = this.child!
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ resolve, reject })
      ;(child.stdout as Socket).ref()
      child.stdin!.write('s\n')
    })
  }

  private start(targets: string[], key: string): void {
    this.stop()
    const child = spawn('sh', ['-c', 'while read -r _; do if sync -f "$@"; then echo ok; else echo fail; fi; done', 'wren-syncfs', ...targets],
      { stdio: ['pipe', 'pipe', 'ignore'] })
    this.child = child
    this.key = key
    this.out = ''
    const waiting = this.waiting
    const failAll = (e: Error) => {
      if (this.child === child) this.child = null
      for (const w of waiting.splice(0)) w.reject(e)
    }
    child.on('error', failAll)
    child.on('exit', () => failAll(new Error('syncfs helper exited')))
    child.stdin!.on('error', () => {})
    child.stdout!.setEncoding('utf8')
    child.stdout!.on('data', (chunk: string) => {
      this.out += chunk
      let nl: number
      while ((nl = this.out.indexOf('\n')) >= 0) {
        const line = this.out.slice(0, nl)
        this.out = this.out.slice(nl + 1)
        const w = waiting.shift()
        if (line === 'ok') w?.resolve()
        else w?.reject(new Error('sync -f failed'))
      }
      if (!waiting.length) (child.stdout as Socket).unref()
    })
    child.unref()
    ;(child.stdin as Socket).unref()
    ;(child.stdout as Socket).unref()
  }

  stop(): void {
    if (!this.child) return
    const c = this.child
    this.child = null
    c.stdin!.end()
  }
}
const syncFsHelper = new SyncFsHelper()

/** syncfs of the filesystems holding `targets`: the helper, or a one-off `sync -f` if it failed. */
async function syncFilesystems(targets: string[]): Promise<void> {
  try { await syncFsHelper.run(targets) } catch { await execFileP('sync', ['-f', ...targets]) }
}

export interface JournalDelivery {
  key: string
  userid: string
  mailboxId: number
  folder: string
  uidvalidity: number
  uid: number
  bits: number
  keywords: string[]
  internalDate: number
  data: Buffer
}

export interface JournalOptions {
  /** Paths on every filesystem holding store data (partitions, the store root): synced at checkpoint. */
  syncTargets: () => string[]
  /** Checkpoint when the file grows past this many bytes (default 16 MB). */
  maxBytes?: number
  /** Checkpoint this long after the first record of a file (default 2 s). */
  maxAgeMs?: number
  onError?: (msg: string) => void
  /** Owner tag (tests write journals "of another process"); default: this process's `processTag()`. */
  tag?: string
}

/** `<pid>.<starttime>`: identifies a process even if its pid is reused later. */
export function processTag(pid: number = process.pid): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return `${pid}.${fields[19]}` // field 22 (starttime), counted from field 3
  } catch { return null }
}

/** Journal files held open by live journals of this process (another store instance's are not orphans). */
const openHere = new Set<string>()

function frame(header: object, data?: Buffer): Buffer {
  const h = JSON.stringify(header)
  const hlen = Buffer.byteLength(h)
  const len = 4 + hlen + (data?.length ?? 0)
  // One allocation, the message bytes copied once.
  const out = Buffer.allocUnsafe(8 + len)
  out.writeUInt32BE(len, 0)
  out.writeUInt32BE(hlen, 8)
  out.write(h, 12)
  if (data) data.copy(out, 12 + hlen)
  out.writeUInt32BE(zlib.crc32(out.subarray(8)) >>> 0, 4)
  return out
}

/** Parse a journal file into its deliveries (message bytes resolved). Stops at the first bad frame. */
export function readJournal(file: string): JournalDelivery[] {
  const buf = fs.readFileSync(file)
  const msgs = new Map<number, Buffer>()
  const out: JournalDelivery[] = []
  let off = 0
  while (off + 8 <= buf.length) {
    const len = buf.readUInt32BE(off)
    const crc = buf.readUInt32BE(off + 4)
    if (len < 4 || off + 8 + len > buf.length) break
    const payload = buf.subarray(off + 8, off + 8 + len)
    if ((zlib.crc32(payload) >>> 0) !== crc) break
    const hlen = payload.readUInt32BE(0)
    if (4 + hlen > payload.length) break
    let h: Record<string, unknown>
    try { h = JSON.parse(payload.subarray(4, 4 + hlen).toString()) } catch { break }
    if (h.t === 'M') msgs.set(h.n as number, payload.subarray(4 + hlen))
    else if (h.t === 'D') {
      const data = msgs.get(h.m as number)
      if (!data) break
      out.push({
        key: String(h.key), userid: String(h.userid), mailboxId: Number(h.mailboxId), folder: String(h.folder),
        uidvalidity: Number(h.uidvalidity), uid: Number(h.uid), bits: Number(h.bits), keywords: (h.keywords as string[]) ?? [],
        internalDate: Number(h.internalDate), data,
      })
    }
    off += 8 + len
  }
  return out
}

export class DeliveryJournal {
  readonly tag: string
  private seq = 0
  private keySeq = 0
  private msgSeq = 0
  private file = ''
  private fd = -1
  private size = 0
  private firstAt = 0
  private pending: Buffer[] = []
  private waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = []
  private flushing: Promise<void> | null = null
  /** The fd the current flush iteration writes to (-1 between iterations), and its completion. */
  private activeFd = -1
  private iteration: Promise<void> = Promise.resolve()
  private checkpointing: Promise<void> | null = null
  private timer: NodeJS.Timeout | null = null
  private closed = false

  constructor(private readonly dir: string, private readonly opts: JournalOptions) {
    this.tag = opts.tag ?? processTag() ?? `${process.pid}.0`
  }

  /** A store-unique idempotency key for a delivery that came without one (the `deliver` tool). */
  nextKey(): string {
    return `journal/${this.tag}/${Date.now()}/${++this.keySeq}`
  }

  /** Queue deliveries (already committed to their indexes). Made durable by the next `sync()`. */
  append(entries: JournalDelivery[]): void {
    if (!entries.length) return
    if (this.closed) throw new Error('delivery journal is closed')
    const ids = new Map<Buffer, number>()
    for (const e of entries) {
      let n = ids.get(e.data)
      if (n === undefined) {
        n = ++this.msgSeq
        ids.set(e.data, n)
        this.pending.push(frame({ t: 'M', n }, e.data))
      }
      this.pending.push(frame({
        t: 'D', m: n, key: e.key, userid: e.userid, mailboxId: e.mailboxId, folder: e.folder, uidvalidity: e.uidvalidity,
        uid: e.uid, bits: e.bits, keywords: e.keywords, internalDate: e.internalDate,
      }))
    }
  }

  /** Resolves when everything appended so far is on disk (one fdatasync shared by concurrent callers). */
  sync(): Promise<void> {
    if (!this.pending.length && !this.flushing) return Promise.resolve()
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }))
    if (!this.flushing) this.flushing = this.flushLoop()
    return p
  }

  private openFile(): void {
    fs.mkdirSync(this.dir, { recursive: true })
    this.file = path.join(this.dir, `${this.tag}.${++this.seq}.jnl`)
    this.fd = fs.openSync(this.file, 'wx', 0o600)
    openHere.add(this.file)
    fsyncDirSync(this.dir)
    this.size = 0
    this.firstAt = Date.now()
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.pending.length || this.waiters.length) {
        const bufs = this.pending
        const waiters = this.waiters
        this.pending = []
        this.waiters = []
        let done!: () => void
        this.iteration = new Promise<void>((r) => { done = r })
        try {
          if (bufs.length) {
            if (this.fd < 0) this.openFile()
            const fd = this.fd
            this.activeFd = fd
            const data = bufs.length === 1 ? bufs[0] : Buffer.concat(bufs)
            // The write only reaches the page cache (cheap, synchronous); the fdatasync runs off-thread.
            let off = 0
            while (off < data.length) off += fs.writeSync(fd, data, off)
            await new Promise<void>((res, rej) => fs.fdatasync(fd, (e) => (e ? rej(e) : res())))
            this.size += data.length
          }
          for (const w of waiters) w.resolve()
        } catch (e) {
          for (const w of waiters) w.reject(e as Error)
        } finally {
          this.activeFd = -1
          done()
        }
        this.scheduleCheckpoint()
      }
    } finally {
      this.flushing = null
    }
  }

  private scheduleCheckpoint(): void {
    if (this.fd < 0 || this.checkpointing) return
    const maxBytes = this.opts.maxBytes ?? 16 << 20
    if (this.size >= maxBytes) { void this.checkpoint(); return }
    if (!this.timer) {
      const wait = Math.max(0, (this.opts.maxAgeMs ?? 2000) - (Date.now() - this.firstAt))
      this.timer = setTimeout(() => { this.timer = null; void this.checkpoint() }, wait)
      this.timer.unref()
    }
  }

  /**
   * Retire the current file: later appends go to a new file; once the flush writing to the old one
   * is done, sync the store's filesystems (index WALs, message files, directories) and unlink it.
   */
  checkpoint(): Promise<void> {
    // One running already retires an older file: the current one is retired after it.
    if (this.checkpointing) return this.checkpointing.then(() => this.checkpoint())
    if (this.fd < 0) return Promise.resolve()
    this.checkpointing = (async () => {
      const oldFd = this.fd
      const oldFile = this.file
      this.fd = -1
      if (this.timer) { clearTimeout(this.timer); this.timer = null }
      try {
        // Only the flush iteration writing to the old file matters (later ones open the new file), so
        // a checkpoint completes under continuous load too.
        while (this.activeFd === oldFd) await this.iteration
        await syncFilesystems(this.targets())
        fs.unlinkSync(oldFile)
      } catch (e) {
        // The file stays: it is replayed (idempotently) after this process ends.
        this.opts.onError?.(`delivery journal checkpoint failed: ${(e as Error).message}`)
      } finally {
        try { fs.closeSync(oldFd) } catch { /* closed */ }
        openHere.delete(oldFile)
        this.checkpointing = null
      }
    })()
    return this.checkpointing
  }

  private targets(): string[] {
    const seen = new Set<number>()
    const out: string[] = []
    for (const p of [this.dir, ...this.opts.syncTargets()]) {
      try { const d = fs.statSync(p).dev; if (!seen.has(d)) { seen.add(d); out.push(p) } } catch { /* not there */ }
    }
    return out
  }

  /** Close the file as a crash would leave it (no checkpoint): it is replayed by the next recovery. */
  abandon(): void {
    this.closed = true
    if (this.timer) { clearTimeout(this.timer); this.timer = null }
    if (this.fd >= 0) { try { fs.closeSync(this.fd) } catch { /* closed */ } openHere.delete(this.file); this.fd = -1 }
  }

  /** Synchronous close: write and sync anything pending, checkpoint, unlink. */
  close(): void {
    if (this.closed) return
    this.closed = true
    if (this.timer) { clearTimeout(this.timer); this.timer = null }
    if (this.flushing || this.checkpointing) return // an async flush owns the fd: replayed later if needed
    try {
      if (this.pending.length) {
        if (this.fd < 0) this.openFile()
        const data = Buffer.concat(this.pending)
        this.pending = []
        let off = 0
        while (off < data.length) off += fs.writeSync(this.fd, data, off)
        fs.fdatasyncSync(this.fd)
      }
      if (this.fd >= 0) {
        execFileSync('sync', ['-f', ...this.targets()])
        fs.closeSync(this.fd)
        fs.unlinkSync(this.file)
        openHere.delete(this.file)
        this.fd = -1
      }
    } catch (e) {
      this.opts.onError?.(`delivery journal close failed: ${(e as Error).message}`)
    }
  }
}

function alive(tag: string): boolean {
  const [pid] = tag.split('.')
  return processTag(Number(pid)) === tag
}

/**
 * Claim every journal file whose writer is gone (rename to `<name>.replay.<my tag>`, atomic, so two
 * starting processes never replay the same file at once) and hand each to `replay`; unlink after.
 */
export function recoverJournals(dir: string, myTag: string, replay: (deliveries: JournalDelivery[], file: string) => void,
  onError?: (msg: string) => void): number {
  let names: string[]
  try { names = fs.readdirSync(dir) } catch { return 0 }
  let n = 0
  for (const name of names) {
    const m = /^(\d+\.\d+)\.\d+\.jnl(?:\.replay\.(\d+\.\d+))?$/.exec(name)
    if (!m) continue
    const owner = m[2] ?? m[1]
    const full = path.join(dir, name)
    if (openHere.has(full)) continue
    if (owner !== myTag && alive(owner)) continue
    if (owner === myTag && m[2]) continue
    const claimed = path.join(dir, `${m[1]}.${name.split('.')[2]}.jnl.replay.${myTag}`)
    try { fs.renameSync(full, claimed) } catch { continue } // another process claimed it
    try {
      const deliveries = readJournal(claimed)
      replay(deliveries, claimed)
      fs.unlinkSync(claimed)
      n += deliveries.length
    } catch (e) {
      onError?.(`delivery journal ${name}: replay failed: ${(e as Error).message}`)
    }
  }
  return n
}
