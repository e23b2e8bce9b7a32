// One live service log file (`log/<name>`) with buffered, asynchronous appends and rotation.
// Lines are queued in memory and written by `flush()` (on the flush interval, when the buffer grows,
// and on close), so a log call never blocks the event loop. Several processes may share one log
// (e.g. `default`): writes use O_APPEND, and a file renamed by another process's rollover is
// noticed by inode and reopened.
import { appendFileSync, mkdirSync } from 'node:fs'
import { mkdir, open, rename, stat, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { parseServiceLogLine } from './format.js'
import { nextSequence, pruneRolledFiles, rolledFileName, type RotationPolicy } from './rotation.js'

/** Flush early once this many bytes are waiting. */
const EAGER_FLUSH_BYTES = 64 * 1024

export interface LogFileOptions {
  dir: string
  name: string
  policy: () => RotationPolicy
  now?: () => number
  /** Called when the buffer passes EAGER_FLUSH_BYTES (the manager schedules a flush). */
  onPressure?: () => void
}

export class LogFile {
  readonly path: string
  private buffer: string[] = []
  private bufferedBytes = 0
  private handle: FileHandle | undefined
  private ino = 0
  private size = 0
  private startedAt = 0
  private chain: Promise<void> = Promise.resolve()
  private readonly now: () => number

  constructor(private readonly opts: LogFileOptions) {
    this.path = join(opts.dir, opts.name)
    this.now = opts.now ?? Date.now
  }

  append(line: string): void {
    const text = line + '\n'
    this.buffer.push(text)
    this.bufferedBytes += Buffer.byteLength(text)
    if (this.bufferedBytes >= EAGER_FLUSH_BYTES) this.opts.onPressure?.()
  }

  /** Writes everything queued so far; calls are serialised. */
  flush(): Promise<void> {
    const run = this.chain.then(() => this.flushNow())
    this.chain = run.catch(() => undefined)
    return run
  }

  /** Last-resort synchronous write (crash path: uncaughtException, exit). No rotation. */
  flushSync(): void {
    if (!this.buffer.length) return
    const text = this.buffer.join('')
    this.buffer = []
    this.bufferedBytes = 0
    try {
      mkdirSync(this.opts.dir, { recursive: true })
      appendFileSync(this.path, text, { mode: 0o640 })
    } catch {
      // nowhere left to report a failing log
    }
  }

  async close(): Promise<void> {
    await this.flush()
    await this.chain
    if (this.handle) {
      const h = this.handle
      this.handle = undefined
      await h.close().catch(() => undefined)
    }
  }

  /** Applies expiry/count/size limits to the rolled files (also run periodically by the manager). */
  async prune(): Promise<void> {
    const run = this.chain.then(async () => {
      await pruneRolledFiles(this.opts.dir, this.opts.name, this.opts.policy(), this.now(), this.size)
    })
    this.chain = run.catch(() => undefined)
    return run
  }

  private async flushNow(): Promise<void> {
    if (!this.buffer.length) {
      // Still honour rollovertime on an idle log that has content.
      await this.ensureOpen()
      if (this.dueByTime()) await this.roll()
      return
    }
    const lines = this.buffer
    this.buffer = []
    this.bufferedBytes = 0
    await this.ensureOpen()
    if (this.dueByTime()) await this.roll()
    const policy = this.opts.policy()
    let pending: string[] = []
    let pendingBytes = 0
    for (const line of lines) {
      const n = Buffer.byteLength(line)
      if (policy.maxlogfilesize > 0 && this.size + pendingBytes > 0 && this.size + pendingBytes + n > policy.maxlogfilesize) {
        await this.write(pending.join(''), pendingBytes)
        pending = []
        pendingBytes = 0
        await this.roll()
      }
      pending.push(line)
      pendingBytes += n
    }
    await this.write(pending.join(''), pendingBytes)
    // The total-size limit counts the growing live file too.
    if (policy.maxlogsize > 0) await pruneRolledFiles(this.opts.dir, this.opts.name, policy, this.now(), this.size)
  }

  private dueByTime(): boolean {
    const { rollovertime } = this.opts.policy()
    return rollovertime > 0 && this.size > 0 && this.now() - this.startedAt >= rollovertime * 1000
  }

  private async write(text: string, bytes: number): Promise<void> {
    if (!bytes || !this.handle) return
    await this.handle.write(text)
    this.size += bytes
    if (!this.startedAt) this.startedAt = this.now()
  }

  private async ensureOpen(): Promise<void> {
    if (this.handle) {
      // Another process may have rolled the file: reopen when the path names a different inode.
      const current = await stat(this.path).catch(() => undefined)
      if (current && current.ino === this.ino) {
        this.size = current.size
        return
      }
      await this.handle.close().catch(() => undefined)
      this.handle = undefined
    }
    await mkdir(this.opts.dir, { recursive: true })
    this.handle = await open(this.path, 'a', 0o640)
    const st = await this.handle.stat()
    this.ino = st.ino
    this.size = st.size
    this.startedAt = st.size > 0 ? await this.firstLineTime(st.birthtimeMs || st.mtimeMs) : 0
  }

  /** When the live file was started: the time stamp of its first line. */
  private async firstLineTime(fallback: number): Promise<number> {
    try {
      const buf = Buffer.alloc(200)
      const { bytesRead } = await this.handle!.read(buf, 0, buf.length, 0)
      const first = buf.subarray(0, bytesRead).toString('utf8').split('\n')[0] ?? ''
      return parseServiceLogLine(first)?.time.getTime() ?? fallback
    } catch {
      return fallback
    }
  }

  private async roll(): Promise<void> {
    if (!this.handle || this.size === 0) return
    const current = await stat(this.path).catch(() => undefined)
    if (current && current.ino === this.ino) {
      const seq = await nextSequence(this.opts.dir, this.opts.name)
      const rolled = rolledFileName(this.opts.name, seq, Math.floor(this.now() / 1000))
      await rename(this.path, join(this.opts.dir, rolled))
    }
    await this.handle.close().catch(() => undefined)
    this.handle = undefined
    this.handle = await open(this.path, 'a', 0o640)
    const st = await this.handle.stat()
    this.ino = st.ino
    this.size = st.size
    this.startedAt = st.size > 0 ? this.now() : 0
    await pruneRolledFiles(this.opts.dir, this.opts.name, this.opts.policy(), this.now(), this.size)
  }
}
