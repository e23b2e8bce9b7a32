/**
 * One IMAP connection (RFC 3501 §3 state machine): not authenticated → authenticated → selected →
 * logout. Commands are read by the pure framer/parser and executed strictly in order; untagged
 * updates from other sessions are flushed at the points RFC 3501 §7.4.1 allows.
 */
import type * as net from 'node:net'
import * as tls from 'node:tls'
import type { ConfigView, EventBus, Logger } from '@wren/kernel'
import { StoreError, type MailSession } from '@wren/store'
import { CommandFramer, type Frame } from '../protocol/assembler.js'
import { parseCommand, readTag, type Command } from '../protocol/commands.js'
import { ImapParseError } from '../protocol/reader.js'
import { capabilities, condstoreEnabled, idleEnabled } from './capabilities.js'
import { runMailboxCommand } from './mailbox-commands.js'
import { runMessageCommand } from './message-commands.js'
import { BadMailboxName } from './names.js'
import { idleTimeoutMs, optBool, optNum } from './options.js'
import type { Authenticator, StorePort } from './ports.js'
import type { SelectedMailbox } from './selected.js'
import { transactLog } from './transact-log.js'

export interface SessionDeps {
  config: ConfigView
  store: StorePort
  auth: Authenticator
  logger: Logger
  hostname: string
  bus?: EventBus
  /** Certificate and key for STARTTLS and implicit TLS (absent: no TLS offered). */
  tls?: import('./tls.js').TlsCredentials
  /** Built from `tls` by the server. */
  secureContext?: tls.SecureContext
  /** XML transaction log sink (spec 01 §25). */
  transact?: import('./transact-log.js').TransactSink
  /** The directory's user entries, for SETQUOTA by store administrators (setquota.ts). */
  quotaDirectory?: import('./setquota.js').QuotaDirectory
  /** Product name and version for the banner. */
  product: string
  version: string
}

/** A tagged outcome thrown by handlers: `<tag> NO|BAD [code] text`. */
export class Reply extends Error {
  constructor(readonly status: 'NO' | 'BAD', text: string, readonly code?: string) {
    super(text)
  }
}

const ANY = new Set(['CAPABILITY', 'NOOP', 'LOGOUT', 'ID'])
const NOT_AUTH = new Set(['STARTTLS', 'AUTHENTICATE', 'LOGIN'])
const SELECTED = new Set(['CHECK', 'CLOSE', 'UNSELECT', 'EXPUNGE', 'UIDEXPUNGE', 'SEARCH', 'SORT', 'FETCH', 'STORE', 'COPY', 'MOVE'])

export class ImapSession {
  state: 'notauth' | 'auth' | 'selected' | 'logout' = 'notauth'
  userid = ''
  mail?: MailSession
  selected?: SelectedMailbox
  readonly enabled = new Set<string>()
  /** CONDSTORE became active (ENABLE, SELECT (CONDSTORE), or a CONDSTORE-using command; RFC 7162 §3.1). */
  condstore = false
  tlsActive: boolean
  bytesIn = 0
  bytesOut = 0
  mailboxesSelected = 0
  private readonly started = new Date()
  private readonly framer: CommandFramer
  private readonly queue: Frame[] = []
  private waiter: ((f: Frame | null) => void) | null = null
  private closed = false
  private out: Array<string | Buffer> = []
  private outLen = 0
  /** While IDLE: push updates immediately. */
  private idling = false
  readonly remote: string
  /** Tag of the command being executed (ESEARCH TAG correlator). */
  currentTag = ''
  readonly remotePort: number

  constructor(private socket: net.Socket, readonly deps: SessionDeps, implicitTls: boolean) {
    this.tlsActive = implicitTls
    this.remote = socket.remoteAddress?.replace(/^::ffff:/, '') ?? '?'
    this.remotePort = socket.remotePort ?? 0
    this.framer = new CommandFramer({
      maxLine: 64 * 1024,
      maxLiteral: optNum(deps.config, 'imap.maxliteral') || 64 * 1024,
      maxAppendLiteral: optNum(deps.config, 'imap.maxmessagesize') || 50 * 1024 * 1024,
    })
    this.attach(socket)
  }

  get config(): ConfigView { return this.deps.config }
  get log(): Logger { return this.deps.logger }
  get qresync(): boolean { return this.enabled.has('QRESYNC') }

  private attach(socket: net.Socket): void {
    this.socket = socket
    socket.setNoDelay(true)
    socket.setTimeout(idleTimeoutMs(this.config))
    socket.on('data', this.onData)
    socket.on('timeout', () => {
      this.sendLine('* BYE Idle timeout, closing connection')
      this.destroy(true)
    })
    socket.on('error', () => this.destroy())
    socket.on('close', () => this.destroy())
  }

  private detach(socket: net.Socket): void {
    socket.removeAllListeners('data')
    socket.removeAllListeners('timeout')
    socket.removeAllListeners('error')
    socket.removeAllListeners('close')
  }

  /** Starts the session: banner, then the command loop. */
  start(): void {
    const caps = this.capabilityList().join(' ')
    this.sendLine(`* OK [CAPABILITY ${caps}] ${this.banner()}`)
    this.flush()
    void this.loop()
  }

  banner(): string {
    const b = String(this.config.find('imap.banner') ?? '%h %p service (%P %V)')
    return b.replace(/%h/g, this.deps.hostname).replace(/%p/g, 'IMAP4').replace(/%P/g, this.deps.product).replace(/%V/g, this.deps.version).replace(/%%/g, '%')
  }

  /** Plaintext authentication allowed on this connection (spec 03 §10 `imap.plaintextmincipher`). */
  plaintextAllowed(): boolean {
    if (this.tlsActive) return true
    if (optNum(this.config, 'imap.plaintextmincipher') > 0) return false
    return optBool(this.config, 'imap.allowplaintextlogin')
  }

  capabilityList(): string[] {
    return capabilities(this.config, {
      tls: this.tlsActive,
      starttlsAvailable: !!this.deps.secureContext,
      authenticated: this.state !== 'notauth',
      plaintextAllowed: this.plaintextAllowed(),
    })
  }

  // ---------------------------------------------------------------------------------- output

  sendLine(line: string): void {
    this.out.push(line + '\r\n')
    this.outLen += line.length + 2
    if (this.outLen > 256 * 1024) this.flush()
  }
  sendRaw(data: string | Buffer): void {
    this.out.push(data)
    this.outLen += data.length
    if (this.outLen > 256 * 1024) this.flush()
  }
  flush(): void {
    if (!this.out.length || this.closed) { this.out = []; this.outLen = 0; return }
    const buf = Buffer.concat(this.out.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)))
    this.out = []
    this.outLen = 0
    this.bytesOut += buf.length
    this.socket.write(buf)
  }
  /** Waits until the socket has drained (backpressure for huge FETCH responses). */
  async drain(): Promise<void> {
    this.flush()
    if (this.closed || !this.socket.writableNeedDrain) return
    await new Promise<void>((resolve) => {
      const done = () => { this.socket.off('drain', done); this.socket.off('close', done); resolve() }
      this.socket.once('drain', done)
      this.socket.once('close', done)
    })
  }

  // ---------------------------------------------------------------------------------- input

  private onData = (chunk: Buffer): void => {
    this.bytesIn += chunk.length
    for (const ev of this.framer.push(chunk)) {
      if (ev.type === 'continue') {
        this.sendLine('+ Ready for literal data')
        this.flush()
      } else if (ev.type === 'reject') {
        this.sendLine(`${ev.tag} ${ev.tag === '*' ? 'BAD' : 'NO'} ${ev.code ? `[${ev.code}] ` : ''}${ev.text}`)
        if (ev.fatal) {
          this.sendLine('* BYE Literal too large, closing connection')
          this.destroy(true)
          return
        }
        this.flush()
      } else {
        this.queue.push(ev.frame)
        if (this.waiter) {
          const w = this.waiter
          this.waiter = null
          w(this.queue.shift()!)
        }
      }
    }
    if (this.queue.length > 64) this.socket.pause()
  }

  /** Next framed line/command, or null when the connection closed. */
  nextFrame(): Promise<Frame | null> {
    if (this.queue.length) {
      const f = this.queue.shift()!
      if (this.queue.length < 16 && this.socket.isPaused()) this.socket.resume()
      return Promise.resolve(f)
    }
    if (this.closed) return Promise.resolve(null)
    if (this.socket.isPaused()) this.socket.resume()
    return new Promise((resolve) => { this.waiter = resolve })
  }

  private async loop(): Promise<void> {
    for (;;) {
      const frame = await this.nextFrame()
      if (!frame || this.closed) return
      try {
        await this.execute(frame)
      } catch (e) {
        // Never let one session take the listener down.
        this.log.error('General', `session error for ${this.userid || 'unauthenticated'} [${this.remote}]: ${(e as Error)?.stack ?? String(e)}`)
        this.sendLine('* BYE Internal server error')
        this.destroy(true)
        return
      }
      this.flush()
      if (this.state === 'logout') {
        this.destroy(true)
        return
      }
    }
  }

  private async execute(frame: Frame): Promise<void> {
    const tag = readTag(frame) ?? '*'
    this.currentTag = tag
    let cmd: Command
    try {
      cmd = parseCommand(frame).command
    } catch (e) {
      if (e instanceof ImapParseError) {
        if (e.no) this.sendLine(`${tag} NO ${e.code ? `[${e.code}] ` : ''}${e.message}`)
        else this.sendLine(`${tag} BAD ${e.code ? `[${e.code}] ` : ''}${e.message}`)
        return
      }
      throw e
    }
    const stateError = this.checkState(cmd.name)
    if (stateError) {
      this.sendLine(`${tag} BAD ${stateError}`)
      return
    }
    try {
      const text = await this.dispatch(tag, cmd)
      if (this.closed) return
      this.afterCommand(cmd)
      if (text !== null) this.sendLine(`${tag} OK ${text}`)
    } catch (e) {
      const reply = this.errorReply(e, cmd)
      this.afterCommand(cmd)
      if (!this.closed) this.sendLine(`${tag} ${reply}`)
    }
  }

  private checkState(name: string): string | null {
    if (ANY.has(name)) return null
    if (this.state === 'notauth') return NOT_AUTH.has(name) ? null : `${name} not allowed now: please authenticate first`
    if (NOT_AUTH.has(name)) return `${name} not allowed now: already authenticated`
    if (SELECTED.has(name) && this.state !== 'selected') return `${name} not allowed now: no mailbox selected`
    return null
  }

  /** Maps a thrown error to `NO`/`BAD` text; unexpected errors are logged, never crash the listener. */
  private errorReply(e: unknown, cmd: Command): string {
    if (e instanceof Reply) return `${e.status} ${e.code ? `[${e.code}] ` : ''}${e.message}`
    if (e instanceof ImapParseError) return `${e.no ? 'NO' : 'BAD'} ${e.code ? `[${e.code}] ` : ''}${e.message}`
    if (e instanceof BadMailboxName) return `NO [CANNOT] ${e.message}`
    if (e instanceof StoreError) {
      const dest = cmd.name === 'APPEND' || cmd.name === 'COPY' || cmd.name === 'MOVE'
      switch (e.code) {
        case 'NONEXISTENT': return dest ? `NO [TRYCREATE] ${e.message}` : `NO [NONEXISTENT] ${e.message}`
        case 'INVALIDNAME': return `NO [CANNOT] ${e.message}`
        case 'PINNED': return `NO [NOPERM] ${e.message}`
        case 'IOERROR': return `NO [UNAVAILABLE] ${e.message}`
        case 'NOUSER': return `NO [NONEXISTENT] ${e.message}`
        default: return `NO [${e.code}] ${e.message}`
      }
    }
    this.log.error('General', `${cmd.name} failed for ${this.userid || 'unauthenticated'} [${this.remote}]: ${(e as Error)?.stack ?? String(e)}`)
    return 'NO [SERVERBUG] Internal server error; the administrator can check the server log'
  }

  /** Untagged updates after a command (RFC 3501 §7.4.1: no EXPUNGE during FETCH/STORE/SEARCH). */
  private afterCommand(cmd: Command): void {
    if (!this.selected || this.state !== 'selected') return
    const noExpunge = (cmd.name === 'FETCH' || cmd.name === 'STORE' || cmd.name === 'SEARCH' || cmd.name === 'SORT') && !('uid' in cmd && cmd.uid)
    this.pushUpdates(!noExpunge, 'uid' in cmd && cmd.uid === true)
  }

  pushUpdates(allowExpunge: boolean, withUid = false): void {
    if (!this.selected) return
    let lines: string[]
    try {
      lines = this.selected.poll({ allowExpunge, withUid, condstore: this.condstore, qresync: this.qresync })
    } catch (e) {
      // The mailbox vanished under us (deleted or renamed elsewhere): RFC 3501 §7.1.5 lets us end the session.
      this.log.warning('Store', `${this.userid}: selected mailbox ${this.selected.view.info.fullName} is no longer available: ${(e as Error).message}`)
      this.sendLine('* BYE Selected mailbox is no longer available')
      this.destroy(true)
      return
    }
    for (const l of lines) this.sendLine(l)
  }

  /** Called by the store's change notice (any process). Pushes at once only while IDLE. */
  onMailboxNotice = (): void => {
    if (this.idling && !this.closed) {
      this.pushUpdates(true)
      this.flush()
    }
  }

  /** Forgets bytes buffered before STARTTLS (RFC 3501 §6.2.1). */
  resetInput(): void {
    this.queue.length = 0
    this.framer.reset()
  }

  private async dispatch(tag: string, cmd: Command): Promise<string | null> {
    switch (cmd.name) {
      case 'CAPABILITY':
        this.sendLine(`* CAPABILITY ${this.capabilityList().join(' ')}`)
        return 'CAPABILITY completed'
      case 'NOOP': return 'NOOP completed'
      case 'CHECK': return 'CHECK completed'
      case 'LOGOUT':
        this.sendLine('* BYE IMAP4rev1 server terminating connection')
        this.sendLine(`${tag} OK LOGOUT completed`)
        this.state = 'logout'
        return null
      case 'ID':
        // RFC 2971 §3.1
        this.sendLine(`* ID ("name" "${this.deps.product}" "version" "${this.deps.version}")`)
        return 'ID completed'
      case 'STARTTLS': return this.startTls(tag)
      case 'LOGIN': return this.login(cmd.user, cmd.password, 'plaintext')
      case 'AUTHENTICATE': return this.authenticate(cmd.mechanism, cmd.initial)
      case 'ENABLE': return this.enable(cmd.caps)
      case 'IDLE': return this.idle(tag)
      case 'NAMESPACE': {
        const pub = String(this.config.find('store.publicsharedfolders.user') ?? '')
        this.sendLine(`* NAMESPACE (("" "/")) (("Shared Folders/User/" "/")) ${pub ? '(("Shared Folders/Public/" "/"))' : 'NIL'}`)
        return 'NAMESPACE completed'
      }
      case 'SELECT': case 'EXAMINE': case 'CREATE': case 'DELETE': case 'RENAME': case 'SUBSCRIBE':
      case 'UNSUBSCRIBE': case 'LIST': case 'LSUB': case 'STATUS': case 'APPEND': case 'GETQUOTA':
      case 'GETQUOTAROOT': case 'SETQUOTA': case 'GETACL': case 'SETACL': case 'DELETEACL': case 'LISTRIGHTS':
      case 'MYRIGHTS': case 'CLOSE': case 'UNSELECT':
        return runMailboxCommand(this, cmd)
      default:
        return runMessageCommand(this, cmd)
    }
  }

  // ---------------------------------------------------------------------------------- TLS & auth

  private async startTls(tag: string): Promise<string | null> {
    const ctx = this.deps.secureContext
    if (!ctx) throw new Reply('BAD', 'STARTTLS not available')
    if (this.tlsActive) throw new Reply('BAD', 'TLS is already active')
    // RFC 3501 §6.2.1 / RFC 2595 §3.1: anything pipelined after STARTTLS is discarded.
    this.resetInput()
    this.sendLine(`${tag} OK Begin TLS negotiation now`)
    this.flush()
    const plain = this.socket
    this.detach(plain)
    const secure = new tls.TLSSocket(plain, { isServer: true, secureContext: ctx })
    this.tlsActive = true
    await new Promise<void>((resolve) => {
      secure.once('secure', () => resolve())
      secure.once('error', () => { this.destroy(); resolve() })
      secure.once('close', () => { this.destroy(); resolve() })
    })
    if (this.closed) return null
    secure.removeAllListeners('error')
    secure.removeAllListeners('close')
    this.attach(secure)
    return null
  }

  private async login(login: string, password: string, mech: string, authzid?: string): Promise<string> {
    if (!this.plaintextAllowed()) {
      throw new Reply('NO', 'Plaintext authentication disallowed on non-secure (SSL/TLS) connections', 'PRIVACYREQUIRED')
    }
    const res = await this.deps.auth.authenticate(login, password)
    if (!res.ok) {
      // spec 01 §24: the log has the real reason; the client only learns that it failed.
      const why = res.reason === 'disabled' ? `account disabled (${res.status ?? 'inactive'})` : 'authentication failure'
      this.log.notice('Account', `badlogin: [${this.remote}:${this.remotePort}] ${mech} ${login} ${why}`)
      throw new Reply('NO', 'Authentication failed', 'AUTHENTICATIONFAILED')
    }
    let userid = res.userid
    let groups = res.groups
    let mail = this.deps.store.session(userid, { autoCreate: true, groups })
    if (authzid && authzid !== login && authzid !== userid) {
      // spec 03 §12: store administrators may proxy-authenticate as any user.
      const target = this.deps.auth.lookup ? await this.deps.auth.lookup(authzid) : null
      if (!mail.isAdmin || !target) {
        mail.close()
        this.log.notice('Account', `badlogin: [${this.remote}:${this.remotePort}] ${mech} ${login} not authorized to act as ${authzid}`)
        throw new Reply('NO', 'Not authorized to act as that user', 'AUTHORIZATIONFAILED')
      }
      mail.close()
      userid = target.userid
      groups = target.groups
      mail = this.deps.store.session(userid, { autoCreate: true, groups })
    }
    this.mail = mail
    this.userid = userid
    this.state = 'auth'
    this.log.info('Account', `login [${this.remote}:${this.remotePort}] ${userid} ${mech}`)
    transactLog(this, 'li', { tr: `TCP|${this.remote}|${this.remotePort}`, at: this.tlsActive ? 'ssl' : 'plaintext' })
    return `[CAPABILITY ${this.capabilityList().join(' ')}] User logged in`
  }

  private async authenticate(mechanism: string, initial?: string): Promise<string> {
    if (mechanism !== 'PLAIN') throw new Reply('NO', `Unsupported authentication mechanism ${mechanism}`)
    if (!this.plaintextAllowed()) {
      throw new Reply('NO', 'Plaintext authentication disallowed on non-secure (SSL/TLS) connections', 'PRIVACYREQUIRED')
    }
    let b64 = initial
    if (b64 === undefined) {
      this.sendLine('+ ')
      this.flush()
      const f = await this.nextFrame()
      if (!f) return ''
      b64 = f.lines[0]
    }
    if (b64 === '*') throw new Reply('BAD', 'Authentication cancelled')
    if (b64 === '=') b64 = ''
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new Reply('BAD', 'Invalid base64 in SASL response')
    const parts = Buffer.from(b64, 'base64').toString('utf8').split('\0')
    if (parts.length !== 3) throw new Reply('BAD', 'Invalid SASL PLAIN message')
    const [authzid, authcid, password] = parts
    return this.login(authcid, password, 'plaintext', authzid || undefined)
  }

  private enable(caps: string[]): string {
    const on: string[] = []
    for (const c of caps) {
      if ((c === 'CONDSTORE' || c === 'QRESYNC') && condstoreEnabled(this.config) && !this.enabled.has(c)) {
        this.enabled.add(c)
        on.push(c)
        this.condstore = true
        // RFC 7162 §3.2.3: QRESYNC implies CONDSTORE
        if (c === 'QRESYNC' && !this.enabled.has('CONDSTORE')) this.enabled.add('CONDSTORE')
      }
    }
    this.sendLine(`* ENABLED${on.length ? ' ' + on.join(' ') : ''}`)
    return 'ENABLE completed'
  }

  /** RFC 2177 IDLE: updates are pushed as they happen until the client sends DONE. */
  private async idle(_tag: string): Promise<string> {
    if (!idleEnabled(this.config)) throw new Reply('BAD', 'IDLE is not available')
    this.sendLine('+ idling')
    this.pushUpdates(true)
    this.flush()
    this.idling = true
    try {
      const f = await this.nextFrame()
      if (!f) return ''
      if (f.lines[0].trim().toUpperCase() !== 'DONE') throw new Reply('BAD', 'Expected DONE to end IDLE')
    } finally {
      this.idling = false
    }
    return 'IDLE terminated'
  }

  // ---------------------------------------------------------------------------------- shutdown

  /** Server shutdown: tells the client and closes. */
  shutdown(text = 'Server shutting down'): void {
    if (this.closed) return
    this.sendLine(`* BYE ${text}`)
    this.destroy(true)
  }

  onClose?: () => void

  /**
   * Ends the session. `graceful` lets queued output (BYE, the tagged LOGOUT reply) reach the client:
   * the socket is ended and only destroyed if the peer does not close within 2 s.
   */
  destroy(graceful = false): void {
    if (this.closed) return
    if (graceful) this.flush()
    this.closed = true
    this.out = []
    if (this.waiter) { const w = this.waiter; this.waiter = null; w(null) }
    try { this.selected?.close() } catch { /* already closed */ }
    this.selected = undefined
    try { this.mail?.close() } catch { /* already closed */ }
    if (graceful) {
      const sock = this.socket
      sock.end()
      setTimeout(() => sock.destroy(), 2000).unref()
    } else this.socket.destroy()
    const d = this.started
    const dur = Math.floor((Date.now() - d.getTime()) / 1000)
    const hms = `${Math.floor(dur / 3600)}:${String(Math.floor(dur / 60) % 60).padStart(2, '0')}:${String(dur % 60).padStart(2, '0')}`
    // spec 01 §24: close lines end with bytesFromClient bytesFromServer mailboxesSelected.
    const stats = `${d.getFullYear()}/${d.getMonth() + 1}/${d.getDate()} ${d.getHours()}:${String(d.getMinutes()).padStart(2, '0')}:${String(d.getSeconds()).padStart(2, '0')} ${hms} ${this.bytesIn} ${this.bytesOut} ${this.mailboxesSelected}`
    this.log.notice('Account', `close [${this.remote}] [${this.userid || 'unauthenticated'}] ${stats}`)
    if (this.userid) transactLog(this, 'lo', { tr: `TCP|${this.remote}|${this.remotePort}` })
    // spec 01 §25 / manual example: <co ... ac="C" tr="TCP|…" us="…" nt="date time duration in out selected"/>
    transactLog(this, 'co', { ac: 'C', tr: `TCP|${this.remote}|${this.remotePort}`, nt: stats })
    this.onClose?.()
  }
}
