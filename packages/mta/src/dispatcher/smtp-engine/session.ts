// One SMTP/LMTP session: the command state machine of RFC 5321 §4.1.4 over a socket's 'data'
// events, with PIPELINING (RFC 2920), STARTTLS (RFC 3207), AUTH (RFC 4954), SIZE (RFC 1870),
// DSN (RFC 3461), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531), ENHANCEDSTATUSCODES (RFC 2034) and
// LMTP (RFC 2033).
//
// Input: the socket's Buffers are read in place (no Stream pipeline). Commands in one read are
// handled in order; a command whose handler is asynchronous holds the rest back (`busy`) and
// later reads are queued, the socket pausing when the queue grows past QUEUE_HIGH (backpressure,
// also while the message sink is writing). Output: replies are appended to one string and
// written once, when the input at hand is used up (RFC 2920 §3.2: a server may buffer replies
// until it would wait for input), before a TLS upgrade and before closing.
import { TLSSocket, type SecureContext } from 'node:tls'
import type { Socket } from 'node:net'
import { checkHeloName, parseCommand, parsePath } from './command.js'
import { DataReader } from './data-reader.js'
import { mailParams, rcptParams } from './esmtp-params.js'
import { formatMultiline, formatReply, isReply, replyOf, SmtpError, type SmtpReply } from './reply.js'
import { decodeBase64, decodePlain, LOGIN_PASSWORD, LOGIN_USERNAME } from './sasl.js'
import type { DataSink, EngineOptions, MailFrom, RcptTo, SmtpHandler } from './types.js'

/** RFC 5321 §4.5.3.1.4 allows 512 octets per command line; we accept up to 4 KB (AUTH blobs). */
export const MAX_COMMAND_LINE = 4096
/** Queued unread input above this pauses the socket; below QUEUE_LOW it resumes. */
const QUEUE_HIGH = 256 * 1024
const QUEUE_LOW = 64 * 1024

// Modes
const GREETING = 0 // connect hook pending: nothing is read yet
const CMD = 1
const DATA = 2
const AUTH_LINE = 3 // an AUTH exchange waits for the client's next line
const TLS_HANDSHAKE = 4
const CLOSED = 5

// What a pending async step is (see settle)
const K_CONNECT = 1
const K_AUTH = 2
const K_MAIL = 3
const K_RCPT = 4
const K_WRITE = 5
const K_END = 6

const SESSION = Symbol('smtpSession')
type Sock = (Socket | TLSSocket) & { [SESSION]?: SmtpSession }

// Socket listeners shared by all sessions (no closures per connection).
function onData(this: Sock, chunk: Buffer): void { this[SESSION]?.input(chunk) }
function onTimeout(this: Sock): void { this[SESSION]?.timeout() }
function onClose(this: Sock): void { this[SESSION]?.closed() }
function onError(this: Sock): void { /* 'close' follows */ }

let nextId = 1

export interface SessionHost {
  readonly options: EngineOptions
  readonly secureContext: SecureContext | undefined
  readonly handler: SmtpHandler
  readonly shuttingDown: boolean
  sessionClosed(s: SmtpSession): void
}

export class SmtpSession {
  readonly id = nextId++
  readonly localAddress: string
  readonly localPort: number
  readonly remoteAddress: string
  readonly remotePort: number
  secure: boolean
  /** The HELO/EHLO/LHLO argument (lower-cased), once given. */
  heloName: string | undefined
  /** EHLO (or LHLO) was used: ESMTP. */
  esmtp = false
  /** Authenticated identity (AUTH). */
  user: string | undefined
  /** Current transaction: MAIL FROM, accepted recipients. */
  mailFrom: MailFrom | undefined
  readonly rcpts: RcptTo[] = []
  /** Accepted RCPT commands in this transaction (LMTP: one reply each after DATA). */
  rcptCount = 0
  /** The handler's per-session state. */
  data: unknown

  private socket: Sock
  private mode = GREETING
  private out = ''
  private buf: Buffer | null = null
  private pos = 0
  private partial: Buffer | null = null
  private skipping = false // discarding the rest of an over-long command line
  private queued: Buffer[] = []
  private queuedBytes = 0
  private paused = false
  private busy = 0 // K_* of the pending async step, 0 when none
  private early = false // input before the greeting
  private errors = 0
  /** The command line being handled, as a B record would show it (AUTH data left out). */
  private commandText = ''
  private readonly reader = new DataReader()
  private sink: DataSink | undefined
  private tooBig = false
  private sinkFailed = false
  private authMech: 'PLAIN' | 'LOGIN' | undefined
  private authUser: string | undefined
  private rcptSeen = new Set<string>()
  private pendingRcpt: RcptTo | undefined
  private pendingMail: MailFrom | undefined
  private closing = false
  private readonly resolveStep: (v: unknown) => void
  private readonly rejectStep: (e: unknown) => void

  constructor(private readonly host: SessionHost, socket: Socket | TLSSocket, secure: boolean) {
    this.socket = socket
    this.secure = secure
    this.localAddress = socket.localAddress ?? ''
    this.localPort = socket.localPort ?? 0
    this.remoteAddress = (socket.remoteAddress ?? '').replace(/^::ffff:/, '')
    this.remotePort = socket.remotePort ?? 0
    this.resolveStep = (v) => this.settle(v, undefined, false)
    this.rejectStep = (e) => this.settle(undefined, e, true)
    this.attach(socket)
  }

  /** RFC 3848 transmission type: SMTP, ESMTP, ESMTPS, ESMTPSA, LMTP … */
  get transmissionType(): string {
    let t = this.host.options.lmtp ? 'LMTP' : this.esmtp ? 'ESMTP' : 'SMTP'
    if (this.secure) t += 'S'
    if (this.user) t += 'A'
    return t
  }

  private attach(socket: Sock): void {
    socket[SESSION] = this
    socket.on('data', onData)
    socket.on('close', onClose)
    socket.on('error', onError)
    socket.on('timeout', onTimeout)
    socket.setTimeout(this.host.options.idleTimeout)
  }

  private detach(socket: Sock): void {
    socket.removeListener('data', onData)
    socket.removeListener('close', onClose)
    socket.removeListener('timeout', onTimeout)
    socket.setTimeout(0)
    socket[SESSION] = undefined
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  /** Runs the connect hook, then greets (RFC 5321 §4.3.1: 220 <domain> …). */
  start(): void {
    this.step(K_CONNECT, () => this.host.handler.connect(this))
    if (!this.busy) this.run()
  }

  private greet(): void {
    const o = this.host.options
    if (this.early) {
      // RFC 5321 §4.3.1 / RFC 2920 §3.1: no command before the greeting (a spammer's pregreet).
      this.reply(421, '4.5.0', `${o.hostname} You talk too soon`)
      return this.close()
    }
    this.mode = CMD
    this.out += formatReply(220, '', `${o.hostname} ${o.lmtp ? 'LMTP' : 'ESMTP'} ${o.banner}`)
  }

  /** Replies 421 and closes (server shutdown). */
  shutdown(): void {
    if (this.mode === CLOSED) return
    if (this.busy || this.mode === DATA || this.mode === TLS_HANDSHAKE) { this.closing = true; return }
    this.reply(421, '4.3.2', `${this.host.options.hostname} Server shutting down`)
    this.close()
  }

  destroy(): void {
    this.socket.destroy()
  }

  timeout(): void {
    if (this.mode === CLOSED) return
    // RFC 5321 §4.5.3.2: a server may close an idle session; 421 first (§3.8).
    if (this.mode !== TLS_HANDSHAKE) {
      this.reply(421, '4.4.2', `${this.host.options.hostname} Timeout - closing connection`)
    }
    this.close()
  }

  /**
   * Flushes the replies and ends the connection: a half-close, destroyed if the peer lingers, so
   * that a client still sending (junk, a pipelined command after a 421) reads the reply before it
   * sees the connection go. After QUIT the client has nothing more to say (RFC 5321 §4.1.1.10: the
   * server sends 221 and closes): reading stops and the socket is closed as soon as the 221 is
   * written — many clients (smtp-source, for one) close with a reset, which a pending read would
   * turn into an error object per connection.
   */
  close(quit = false): void {
    if (this.mode === CLOSED) return
    const wasData = this.mode === DATA
    this.mode = CLOSED
    this.flush()
    if (wasData) this.abortSink()
    const s = this.socket
    if (quit) {
      s.pause()
      s.end(() => s.destroy())
      return
    }
    s.end()
    const t = setTimeout(() => s.destroy(), 5000)
    t.unref()
    s.once('close', () => clearTimeout(t))
  }

  closed(): void {
    if (this.mode === DATA) this.abortSink()
    this.mode = CLOSED
    this.detach(this.socket)
    this.buf = this.partial = null
    this.queued.length = 0
    this.host.sessionClosed(this)
  }

  private abortSink(): void {
    const sink = this.sink
    this.sink = undefined
    if (sink) try { sink.abort() } catch { /* the sink's own problem */ }
  }

  // ---- input ----------------------------------------------------------------------------------

  input(chunk: Buffer): void {
    if (this.mode === CLOSED || this.mode === TLS_HANDSHAKE) return
    if (this.mode === GREETING) this.early = true
    if (this.busy || this.buf) {
      this.queued.push(chunk)
      this.queuedBytes += chunk.length
      if (!this.paused && this.queuedBytes > QUEUE_HIGH) { this.paused = true; this.socket.pause() }
      return
    }
    this.buf = chunk
    this.pos = 0
    this.run()
  }

  /** Handles the input at hand until it is used up or an async step is pending; then writes. */
  private run(): void {
    try {
      while (!this.busy && this.mode !== CLOSED && this.mode !== TLS_HANDSHAKE && this.mode !== GREETING) {
        let buf = this.buf
        if (!buf) {
          const next = this.queued.shift()
          if (!next) break
          this.queuedBytes -= next.length
          if (this.paused && this.queuedBytes < QUEUE_LOW) { this.paused = false; this.socket.resume() }
          buf = this.buf = next
          this.pos = 0
        }
        if (this.pos >= buf.length) { this.buf = null; continue }
        if (this.mode === DATA) this.dataStep(buf)
        else this.lineStep(buf)
      }
    } catch (e) {
      // A bug must cost this session only (never the process, never other sessions).
      this.out += formatReply(421, '4.3.0', `${this.host.options.hostname} Internal error, closing connection`)
      this.close()
      return
    }
    if (!this.busy) this.flush()
  }

  private flush(): void {
    if (!this.out) return
    const s = this.socket
    if (!s.destroyed && s.writable) s.write(this.out)
    this.out = ''
  }

  private lineStep(buf: Buffer): void {
    let start = this.pos
    if (this.partial) {
      // the line began in an earlier read
      buf = this.buf = Buffer.concat([this.partial, buf.subarray(start)])
      this.partial = null
      start = this.pos = 0
    }
    const lf = buf.indexOf(10, start)
    if (lf < 0) {
      if (this.skipping || buf.length - start > MAX_COMMAND_LINE) this.skipping = true
      else this.partial = start === 0 ? buf : buf.subarray(start)
      this.buf = null
      return
    }
    this.pos = lf + 1
    if (this.pos >= buf.length) this.buf = null
    let end = lf
    if (end > start && buf[end - 1] === 13) end--
    if (this.skipping || end - start > MAX_COMMAND_LINE) {
      // (an AUTH response keeps the B record's `AUTH <mechanism>`; a skipped line's start is gone)
      if (this.mode !== AUTH_LINE) this.commandText = this.skipping ? `(a line over ${MAX_COMMAND_LINE} octets)` : `${buf.toString('latin1', start, start + 64)}…`
      this.skipping = false
      this.mode = CMD
      this.authMech = undefined
      return this.error(500, '5.5.2', 'Line too long')
    }
    const line = buf.toString('utf8', start, end)
    if (this.mode === AUTH_LINE) this.authLine(line)
    else this.command(line)
  }

  // ---- replies --------------------------------------------------------------------------------

  private reply(code: number, enhanced: string | undefined, text: string): void {
    this.out += formatReply(code, enhanced, text)
  }

  /** A protocol error (syntax, sequence): counted; too many drop the session. */
  private error(code: number, enhanced: string, text: string): void {
    this.reply(code, enhanced, text)
    this.host.handler.badCommand?.(this, this.commandText, `${code} ${enhanced} ${text}`)
    if (++this.errors >= (this.host.options.maxErrors ?? 10)) {
      this.reply(421, '4.7.0', `${this.host.options.hostname} Too many errors, closing connection`)
      this.close()
    }
  }

  private failure(e: unknown): void {
    if (isReply(e)) this.out += replyOf(e)
    else this.reply(451, '4.3.0', 'Internal error')
  }

  // ---- async steps ----------------------------------------------------------------------------

  /** Runs a hook; a promise makes the session wait (busy) until it settles. */
  private step(kind: number, fn: () => unknown): void {
    let r: unknown
    try {
      r = fn()
    } catch (e) {
      this.done(kind, undefined, e, true)
      return
    }
    if (r instanceof Promise) {
      this.busy = kind
      r.then(this.resolveStep, this.rejectStep)
    } else this.done(kind, r, undefined, false)
  }

  private settle(v: unknown, e: unknown, failed: boolean): void {
    const kind = this.busy
    this.busy = 0
    if (this.mode === CLOSED) {
      if (kind === K_WRITE && this.sink) this.abortSink()
      return
    }
    try {
      this.done(kind, v, e, failed)
    } catch {
      this.reply(421, '4.3.0', `${this.host.options.hostname} Internal error, closing connection`)
      this.close()
      return
    }
    if (this.closing && !this.busy && this.mode === CMD) return this.shutdown()
    this.run()
  }

  private done(kind: number, v: unknown, e: unknown, failed: boolean): void {
    switch (kind) {
      case K_CONNECT:
        if (failed) {
          if (isReply(e)) this.out += replyOf(e)
          else this.reply(421, '4.3.0', `${this.host.options.hostname} Service not available`)
          return this.close()
        }
        return this.greet()
      case K_AUTH:
        this.authUser = undefined
        if (failed) return this.failure(e)
        this.user = String(v)
        return this.reply(235, '2.7.0', 'Authentication successful')
      case K_MAIL:
        if (failed) { this.pendingMail = undefined; return this.failure(e) }
        this.mailFrom = this.pendingMail
        this.pendingMail = undefined
        return this.reply(250, '2.1.0', 'Accepted')
      case K_RCPT: {
        const r = this.pendingRcpt!
        this.pendingRcpt = undefined
        if (failed) return this.failure(e)
        const key = r.address.toLowerCase()
        if (!this.rcptSeen.has(key)) { this.rcptSeen.add(key); this.rcpts.push(r) }
        this.rcptCount++
        return this.reply(250, '2.1.5', 'Accepted')
      }
      case K_WRITE:
        if (failed) this.sinkFailed = true
        return
      case K_END:
        return this.endReply(v, e, failed)
    }
  }

  // ---- commands -------------------------------------------------------------------------------

  private command(line: string): void {
    if (this.host.shuttingDown) {
      this.reply(421, '4.3.2', `${this.host.options.hostname} Server shutting down`)
      return this.close()
    }
    const { verb, arg } = parseCommand(line)
    this.commandText = verb === 'AUTH' ? `AUTH ${arg.split(' ')[0]}` : line
    switch (verb) {
      case 'EHLO': case 'HELO': case 'LHLO': return this.hello(verb, arg)
      case 'MAIL': return this.mail(arg)
      case 'RCPT': return this.rcpt(arg)
      case 'DATA': return this.dataCmd()
      case 'RSET':
        this.resetTransaction()
        return this.reply(250, '2.0.0', 'OK')
      case 'NOOP': return this.reply(250, '2.0.0', 'OK')
      case 'QUIT':
        this.reply(221, '2.0.0', 'Bye')
        return this.close(true)
      case 'VRFY':
        // RFC 5321 §3.5.3: 252 when the server will not verify but will accept mail
        if (!arg.trim()) return this.error(501, '5.5.4', 'Syntax: VRFY address')
        return this.reply(252, '2.1.5', 'Try to send something. No promises though')
      case 'HELP': return this.reply(214, '2.0.0', 'See https://tools.ietf.org/html/rfc5321 for details')
      case 'STARTTLS': return this.starttls(arg)
      case 'AUTH': return this.auth(arg)
      case 'EXPN': case 'TURN': case 'ETRN': case 'BDAT':
        return this.error(502, '5.5.1', 'Command not implemented')
      default:
        // a web page's cross-protocol request (`POST / HTTP/1.1`): not a mail client
        if (/^(GET|POST|HEAD|PUT|OPTIONS|DELETE|CONNECT|TRACE)$/.test(verb) && / HTTP\/\d\.\d$/.test(arg)) {
          this.reply(421, '4.7.0', 'HTTP requests not allowed')
          return this.close()
        }
        return this.error(500, '5.5.2', 'Error: command not recognized')
    }
  }

  private resetTransaction(): void {
    this.mailFrom = undefined
    this.rcpts.length = 0
    this.rcptCount = 0
    if (this.rcptSeen.size) this.rcptSeen = new Set()
  }

  /** RFC 5321 §4.1.1.1 (EHLO/HELO), RFC 2033 §4.1 (LHLO). EHLO resets the transaction (§4.1.4). */
  private hello(verb: string, arg: string): void {
    const o = this.host.options
    if (o.lmtp ? verb !== 'LHLO' : verb === 'LHLO') {
      return this.error(500, '5.5.1', o.lmtp ? `Error: ${verb} not allowed in LMTP server` : 'Error: command not recognized')
    }
    const name = arg.trim()
    if (!name || name.indexOf(' ') >= 0) return this.error(501, '5.5.4', `Error: syntax: ${verb} hostname`)
    if (!checkHeloName(name)) return this.error(501, '5.5.4', 'Error: Bad hostname syntax')
    this.resetTransaction()
    this.heloName = name.toLowerCase()
    this.esmtp = verb !== 'HELO'
    const greeting = `${o.hostname} Nice to meet you, [${this.remoteAddress}]`
    if (verb === 'HELO') return this.reply(250, '', greeting)
    const ext = [greeting, 'PIPELINING', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'DSN']
    if (this.authOffered() && !this.user) ext.push('AUTH PLAIN LOGIN')
    if (this.starttlsOffered()) ext.push('STARTTLS')
    ext.push(o.size ? `SIZE ${o.size}` : 'SIZE') // RFC 1870 §4: a bare SIZE announces no fixed maximum
    this.out += formatMultiline(250, ext)
  }

  /** RFC 4954 §4: no AUTH over a cleartext channel unless configured; never on LMTP. */
  private authOffered(): boolean {
    const o = this.host.options
    return !o.lmtp && (this.secure || o.allowInsecureAuth)
  }

  private starttlsOffered(): boolean {
    const o = this.host.options
    return !o.lmtp && o.starttls && !!this.host.secureContext && !this.secure
  }

  /** Checks common to MAIL, RCPT, DATA: HELO first, AUTH when required. */
  private ready(): boolean {
    const o = this.host.options
    if (!this.heloName) { this.error(503, '5.5.1', `Error: send ${o.lmtp ? 'LHLO' : 'HELO/EHLO'} first`); return false }
    if (o.authRequired && !this.user) { this.error(530, '5.7.0', 'Authentication required'); return false }
    return true
  }

  /** RFC 5321 §4.1.1.2 MAIL, with RFC 1870 SIZE, RFC 6152 BODY, RFC 6531 SMTPUTF8, RFC 3461 RET/ENVID. */
  private mail(arg: string): void {
    if (!this.ready()) return
    if (this.mailFrom) return this.error(503, '5.5.1', 'Error: nested MAIL command')
    let from: MailFrom
    try {
      const p = parsePath(arg, 'FROM')
      const params = mailParams(p.params, this.host.options.size)
      // RFC 6531 §3.4: a non-ASCII path needs SMTPUTF8 on this MAIL (553 5.6.7, §3.7.4.1).
      if (p.utf8 && !params.smtpUtf8) throw new SmtpError(553, '5.6.7', 'Non-ASCII address requires SMTPUTF8')
      from = { address: p.address, params }
    } catch (e) {
      if (!isReply(e)) throw e
      const r = e
      return r.code === 552 || r.code === 553 ? this.failure(r) : this.error(r.code, r.enhanced ?? '5.5.4', r.text)
    }
    this.pendingMail = from
    this.step(K_MAIL, () => this.host.handler.mailFrom(this, from))
  }

  /** RFC 5321 §4.1.1.3 RCPT, with RFC 3461 NOTIFY/ORCPT. */
  private rcpt(arg: string): void {
    if (!this.ready()) return
    if (!this.mailFrom) return this.error(503, '5.5.1', 'Error: need MAIL command')
    let rcpt: RcptTo
    try {
      const p = parsePath(arg, 'TO')
      if (p.utf8 && !this.mailFrom.params.smtpUtf8) throw new SmtpError(553, '5.6.7', 'Non-ASCII address requires SMTPUTF8')
      rcpt = { address: p.address, params: rcptParams(p.params) }
    } catch (e) {
      if (!isReply(e)) throw e
      const r = e
      return r.code === 553 ? this.failure(r) : this.error(r.code, r.enhanced ?? '5.5.4', r.text)
    }
    const max = this.host.options.maxRecipients
    // RFC 5321 §4.5.3.1.10: 452 for too many recipients (a repeated address does not count).
    if (max && this.rcpts.length >= max && !this.rcptSeen.has(rcpt.address.toLowerCase())) {
      return this.reply(452, '4.5.3', 'Error: too many recipients')
    }
    this.pendingRcpt = rcpt
    this.step(K_RCPT, () => this.host.handler.rcptTo(this, rcpt))
  }

  // ---- DATA -----------------------------------------------------------------------------------

  /** RFC 5321 §4.1.1.4: 354, then the content up to CRLF.CRLF (data-reader.ts). */
  private dataCmd(): void {
    if (!this.ready()) return
    if (!this.mailFrom) return this.error(503, '5.5.1', 'Error: need MAIL command')
    if (!this.rcpts.length) return this.error(503, '5.5.1', 'Error: need RCPT command')
    this.sink = this.host.handler.data(this)
    this.reader.reset()
    this.tooBig = false
    this.sinkFailed = false
    this.mode = DATA
    this.reply(354, '', 'End data with <CR><LF>.<CR><LF>')
  }

  private dataStep(buf: Buffer): void {
    const r = this.reader
    const end = r.push(buf, this.pos)
    if (end < 0) this.buf = null
    else { this.pos = end; if (end >= buf.length) this.buf = null }
    const size = this.host.options.size
    // RFC 1870 §6.3: over the limit, the rest is read and dropped; 552 at the end.
    if (size && r.bytes > size) this.tooBig = true
    const sink = this.sink!
    if (!this.tooBig && !this.sinkFailed && r.out.length) {
      const chunk = r.out.length === 1 ? r.out[0] : Buffer.concat(r.out)
      r.out.length = 0
      if (end < 0) return this.step(K_WRITE, () => sink.write(chunk))
      // last chunk: write it, then end (a promise chain, the write may be pending)
      this.mode = CMD
      let w: unknown
      try { w = sink.write(chunk) } catch { this.sinkFailed = true }
      if (w instanceof Promise) {
        return this.step(K_END, () => w.then(() => this.endSink(sink), () => { this.sinkFailed = true; return this.endSink(sink) }))
      }
    } else if (end < 0) return
    this.mode = CMD
    this.step(K_END, () => this.endSink(sink))
  }

  private endSink(sink: DataSink): Promise<SmtpReply | SmtpReply[]> {
    if (this.sinkFailed && !this.tooBig) {
      return sink.end(true).then(() => { throw new SmtpError(451, '4.3.0', 'Error writing message') })
    }
    return sink.end(this.tooBig)
  }

  /** The reply to the end of data: one, or (LMTP, RFC 2033 §4.2) one per accepted RCPT. */
  private endReply(v: unknown, e: unknown, failed: boolean): void {
    this.sink = undefined
    const o = this.host.options
    const n = o.lmtp ? this.rcptCount : 1
    let replies: SmtpReply[]
    if (this.tooBig) {
      replies = [{ code: 552, enhanced: '5.3.4', text: `Message size exceeds fixed maximum message size ${o.size}` }]
    } else if (failed) {
      replies = [isReply(e) ? e : { code: 451, enhanced: '4.3.0', text: 'Internal error' }]
    } else {
      replies = Array.isArray(v) ? v : [v as SmtpReply]
      if (!replies.length || !replies.every(isReply)) replies = [{ code: 451, enhanced: '4.3.0', text: 'Internal error' }]
    }
    for (let i = 0; i < n; i++) this.out += replyOf(replies[Math.min(i, replies.length - 1)])
    this.resetTransaction()
  }

  // ---- STARTTLS (RFC 3207) --------------------------------------------------------------------

  private starttls(arg: string): void {
    if (!this.starttlsOffered()) {
      return this.secure && !this.host.options.lmtp ? this.error(503, '5.5.1', 'Error: TLS already active') : this.error(502, '5.5.1', 'Command not implemented')
    }
    if (arg.trim()) return this.error(501, '5.5.4', 'Syntax: STARTTLS')
    this.reply(220, '2.0.0', 'Ready to start TLS')
    this.flush()
    // RFC 3207 §4.2 / §6: anything the client sent after STARTTLS in cleartext is discarded
    // (command injection), and everything learnt before TLS is forgotten.
    this.buf = this.partial = null
    this.queued.length = 0
    this.queuedBytes = 0
    this.mode = TLS_HANDSHAKE
    const raw = this.socket
    this.detach(raw)
    raw.removeListener('error', onError)
    if (this.paused) { this.paused = false; raw.resume() }
    const ts: Sock = new TLSSocket(raw as Socket, { isServer: true, secureContext: this.host.secureContext })
    this.socket = ts
    ts.on('error', onError)
    ts.on('close', onClose)
    ts[SESSION] = this
    ts.setTimeout(this.host.options.idleTimeout)
    ts.on('timeout', onTimeout)
    ts.once('secure', () => {
      if (this.mode !== TLS_HANDSHAKE) return
      this.secure = true
      this.heloName = undefined
      this.esmtp = false
      this.user = undefined
      this.errors = 0
      this.resetTransaction()
      this.mode = CMD
      ts.on('data', onData)
    })
  }

  // ---- AUTH (RFC 4954) ------------------------------------------------------------------------

  private auth(arg: string): void {
    const o = this.host.options
    if (o.lmtp) return this.error(502, '5.5.1', 'Command not implemented')
    if (!this.heloName) return this.error(503, '5.5.1', 'Error: send HELO/EHLO first')
    if (!this.authOffered()) return this.error(538, '5.7.11', 'Error: Must issue a STARTTLS command first')
    if (this.user) return this.error(503, '5.5.1', 'Error: No identity changes permitted')
    // RFC 4954 §4: AUTH is not permitted during a mail transaction
    if (this.mailFrom) return this.error(503, '5.5.1', 'Error: Mail transaction in progress')
    const t = arg.trim()
    const sp = t.indexOf(' ')
    const mech = (sp < 0 ? t : t.slice(0, sp)).toUpperCase()
    const initial = sp < 0 ? undefined : t.slice(sp + 1).trim()
    if (mech === 'PLAIN') {
      this.authMech = 'PLAIN'
      if (initial === undefined) { this.mode = AUTH_LINE; return this.reply(334, '', '') }
      // RFC 4954 §4: "=" is an empty initial response
      return this.authLine(initial === '=' ? '' : initial, true)
    }
    if (mech === 'LOGIN') {
      this.authMech = 'LOGIN'
      this.authUser = undefined
      this.mode = AUTH_LINE
      if (initial === undefined) return this.reply(334, '', LOGIN_USERNAME)
      return this.authLine(initial === '=' ? '' : initial, true)
    }
    return this.error(504, '5.5.4', 'Error: Unrecognized authentication type')
  }

  /** A line of an AUTH exchange (or the initial response). */
  private authLine(line: string, initial = false): void {
    this.mode = CMD
    const mech = this.authMech
    if (!initial && line.trim() === '*') {
      // RFC 4954 §4: the client cancelled
      this.authMech = this.authUser = undefined
      return this.error(501, '5.7.0', 'Authentication aborted')
    }
    if (mech === 'PLAIN') {
      this.authMech = undefined
      const c = decodePlain(line)
      if (c === 'bad') return this.error(501, '5.5.2', 'Error: invalid userdata')
      if (c === 'authz') return this.reply(535, '5.7.8', 'Authentication credentials invalid')
      return this.step(K_AUTH, () => this.host.handler.auth(this, c.username, c.password))
    }
    // LOGIN: username, then password
    const b = decodeBase64(line)
    if (!b) { this.authMech = this.authUser = undefined; return this.error(501, '5.5.2', 'Error: invalid userdata') }
    if (this.authUser === undefined) {
      const u = b.toString('utf8')
      if (!u) { this.authMech = undefined; return this.error(501, '5.5.2', 'Error: missing username') }
      this.authUser = u
      this.mode = AUTH_LINE
      return this.reply(334, '', LOGIN_PASSWORD)
    }
    const user = this.authUser
    this.authMech = undefined
    this.step(K_AUTH, () => this.host.handler.auth(this, user, b.toString('utf8')))
  }
}
