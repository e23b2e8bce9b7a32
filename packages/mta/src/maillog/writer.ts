// Buffered writer for DataRoot/log/mail.log_current and connection.log_current (spec 01 §22).
// Lines are gathered in memory and appended every `flushIntervalMs` (or when the buffer grows past
// 64 KB) with one append per file, so that several processes (dispatcher, job controller, tools)
// can share the files: each append is a single O_APPEND write of whole lines, and opening by name
// on every flush follows the nightly rollover (rollover.ts) without a reopen signal.
import { appendFileSync, mkdirSync } from 'node:fs'
import { appendFile, mkdir } from 'node:fs/promises'
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

export class MailLog {
  readonly options: LogOptions
  readonly mailPath: string
  readonly connectionPath: string
  private mailBuf: string[] = []
  private connBuf: string[] = []
  private size = 0
  private timer: NodeJS.Timeout | undefined
  private flushing: Promise<void> = Promise.resolve()
  private seq = 0
  private closed = false
  private readonly pidHex = process.pid.toString(16)

  constructor(private readonly init: MailLogInit) {
    const dir = init.logDir ?? join(init.dataRoot ?? '.', 'log')
    this.mailPath = join(dir, 'mail.log_current')
    this.connectionPath = join(dir, 'connection.log_current')
    const base = init.config ? logOptionsFromConfig(init.config) : DEFAULT_LOG_OPTIONS
    this.options = { ...base, ...(init.options ?? {}) }
    mkdirSync(dir, { recursive: true })
    trackOpen(this)
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
    if (this.size >= MAX_BUFFER) void this.flush()
    else if (!this.timer) {
      this.timer = setTimeout(() => { this.timer = undefined; void this.flush() }, this.init.flushIntervalMs ?? 100)
      this.timer.unref()
    }
  }

  /** Append everything buffered so far. */
  flush(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined }
    const mail = this.mailBuf.join('')
    const conn = this.connBuf.join('')
    this.mailBuf = []
    this.connBuf = []
    this.size = 0
    const run = async () => {
      if (!mail && !conn) return
      await mkdir(join(this.mailPath, '..'), { recursive: true })
      if (mail) await appendFile(this.mailPath, mail)
      if (conn) await appendFile(this.connectionPath, conn)
    }
    this.flushing = this.flushing.then(run, run)
    return this.flushing
  }

  /** Synchronous flush (process exit paths). */
  flushSync(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined }
    if (this.mailBuf.length) appendFileSync(this.mailPath, this.mailBuf.join(''))
    if (this.connBuf.length) appendFileSync(this.connectionPath, this.connBuf.join(''))
    this.mailBuf = []
    this.connBuf = []
    this.size = 0
  }

  async close(): Promise<void> {
    this.closed = true
    openLogs.delete(this)
    await this.flush()
  }
}

export function openMailLog(init: MailLogInit): MailLog {
  return new MailLog(init)
}
