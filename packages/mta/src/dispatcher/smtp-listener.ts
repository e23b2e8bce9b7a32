// One dispatcher listener (spec 01 §10): an smtp-server instance for SMTP (tcp_local), submission
// (tcp_submit: STARTTLS or implicit TLS, AUTH required) or LMTP (tcp_lmtpss). Messages stream to a
// queue file and are fsynced (group commit) before the 250.
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server'
import type { EventBus, Logger } from '@wren/kernel'
import type { MtaPolicy, ProbeContext, RecipientDirectory, TransportLog } from '../ports.js'
import type { QueueStore } from '../queue/queue-store.js'
import type { QueueEnvelope, QueueRecipient } from '../queue/format.js'
import { expandRecipient, type Expansion } from './expand.js'
import { MessageFilter } from './message-filter.js'
import { patchEnhancedCodes } from './enhanced-codes.js'
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js'

type ConnInternals = {
  name: string
  _server: { connections: Set<unknown>; options: { maxClients?: number } }
  _setListeners(cb: () => void): void
  connectionReady(): void
  send(code: number, text: string, context?: unknown): void
}
let greetPatched = false

/**
 * smtp-server holds every greeting back 100 ms (an "early talker" pregreet test) before it even
 * runs onConnect. With one connection per message that caps a 20-session sender at 200 msgs/s
 * (bench/smtp: the banner took 102 ms of the 110 ms per message). The product greets at once and
 * leaves connection-level policy to PORT_ACCESS (spec 01 §12), so the dispatcher does too; commands
 * sent before the greeting still get smtp-server's `421 You talk too soon`. Patched once per process.
 */
function patchImmediateGreeting(): void {
  if (greetPatched) return
  greetPatched = true
  const proto = (SMTPConnection as unknown as { prototype: ConnInternals & { init(): void } }).prototype
  proto.init = function (this: ConnInternals) {
    this._setListeners(() => {
      const max = this._server.options.maxClients
      if (max && this._server.connections.size > max) return this.send(421, `${this.name} Too many connected clients, try again in a moment`, false)
      this.connectionReady()
    })
  }
}

export interface ListenerDef {
  /** Service name: SMTP, SMTP_SUBMIT, LMTP … */
  name: string
  /** Channel the listener's messages come in on (`parameter CHANNEL=…`). */
  channel: string
  host: string
  port: number
  tls: 'none' | 'starttls' | 'implicit'
  authRequired: boolean
  /** Offer AUTH before TLS (default no: RFC 4954 §4 / B.8). */
  allowInsecureAuth: boolean
  maxConns: number
  /** Idle timeout in ms. */
  idleTimeout: number
  banner?: string
  /** Maximum message size in bytes (0 = none). */
  size: number
  lmtp: boolean
}

export interface ListenerDeps {
  hostname: string
  queue: QueueStore
  policy: MtaPolicy
  directory: RecipientDirectory
  log: TransportLog
  logger: Logger
  bus: EventBus
  tls?: { key: Buffer; cert: Buffer }
  /** MAX_RECEIVED_LINES: more Received: lines than this → the message is held (loop). */
  maxReceivedLines: number
  /** Reply to at most this many recipients per message (channel recipientlimit). */
  maxRecipients: number
  /** When set, end-of-DATA → 250 latencies (ms) are pushed here (benchmark). */
  acceptLatencies?: number[]
}

interface RcptState { origTo: string; orcpt?: string; notify?: string[]; items: Expansion[] }
interface SessionState { sourceChannel: string; username?: string; rcpts: Map<string, RcptState>; probe: ProbeContext }

function smtpError(code: number, enhanced: string, text: string): Error & { responseCode: number } {
  const e = new Error(`${enhanced} ${text}`) as Error & { responseCode: number }
  e.responseCode = code
  return e
}

function modifiersFor(session: SMTPServerSession, lmtp: boolean, username?: string): string {
  // spec 01 §22 modifiers: A SASL, E ESMTP, L LMTP, S TLS
  const tt = session.transmissionType ?? ''
  let m = lmtp ? 'L' : tt.includes('ESMTP') ? 'E' : ''
  if (username) m += 'A'
  if (session.secure) m += 'S'
  return m
}

export class SmtpListener {
  readonly server: SMTPServer
  private readonly states = new Map<string, SessionState>()
  private boundPort = 0

  constructor(readonly def: ListenerDef, private readonly deps: ListenerDeps) {
    patchEnhancedCodes()
    patchImmediateGreeting()
    const tlsReady = Boolean(deps.tls)
    this.server = new SMTPServer({
      name: deps.hostname,
      banner: def.banner ?? 'Wren Messaging Server',
      lmtp: def.lmtp,
      secure: def.tls === 'implicit',
      key: deps.tls?.key,
      cert: deps.tls?.cert,
      hideSTARTTLS: def.tls !== 'starttls' || !tlsReady,
      size: def.size || undefined,
      rejectOversized: true,
      authMethods: ['PLAIN', 'LOGIN'],
      authOptional: !def.authRequired,
      authRequiredMessage: '5.7.0 Authentication required',
      allowInsecureAuth: def.allowInsecureAuth,
      disabledCommands: def.lmtp ? ['AUTH', 'STARTTLS'] : [],
      maxClients: def.maxConns,
      socketTimeout: def.idleTimeout,
      closeTimeout: 5000,
      maxRecipients: deps.maxRecipients,
      disableReverseLookup: true,
      logger: false,
      // EHLO offers PIPELINING 8BITMIME SMTPUTF8 SIZE DSN STARTTLS AUTH ENHANCEDSTATUSCODES
      hideENHANCEDSTATUSCODES: false,
      hideDSN: false,
      onConnect: (session, cb) => { this.onConnect(session).then(() => cb(), (e: Error) => cb(e)) },
      onAuth: (auth, session, cb) => {
        deps.directory.authenticate(auth.username ?? '', auth.password ?? '').then((u) => {
          if (!u) {
            this.connLog(session, 'U', 'authentication failed')
            return cb(smtpError(535, '5.7.8', 'Authentication credentials invalid'))
          }
          const st = this.state(session)
          st.username = u.uid
          st.probe.authenticated = true
          this.connLog(session, 'U', undefined, u.uid)
          cb(null, { user: u.uid })
        }, (e: Error) => cb(smtpError(454, '4.7.0', `Temporary authentication failure: ${e.message}`)))
      },
      onMailFrom: (address, session, cb) => { this.onMailFrom(address, session).then(() => cb(), (e: Error) => cb(e)) },
      onRcptTo: (address, session, cb) => { this.onRcptTo(address, session).then(() => cb(), (e: Error) => cb(e)) },
      onData: (stream, session, cb) => {
        this.onData(stream, session).then((msg) => cb(null, msg), (e: Error) => cb(e))
      },
      onClose: (session) => {
        if (this.states.has(session.id)) this.connLog(session, 'C')
        this.states.delete(session.id)
      },
    })
    this.server.on('error', (e) => deps.logger.warning('Network', `${def.name}: ${e.message}`))
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const onErr = (e: Error) => reject(e)
      this.server.server.once('error', onErr)
      this.server.listen(this.def.port, this.def.host, () => {
        this.server.server.off('error', onErr)
        const addr = this.server.server.address()
        this.boundPort = typeof addr === 'object' && addr ? addr.port : this.def.port
        resolve(this.boundPort)
      })
    })
  }

  get port(): number { return this.boundPort }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()))
  }

  /**
   * Tells the job controller about new entries: one `queue.enqueued` per turn of the event loop
   * for all the sessions a group commit answered together, not one IPC message per message.
   */
  private notifyEnqueued(channels: string[], keys: string[]): void {
    const p = this.pendingNotice
    if (p) {
      for (const c of channels) if (!p.channels.includes(c)) p.channels.push(c)
      p.keys.push(...keys)
      return
    }
    this.pendingNotice = { channels: [...new Set(channels)], keys: [...keys] }
    setImmediate(() => {
      const n = this.pendingNotice!
      this.pendingNotice = undefined
      this.deps.bus.send({ topic: 'queue.enqueued', channels: n.channels, keys: n.keys })
    })
  }

  private pendingNotice?: { channels: string[]; keys: string[] }

  private transport(session: SMTPServerSession): string {
    return `TCP|${session.localAddress}|${session.localPort}|${session.remoteAddress}|${session.remotePort}`
  }

  private connLog(session: SMTPServerSession, action: string, diagnostic?: string, username?: string): void {
    const st = this.states.get(session.id)
    this.deps.log.connection({
      action, direction: '+', channel: st?.sourceChannel ?? this.def.channel, transport: this.transport(session),
      application: this.def.lmtp ? 'LMTP' : 'SMTP', diagnostic, username,
    })
  }

  private state(session: SMTPServerSession): SessionState {
    let st = this.states.get(session.id)
    if (!st) {
      st = {
        sourceChannel: this.def.channel, rcpts: new Map(),
        probe: {
          localIp: session.localAddress, localPort: session.localPort, remoteIp: session.remoteAddress, remotePort: session.remotePort,
          authenticated: false, tls: Boolean(session.secure), sourceChannel: this.def.channel, application: this.def.lmtp ? 'LMTP' : 'SMTP',
        },
      }
      this.states.set(session.id, st)
    }
    return st
  }

  private async onConnect(session: SMTPServerSession): Promise<void> {
    const st = this.state(session)
    this.connLog(session, 'O')
    // PORT_ACCESS with `$:A` (spec 01 §10, §12)
    const v = await this.deps.policy.portAccess(st.probe)
    if (!v.accept) {
      this.connLog(session, 'X', v.text)
      throw smtpError(v.code ?? 554, v.enhanced ?? '5.7.1', v.text ?? 'Connection declined')
    }
    if (!this.def.lmtp) st.sourceChannel = await this.deps.policy.sourceChannel(st.probe, this.def.channel)
    st.probe.sourceChannel = st.sourceChannel
  }

  private async onMailFrom(address: SMTPServerAddress, session: SMTPServerSession): Promise<void> {
    const st = this.state(session)
    st.rcpts = new Map()
    st.probe.tls = Boolean(session.secure)
    if (st.username && !this.def.lmtp) {
      st.sourceChannel = await this.deps.policy.sourceChannel(st.probe, this.def.channel)
      st.probe.sourceChannel = st.sourceChannel
    }
    const v = await this.deps.policy.fromAccess(st.probe, address.address)
    if (!v.accept) throw smtpError(v.code ?? 550, v.enhanced ?? '5.7.1', v.text ?? 'Sender refused')
  }

  private async onRcptTo(address: SMTPServerAddress, session: SMTPServerSession): Promise<void> {
    const st = this.state(session)
    const rcpt = address.address
    const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : ''
    const reject = (code: number, enhanced: string, text: string) => {
      this.deps.log.message({
        action: 'J', modifiers: modifiersFor(session, this.def.lmtp, st.username), source: st.sourceChannel, size: 0,
        from, origTo: `rfc822;${rcpt}`, to: rcpt, status: `${code} ${enhanced} ${text}`,
        transport: `dns;${session.clientHostname ?? session.remoteAddress} (${this.transport(session)})`,
        username: st.username,
      })
      return smtpError(code, enhanced, text)
    }
    if (!/^[^@\s]+@[^@\s]+$/.test(rcpt) && !/^postmaster$/i.test(rcpt)) throw reject(553, '5.1.3', `invalid address: ${rcpt}`)
    const route = await this.deps.policy.route(rcpt)
    const isPostmaster = /^postmaster(@|$)/i.test(rcpt) && this.deps.policy.isLocalChannel(route.channel)
    if (!isPostmaster) {
      st.probe.tls = Boolean(session.secure)
      const v = await this.deps.policy.recipientAccess(st.probe, from, rcpt, route)
      if (!v.accept) throw reject(v.code ?? 550, v.enhanced ?? '5.7.1', v.text ?? `Relaying not allowed: ${rcpt}`)
    }
    const exp = await expandRecipient(rcpt, this.deps.policy, this.deps.directory)
    if (!exp.ok) throw reject(exp.code, exp.enhanced, exp.text)
    const dsn = (address as SMTPServerAddress & { dsn?: { notify?: string[]; orcpt?: string } }).dsn
    st.rcpts.set(rcpt.toLowerCase(), { origTo: rcpt, orcpt: dsn?.orcpt, notify: dsn?.notify, items: exp.items })
  }

  private async onData(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const st = this.state(session)
    const env = session.envelope
    const smtpUtf8 = Boolean((env as { smtpUtf8?: boolean }).smtpUtf8)
    const filter = new MessageFilter(smtpUtf8)
    const q = this.deps.queue
    const msg = await q.begin()
    let ioError: unknown
    try {
      const proto = this.def.lmtp ? 'LMTP' : (session.transmissionType ?? 'SMTP')
      const rcptList = [...st.rcpts.values()]
      const forClause = rcptList.length === 1 ? `\r\n\tfor <${rcptList[0].origTo}>` : ''
      // RFC 5321 §4.4 trace field
      const received = `Received: from ${session.hostNameAppearsAs ?? 'unknown'} ([${session.remoteAddress}])\r\n` +
        `\tby ${this.deps.hostname} (Wren Messaging Server) with ${proto} id <${msg.id}>${forClause};\r\n\t${new Date().toUTCString().replace('GMT', '+0000')}\r\n`
      await q.write(msg, Buffer.from(received, 'utf8'))
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (ioError || filter.error || stream.sizeExceeded) continue
        const out = filter.push(chunk)
        if (out.length) await q.write(msg, out).catch((e) => { ioError = e })
      }
      const tail = filter.end()
      if (tail.length && !ioError) await q.write(msg, tail).catch((e) => { ioError = e })
    } catch (e) {
      ioError = e
    }
    if (stream.sizeExceeded) { // smtp-server answers 552 itself (rejectOversized)
      await q.abort(msg)
      throw smtpError(552, '5.3.4', 'Message size exceeds fixed maximum message size')
    }
    if (filter.error) { await q.abort(msg); throw smtpError(filter.error.code, filter.error.enhanced, filter.error.text) }
    if (ioError) {
      await q.abort(msg)
      this.deps.logger.error('General', `queue write failed: ${(ioError as Error).message}`)
      throw smtpError(452, '4.3.1', 'Insufficient system storage')
    }
    // One queue entry per destination channel (spec 01 §9).
    const byChannel = new Map<string, QueueRecipient[]>()
    for (const r of st.rcpts.values()) {
      for (const it of r.items) {
        const list = byChannel.get(it.channel) ?? []
        list.push({ to: it.to, origTo: r.origTo, orcpt: r.orcpt, notify: r.notify, uid: it.uid, folder: it.folder, host: it.host })
        byChannel.set(it.channel, list)
      }
    }
    if (!byChannel.size) { await q.abort(msg); return '2.5.0 Ok, no recipients left after expansion' }
    const from = env.mailFrom ? env.mailFrom.address : ''
    const dsn = (env as { dsn?: { ret?: string; envid?: string } }).dsn
    const peer = `dns;${session.clientHostname ?? session.remoteAddress} (${this.transport(session)})`
    const splits: Array<Omit<QueueEnvelope, 'id' | 'size'>> = [...byChannel].map(([channel, recipients]) => ({
      channel, sourceChannel: st.sourceChannel, from, envid: dsn?.envid, ret: dsn?.ret === 'HDRS' ? 'HDRS' : dsn?.ret === 'FULL' ? 'FULL' : undefined,
      created: Date.now(), messageId: filter.messageId, username: st.username, recipients, smtpUtf8,
      bodyType: (env as { bodyType?: string }).bodyType, peer,
    }))
    const held = filter.receivedCount > this.deps.maxReceivedLines
    const t0 = performance.now()
    try {
      // the job controller is woken once the entries are in the index (for a journaled message, just after the 250)
      await q.commit(msg, splits, { held, indexed: held ? undefined : (keys) => this.notifyEnqueued(splits.map((s) => s.channel), keys) })
    } catch (e) {
      this.deps.logger.error('General', `queue commit failed: ${(e as Error).message}`)
      throw smtpError(452, '4.3.1', 'Insufficient system storage')
    }
    this.deps.acceptLatencies?.push(performance.now() - t0)
    if (held) this.deps.logger.warning('General', `Received count exceeded; message held. (${msg.id})`)
    const mods = modifiersFor(session, this.def.lmtp, st.username)
    for (const s of splits) for (const r of s.recipients) {
      this.deps.log.message({
        action: 'E', modifiers: mods, source: st.sourceChannel, destination: s.channel,
        size: msg.size, from, origTo: `rfc822;${r.origTo}`, to: r.to, messageId: filter.messageId, username: st.username, transport: peer,
      })
    }
    return `2.5.0 Ok, queued as ${msg.id}`
  }
}
