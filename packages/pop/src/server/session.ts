// One POP3 session: the RFC 1939 state machine (AUTHORIZATION → TRANSACTION → UPDATE) with CAPA
// (RFC 2449), STLS (RFC 2595), AUTH PLAIN (RFC 5034), RESP-CODES (RFC 2449 §8, RFC 3206) and
// PIPELINING (RFC 2449 §6.6: commands are read and answered strictly in order).
import type { Socket } from 'node:net'
import { TLSSocket, type SecureContext } from 'node:tls'
import type { Logger } from '@wren/kernel'
import type { MailStore } from '@wren/store'
import { parseCommand, parseLineCount, parseMessageNumber, MAX_COMMAND_LINE, type PopCommand } from '../protocol/command.js'
import { ok, err, continuation, multiline } from '../protocol/response.js'
import { DotStuffer, TopLimiter } from '../protocol/dot-stuffing.js'
import { LineSplitter } from '../protocol/line-splitter.js'
import { decodePlain } from '../protocol/sasl-plain.js'
import { capabilities } from '../protocol/capa.js'
import type { PopAuthenticator } from './ports.js'
import type { MaildropLocks } from './maildrop-lock.js'
import { Maildrop, type MaildropMessage } from './maildrop.js'

export interface SessionEnv {
  store: MailStore
  auth: PopAuthenticator
  locks: MaildropLocks
  logger: Logger
  hostname: string
  greeting: string
  secureContext?: SecureContext
  /** Plaintext USER/PASS and AUTH PLAIN without TLS (`pop.plaintextmincipher` 0). */
  allowPlaintext: boolean
  idleTimeoutMs: number
}

type State = 'AUTHORIZATION' | 'TRANSACTION' | 'UPDATE' | 'CLOSED'

/** RFC 5034 §4: SASL responses may be longer than a command line. */
const MAX_SASL_LINE = 8192
const READ_CHUNK = 256 * 1024
/** Consecutive bad commands before the server gives up on a client. */
const MAX_BAD_COMMANDS = 20

export class PopSession {
  private state: State = 'AUTHORIZATION'
  private socket: Socket
  private tls: boolean
  private splitter = new LineSplitter(MAX_SASL_LINE)
  private queue: Array<string | null> = []
  private busy = false
  private user: string | undefined
  private userid: string | undefined
  private maildrop: Maildrop | undefined
  private saslPending = false
  /** Set while the UPDATE state applies deletions. */
  private updating: Promise<void> | undefined
  private badCommands = 0
  private bytesIn = 0
  private bytesOut = 0
  private readonly started = new Date()
  private readonly peer: string
  private readonly peerIp: string
  private onData = (chunk: Buffer) => this.receive(chunk)
  private closedResolve!: () => void
  readonly closed = new Promise<void>((r) => (this.closedResolve = r))

  constructor(socket: Socket, private readonly env: SessionEnv, implicitTls: boolean) {
    this.socket = socket
    this.tls = implicitTls
    this.peerIp = socket.remoteAddress ?? '?'
    this.peer = `${this.peerIp}:${socket.remotePort ?? 0}`
    this.attach(socket)
    this.write(ok(env.greeting))
  }

  private attach(socket: Socket): void {
    socket.on('data', this.onData)
    socket.on('error', () => this.finish())
    socket.on('close', () => this.finish())
    socket.setTimeout(this.env.idleTimeoutMs)
    socket.on('timeout', () => {
      // RFC 1939 §3: an autologout timer ends the session without entering the UPDATE state.
      this.write(err('Disconnected for inactivity'))
      this.socket.end()
    })
  }

  private write(text: string | Buffer): boolean {
    if (this.state === 'CLOSED' || this.socket.destroyed) return false
    this.bytesOut += typeof text === 'string' ? Buffer.byteLength(text) : text.length
    return this.socket.write(text)
  }

  private receive(chunk: Buffer): void {
    this.bytesIn += chunk.length
    for (const item of this.splitter.push(chunk)) this.queue.push('line' in item ? item.line : null)
    void this.drain()
  }

  /** Runs queued commands one at a time (PIPELINING: responses in command order). */
  private async drain(): Promise<void> {
    if (this.busy) return
    this.busy = true
    try {
      while (this.queue.length && this.state !== 'CLOSED' && !this.socket.destroyed) {
        const line = this.queue.shift()!
        try {
          await this.handleLine(line)
        } catch (e) {
          this.env.logger.error('General', `pop session ${this.peer}: ${e instanceof Error ? e.message : String(e)}`)
          this.write(err('Internal server error, try again later', 'SYS/TEMP'))
        }
      }
    } finally {
      this.busy = false
    }
  }

  private async handleLine(line: string | null): Promise<void> {
    if (this.saslPending) return this.saslResponse(line)
    if (line === null || line.length + 2 > MAX_COMMAND_LINE) return this.bad('Command line too long')
    const parsed = parseCommand(line)
    if (!parsed.ok) return this.bad(parsed.error)
    const cmd = parsed.command
    const handled = this.state === 'AUTHORIZATION' ? await this.authorization(cmd) : await this.transaction(cmd)
    if (handled === 'unknown') return this.bad(`Unknown command: ${cmd.keyword}`)
    if (handled === 'state') return this.bad(`${cmd.keyword} not valid in the ${this.state} state`)
    this.badCommands = 0
  }

  private bad(text: string): void {
    this.write(err(text))
    if (++this.badCommands >= MAX_BAD_COMMANDS) {
      this.write(err('Too many invalid commands, closing connection'))
      this.socket.end()
    }
  }

  // ------------------------------------------------------------------ AUTHORIZATION (RFC 1939 §4)

  private async authorization(cmd: PopCommand): Promise<'ok' | 'unknown' | 'state'> {
    switch (cmd.keyword) {
      case 'CAPA': return this.capa()
      case 'QUIT':
        this.write(ok(`${this.env.hostname} POP3 server signing off`))
        this.end()
        return 'ok'
      case 'STLS': return this.stls(cmd)
      case 'USER': {
        if (!this.plaintextAllowed()) {
          this.write(err('Plaintext authentication disallowed on non-secure connection; use STLS', 'AUTH'))
          return 'ok'
        }
        if (cmd.rest.length === 0) { this.write(err('USER requires a user name')); return 'ok' }
        this.user = cmd.rest.trim()
        this.write(ok('Password required'))
        return 'ok'
      }
      case 'PASS': {
        if (this.user === undefined) { this.write(err('USER first')); return 'ok' }
        const user = this.user
        this.user = undefined
        await this.login(user, cmd.rest, 'plaintext')
        return 'ok'
      }
      case 'AUTH': return this.auth(cmd)
      case 'APOP':
        this.write(err('APOP not supported'))
        return 'ok'
      case 'STAT': case 'LIST': case 'RETR': case 'DELE': case 'NOOP': case 'RSET': case 'TOP': case 'UIDL':
        return 'state'
      default: return 'unknown'
    }
  }

  private plaintextAllowed(): boolean {
    return this.tls || this.env.allowPlaintext
  }

  private capa(): 'ok' {
    const caps = capabilities({
      tls: this.tls,
      tlsAvailable: this.env.secureContext !== undefined,
      plaintextAllowed: this.plaintextAllowed(),
      authenticated: this.state === 'TRANSACTION',
    })
    this.write(multiline('Capability list follows', caps))
    return 'ok'
  }

  private stls(cmd: PopCommand): 'ok' {
    if (cmd.args.length) { this.write(err('STLS takes no arguments')); return 'ok' }
    if (this.tls) { this.write(err('Command not permitted when TLS active')); return 'ok' }
    if (!this.env.secureContext) { this.write(err('TLS not available')); return 'ok' }
    // RFC 2595 §4: anything the client pipelined after STLS is discarded.
    this.queue.length = 0
    this.splitter.reset()
    const raw = this.socket
    raw.removeListener('data', this.onData)
    raw.removeAllListeners('timeout')
    raw.setTimeout(0)
    // Stop reading until the handshake owns the socket, so no ClientHello byte is consumed here.
    raw.pause()
    this.tls = true
    this.user = undefined
    const context = this.env.secureContext
    const reply = ok('Begin TLS negotiation')
    this.bytesOut += reply.length
    raw.write(reply, () => {
      if (raw.destroyed) return
      const secure = new TLSSocket(raw, { isServer: true, secureContext: context })
      this.socket = secure
      this.attach(secure)
    })
    return 'ok'
  }

  private async auth(cmd: PopCommand): Promise<'ok'> {
    // RFC 5034 §4: AUTH mechanism [initial-response].
    if (cmd.args.length === 0) {
      this.write(multiline('Supported SASL mechanisms', this.plaintextAllowed() ? ['PLAIN'] : []))
      return 'ok'
    }
    const mech = cmd.args[0]!.toUpperCase()
    if (mech !== 'PLAIN') { this.write(err(`Unsupported authentication mechanism ${mech}`)); return 'ok' }
    if (!this.plaintextAllowed()) {
      this.write(err('Plaintext authentication disallowed on non-secure connection; use STLS', 'AUTH'))
      return 'ok'
    }
    if (cmd.args.length > 2) { this.write(err('Invalid AUTH arguments')); return 'ok' }
    if (cmd.args.length === 2) {
      await this.plain(cmd.args[1]!)
      return 'ok'
    }
    this.saslPending = true
    this.write(continuation())
    return 'ok'
  }

  private async saslResponse(line: string | null): Promise<void> {
    this.saslPending = false
    if (line === null) { this.write(err('SASL response too long')); return }
    if (line.trim() === '*') { this.write(err('Authentication cancelled')); return }
    await this.plain(line)
  }

  private async plain(b64: string): Promise<void> {
    const creds = decodePlain(b64)
    if (!creds) { this.write(err('Invalid SASL PLAIN response')); return }
    if (creds.authzid && creds.authzid !== creds.authcid) {
      // Proxy authentication is for store administrators (spec 03 §12); POP has no admin mode here.
      this.write(err('Authorization identity not permitted', 'AUTH'))
      return
    }
    await this.login(creds.authcid, creds.password, 'plaintext')
  }

  private async login(login: string, password: string, mech: string): Promise<void> {
    let result
    try {
      result = await this.env.auth.authenticate(login, password)
    } catch (e) {
      this.env.logger.error('LDAP', `authentication of ${login} failed: ${e instanceof Error ? e.message : String(e)}`)
      result = { ok: false as const, reason: 'unavailable' as const }
    }
    // The client may have gone while the directory answered: take no lock for a closed session.
    if (this.state === 'CLOSED') return
    if (!result.ok) {
      if (result.reason === 'unavailable') {
        this.env.logger.notice('Account', `badlogin: [${this.peer}] ${mech} ${login} directory unavailable`)
        this.write(err('Authentication service unavailable, try again later', 'SYS/TEMP'))
      } else if (result.reason === 'disabled') {
        this.env.logger.notice('Account', `badlogin: [${this.peer}] ${mech} ${login} account disabled (${result.detail ?? 'inactive'})`)
        this.write(err('account disabled', 'AUTH'))
      } else {
        // spec 01 §24: the real reason is logged; the client is told only "user not found".
        this.env.logger.notice('Account', `badlogin: [${this.peer}] ${mech} ${login} authentication failure`)
        this.write(err('user not found', 'AUTH'))
      }
      return
    }
    const userid = result.userid
    // RFC 1939 §4 / RFC 2449 §8.1.1: an exclusive lock on the maildrop, or [IN-USE].
    if (!this.env.locks.acquire(userid)) {
      this.env.logger.notice('Account', `badlogin: [${this.peer}] ${mech} ${userid} maildrop in use`)
      this.write(err('maildrop already locked by another session', 'IN-USE'))
      return
    }
    try {
      this.maildrop = Maildrop.open(this.env.store, userid)
    } catch (e) {
      this.env.locks.release(userid)
      this.env.logger.error('Store', `cannot open maildrop user/${userid}/INBOX: ${e instanceof Error ? e.message : String(e)}`)
      this.write(err('Unable to open maildrop, try again later', 'SYS/TEMP'))
      return
    }
    this.userid = userid
    this.state = 'TRANSACTION'
    this.env.logger.info('Account', `login [${this.peer}] ${userid} ${mech}`)
    const { count, octets } = this.maildrop.stat()
    this.write(ok(`Maildrop has ${count} message${count === 1 ? '' : 's'} (${octets} octets)`))
  }

  // ------------------------------------------------------------------ TRANSACTION (RFC 1939 §5)

  private async transaction(cmd: PopCommand): Promise<'ok' | 'unknown' | 'state'> {
    const md = this.maildrop!
    switch (cmd.keyword) {
      case 'CAPA': return this.capa()
      case 'NOOP': this.write(ok()); return 'ok'
      case 'STAT': {
        const { count, octets } = md.stat()
        this.write(ok(`${count} ${octets}`))
        return 'ok'
      }
      case 'LIST': case 'UIDL': {
        const fmt = (n: number, m: MaildropMessage) => `${n} ${cmd.keyword === 'LIST' ? m.size : md.uidl(m)}`
        if (cmd.args.length === 0) {
          const lines: string[] = []
          md.messages.forEach((m, i) => { if (!m.deleted) lines.push(fmt(i + 1, m)) })
          this.write(multiline(cmd.keyword === 'LIST' ? `${lines.length} messages` : '', lines))
          return 'ok'
        }
        const m = this.message(cmd, 1)
        if (m) this.write(ok(fmt(m.n, m.msg)))
        return 'ok'
      }
      case 'RETR': {
        const m = this.message(cmd, 1)
        if (m) await this.send(m.msg, undefined)
        return 'ok'
      }
      case 'TOP': {
        if (cmd.args.length !== 2) { this.write(err('Usage: TOP msg n')); return 'ok' }
        const lines = parseLineCount(cmd.args[1])
        if (lines === undefined) { this.write(err('Invalid line count')); return 'ok' }
        const m = this.message(cmd, 2)
        if (m) await this.send(m.msg, lines)
        return 'ok'
      }
      case 'DELE': {
        const m = this.message(cmd, 1)
        if (m) {
          m.msg.deleted = true
          this.write(ok(`message ${m.n} deleted`))
        }
        return 'ok'
      }
      case 'RSET': {
        md.reset()
        const { count, octets } = md.stat()
        this.write(ok(`maildrop has ${count} messages (${octets} octets)`))
        return 'ok'
      }
      case 'QUIT': await this.update(); return 'ok'
      case 'USER': case 'PASS': case 'AUTH': case 'STLS': case 'APOP': return 'state'
      default: return 'unknown'
    }
  }

  /** Resolves the msg argument; answers -ERR itself when invalid (RFC 1939 §5). */
  private message(cmd: PopCommand, argc: number): { n: number; msg: MaildropMessage } | undefined {
    if (cmd.args.length !== argc) { this.write(err(`Usage: ${cmd.keyword} msg${argc === 2 ? ' n' : ''}`)); return undefined }
    const n = parseMessageNumber(cmd.args[0])
    const msg = n === undefined ? undefined : this.maildrop!.get(n)
    if (n === undefined || !msg) { this.write(err('no such message')); return undefined }
    if (msg.deleted) { this.write(err(`message ${n} already deleted`)); return undefined }
    return { n, msg }
  }

  /** RETR (lines undefined) or TOP: streamed in chunks with back-pressure. */
  private async send(m: MaildropMessage, lines: number | undefined): Promise<void> {
    const md = this.maildrop!
    let first: Buffer
    try {
      first = await md.read(m, 0, Math.min(m.size, READ_CHUNK))
    } catch (e) {
      this.env.logger.error('Store', `cannot read ${md.fullName} uid ${m.uid}: ${e instanceof Error ? e.message : String(e)}`)
      this.write(err('message no longer available', 'SYS/TEMP'))
      return
    }
    this.write(ok(lines === undefined ? `${m.size} octets` : 'top of message follows'))
    const stuffer = new DotStuffer()
    const top = lines === undefined ? undefined : new TopLimiter(lines)
    let offset = 0
    let chunk: Buffer | undefined = first
    while (chunk && chunk.length > 0) {
      offset += chunk.length
      const part = top ? top.push(chunk) : chunk
      if (!this.write(stuffer.push(part))) await this.drainSocket()
      if (top?.done || offset >= m.size || this.socket.destroyed) break
      chunk = await md.read(m, offset, Math.min(m.size, offset + READ_CHUNK)).catch(() => undefined)
    }
    this.write(stuffer.end())
    if (lines === undefined) {
      m.retrieved = true
      this.env.logger.info('Store', `fetch:${this.userid}:${md.fullName.replace(/\/INBOX$/, '')}:${m.messageId ?? ''}`)
    }
  }

  private drainSocket(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => { this.socket.off('drain', done); this.socket.off('close', done); resolve() }
      this.socket.once('drain', done)
      this.socket.once('close', done)
    })
  }

  // ------------------------------------------------------------------ UPDATE (RFC 1939 §6)

  private async update(): Promise<void> {
    this.state = 'UPDATE'
    const md = this.maildrop!
    let done!: () => void
    this.updating = new Promise<void>((r) => (done = r))
    try {
      const r = await md.update()
      const mbox = md.fullName.replace(/\/INBOX$/, '')
      for (const e of r.expunged) this.env.logger.info('Store', `expunge:${mbox}:${e.messageId ?? ''}`)
      if (r.failed > 0) this.write(err('some deleted messages not removed', 'SYS/TEMP'))
      else this.write(ok(`${this.env.hostname} POP3 server signing off (${r.remaining} message${r.remaining === 1 ? '' : 's'} left)`))
    } catch (e) {
      this.env.logger.error('Store', `update of ${md.fullName} failed: ${e instanceof Error ? e.message : String(e)}`)
      this.write(err('some deleted messages not removed', 'SYS/TEMP'))
    } finally {
      done()
    }
    this.end()
  }

  private end(): void {
    this.socket.end()
  }

  /** Releases the maildrop without entering UPDATE (dropped connection, timeout, shutdown). */
  private finish(): void {
    if (this.state === 'CLOSED') return
    const authenticated = this.maildrop !== undefined
    this.state = 'CLOSED'
    this.queue.length = 0
    // A client that closes right after QUIT must not cut the UPDATE short: release after it.
    const md = this.maildrop
    const userid = this.userid
    const release = () => {
      if (md) try { md.close() } catch { /* already closed */ }
      if (userid) this.env.locks.release(userid)
    }
    this.maildrop = undefined
    if (this.updating) void this.updating.then(release)
    else release()
    // spec 01 §24: close [ip] [user] start duration bytesFromClient bytesFromServer mailboxesSelected
    const s = this.started
    const secs = Math.floor((Date.now() - s.getTime()) / 1000)
    const dur = `${Math.floor(secs / 3600)}:${String(Math.floor(secs / 60) % 60).padStart(2, '0')}:${String(secs % 60).padStart(2, '0')}`
    const start = `${s.getFullYear()}/${s.getMonth() + 1}/${s.getDate()} ${s.getHours()}:${String(s.getMinutes()).padStart(2, '0')}:${String(s.getSeconds()).padStart(2, '0')}`
    this.env.logger.notice(
      'Account',
      `close [${this.peerIp}] [${this.userid ?? 'unauthenticated'}] ${start} ${dur} ${this.bytesIn} ${this.bytesOut} ${authenticated ? 1 : 0}`,
    )
    this.socket.destroy()
    this.closedResolve()
  }

  /** Server shutdown: no UPDATE state, the maildrop is left untouched. */
  shutdown(): void {
    if (this.state === 'CLOSED') return
    this.write(err('Server shutting down', 'SYS/TEMP'))
    this.finish()
  }
}
