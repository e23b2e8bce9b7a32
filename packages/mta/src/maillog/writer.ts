// Buffered writer for DataRoot/log/mail.log_current and connection.log_current (spec 01 §22).
// Lines are gathered in memory and appended every `flushIntervalMs` (or when the buffer grows past
// 64 KB), or at once by `sync()`, with one write per file, so that several processes (dispatcher,
// job controller, tools) can share the files: each append is a single O_APPEND write of whole lines.
// `sync()` is called where a record's state change is committed — before an SMTP 250, before a
// delivered queue entry is removed — so that a process killed with `kill -9` has not lost the
// lines of mail it acknowledged or delivered (they are in the page cache; no fsync).
// The files stay open and are reopened by name at most a second after the nightly rollover
// renamed them (rollover.ts), or at once in the process that rolled them.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { ConfigView } from '@wren/kernel'
import { formatLogRecord } from './format.js'
import { DEFAULT_LOG_OPTIONS, logOptionsFromConfig, type LogOptions } from './options.js'
import type { ConnectionLogRecord, LogRecord, MessageLogRecord } from './record.js'

export interface MailLogInit {
  /** Data root; the files go to `<dataRoot>/log/`. */
  dataRoot?: string
  /** Or the log directory itself. */
  logDir?: string
  /** LOG_* options come from here (`mta.log_format`, …) … */
  config?: ConfigView
  /** … overridden by these. */
  options?: Partial<LogOptions>
  /** Whether a channel has the `logging` keyword; message records are written only for such channels. Default: all. */
  channelLogging?: (channel: string) => boolean
  flushIntervalMs?: number
  /** Clock (tests). */
  now?: () => Date
}

const MAX_BUFFER = 64 * 1024
/** How long an open log file is written before it is reopened by name (to follow a rollover). */
const REOPEN_MS = 1000

// Lines still buffered when the process exits are written synchronously (one hook for all logs).
const openLogs = new Set<MailLog>()
let exitHook = false
function trackOpen(log: MailLog): void {
  openLogs.add(log)
  if (exitHook) return
  exitHook = true
  process.once('exit', () => {
    for (const l of openLogs) {
      try { l.flushSync() } catch { /* nothing more can be done at exit */ }
    }
  })
}

/** The rollover renamed the files: every log of this process reopens them by name on its next write. */
export function reopenMailLogs(): void {
  for (const l of openLogs) l.reopen()
}

/** An append-only file kept open, reopened by name every REOPEN_MS (a renamed file is left behind). */
class AppendFile {
  private fd: number | undefined
  private openedAt = 0
  constructor(readonly path: string) {}

  write(text: string): void {
    if (this.fd !== undefined && Date.now() - this.openedAt > REOPEN_MS) this.close()
    if (this.fd === undefined) {
      mkdirSync(join(this.path, '..'), { recursive: true })
      this.fd = openSync(this.path, 'a')
      this.openedAt = Date.now()
    }
    writeSync(this.fd, text)
  }

  close(): void {
    if (this.fd === undefined) return
    const fd = this.fd
    this.fd = undefined
    try { closeSync(fd) } catch { /* already gone */ }
  }
}

export class MailLog {
  private opts: LogOptions
  readonly mailPath: string
  readonly connectionPath: string
  private mailBuf: string[] = []
  private connBuf: string[] = []
  private size = 0
  private timer: NodeJS.Timeout | undefined
  private readonly mailFile: AppendFile
  private readonly connectionFile: AppendFile
  private writeFailed = false
  private seq = 0
  private closed = false
  private readonly pidHex = process.pid.toString(16)

  constructor(private readonly init: MailLogInit) {
    const dir = init.logDir ?? join(init.dataRoot ?? '.', 'log')
    this.mailPath = join(dir, 'mail.log_current')
    this.connectionPath = join(dir, 'connection.log_current')
    this.mailFile = new AppendFile(this.mailPath)
    this.connectionFile = new AppendFile(this.connectionPath)
    const base = init.config ? logOptionsFromConfig(init.config) : DEFAULT_LOG_OPTIONS
    this.opts = { ...base, ...(init.options ?? {}) }
    mkdirSync(dir, { recursive: true })
    trackOpen(this)
  }

  /** The LOG_* options in force (replaced by `setOptions` on a refresh). */
  get options(): LogOptions { return this.opts }

  /**
   * Replaces the LOG_* options (a configuration refresh: `msconfig set mta.log_connection 3`); the
   * next record is written with them. Options given at construction (`init.options`) still win.
   * Lines already buffered keep the format they were written in.
   */
  setOptions(options: LogOptions): void {
    this.opts = { ...options, ...(this.init.options ?? {}) }
  }

  /** Re-reads the LOG_* options from the configuration view the log was opened with (if any). */
  reloadOptions(): void {
    if (this.init.config) this.setOptions(logOptionsFromConfig(this.init.config))
  }

  /** Should a message record involving these channels be written (channel `logging` keyword)? */
  wantsMessage(source: string, destination?: string): boolean {
    if (this.options.messagesSyslog < 0) return false
    const f = this.init.channelLogging
    if (!f) return true
    return f(source) || (destination !== undefined && destination !== '' && f(destination))
  }

  /** Should a connection record with this action be written (LOG_CONNECTION bits)? */
  wantsConnection(action: ConnectionLogRecord['action']): boolean {
    if (this.options.messagesSyslog < 0) return false
    return action === 'U' ? (this.options.connection & 128) !== 0 : (this.options.connection & 1) !== 0
  }

  /** Log an enqueue/dequeue record (E D Q R J K W Z V B S P). */
  message(rec: MessageLogRecord): void {
    if (!this.wantsMessage(rec.source, rec.destination)) return
    this.push({ ...rec, kind: 'message' }, false)
  }

  /** Log a connection record (O C T U X Y I). */
  connection(rec: Omit<ConnectionLogRecord, 'kind'>): void {
    if (!this.wantsConnection(rec.action)) return
    this.push({ ...rec, kind: 'connection' }, this.options.separateConnectionLog)
  }

  /** Log a header line (`<he>`; XML format only). */
  header(value: string, process?: string): void {
    if (this.options.format !== 4 || this.options.messagesSyslog < 0) return
    this.push({ kind: 'header', value, ...(process ? { process } : {}) }, false)
  }

  /** Write any record, applying the same filters. */
  write(rec: LogRecord): void {
    if (rec.kind === 'connection') this.connection(rec)
    else if (rec.kind === 'header') this.header(rec.value, rec.process)
    else this.message(rec)
  }

  private push(rec: LogRecord, toConnectionLog: boolean): void {
    if (this.closed) return
    const filled = this.options.process && !rec.process ? { ...rec, process: `${this.pidHex}.${++this.seq}` } : rec
    const line = formatLogRecord(filled, this.options, this.init.now?.() ?? new Date()) + '\n'
    ;(toConnectionLog ? this.connBuf : this.mailBuf).push(line)
    this.size += line.length
    if (this.size >= MAX_BUFFER) this.sync()
    else if (!this.timer) {
      this.timer = setTimeout(() => { this.timer = undefined; this.sync() }, this.init.flushIntervalMs ?? 100)
      this.timer.unref()
    }
  }

  /**
   * Writes everything buffered so far, now. A failed write (disk full, directory removed) drops
   * those lines with one warning on stderr: logging never stops mail flow.
   */
  sync(): void {
    try {
      this.flushSync()
      this.writeFailed = false
    } catch (e) {
      if (!this.writeFailed) process.stderr.write(`mail.log: lines lost, cannot write ${this.mailPath}: ${(e as Error).message}\n`)
      this.writeFailed = true
      this.mailFile.close()
      this.connectionFile.close()
    }
  }

  /** Append everything buffered so far (written before the promise is returned). */
  flush(): Promise<void> {
    this.sync()
    return Promise.resolve()
  }

  /** Synchronous flush that throws on a write error (process exit paths, tests). */
  flushSync(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined }
    const mail = this.mailBuf.join('')
    const conn = this.connBuf.join('')
    this.mailBuf = []
    this.connBuf = []
    this.size = 0
    if (mail) this.mailFile.write(mail)
    if (conn) this.connectionFile.write(conn)
  }

  /** Reopen the files by name on the next write (after a rollover). */
  reopen(): void {
    this.mailFile.close()
    this.connectionFile.close()
  }

  async close(): Promise<void> {
    this.closed = true
    openLogs.delete(this)
    this.sync()
    this.reopen()
  }
}

export function openMailLog(init: MailLogInit): MailLog {
  return new MailLog(init)
}
