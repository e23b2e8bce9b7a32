// One dispatcher listener (spec 01 §10): SMTP (tcp_local), submission (tcp_submit: STARTTLS or
// implicit TLS, AUTH required) or LMTP (tcp_lmtpss), spoken by Wren's own protocol engine
// (./smtp-engine, docs/decisions.md D27). A message goes to the commit journal (up to 64 KB) or
// streams to a queue file, and is fsynced (group commit) before the 250 (D26).
import type { EventBus, Logger } from '@wren/kernel'
import type { MtaPolicy, ProbeContext, RecipientDirectory, TransportLog } from '../ports.js'
import type { IncomingMessage, QueueStore } from '../queue/queue-store.js'
import type { RecipientResult } from '../queue/handoff.js'
import { origToField, type QueueEnvelope, type QueueRecipient } from '../queue/format.js'
import { expandRecipient, type Expansion } from './expand.js'
import { MessageFilter } from './message-filter.js'
import {
  SmtpEngineServer, SmtpError, type DataSink, type MailFrom, type RcptTo, type SmtpHandler, type SmtpReply, type SmtpSession,
} from './smtp-engine/index.js'

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
  /** MAX_B_ENTRIES: bad commands logged (B records) per session; default 10. */
  maxBadCommandsLogged?: number
}

/** What a refresh may change on a running listener (dispatcher-service.ts `refresh`): new sessions get it. */
export interface ListenerSettings {
  size: number
  banner?: string
  idleTimeout: number
  maxConns: number
  maxRecipients: number
  maxReceivedLines: number
  maxBadCommandsLogged: number
}

const DEFAULT_BANNER = 'Wren Messaging Server'

interface RcptState { origTo: string; orcpt?: string; notify?: string[]; items: Expansion[] }
interface SessionState {
  sourceChannel: string; username?: string; rcpts: Map<string, RcptState>; probe: ProbeContext
  /** The accepted RCPTs in order, duplicates included (keys of `rcpts`): LMTP answers each after DATA. */
  order: string[]
  /** `TCP|local ip|port|remote ip|port` (spec 01 §22 transport information). */
  transport: string
  /** The log records' source system: `dns;[remote ip] (transport)`. */
  peer: string
  /** B records written so far (MAX_B_ENTRIES). */
  badLogged?: number
}

// (a quoted local part may hold spaces and `@`: RFC 5321 §4.1.2; the session checked the syntax)
const RCPT_SYNTAX = /^("([^"\\]|\\.)*"|[^@\s"]+)@[^@\s]+$/
const POSTMASTER = /^postmaster$/i
const POSTMASTER_ADDR = /^postmaster(@|$)/i

function modifiersFor(s: SmtpSession, lmtp: boolean, username?: string): string {
  // spec 01 §22 modifiers: A SASL, E ESMTP, L LMTP, S TLS
  let m = lmtp ? 'L' : s.esmtp ? 'E' : ''
  if (username) m += 'A'
  if (s.secure) m += 'S'
  return m
}

const stateOf = (s: SmtpSession) => s.data as SessionState

export class SmtpListener implements SmtpHandler {
  readonly server: SmtpEngineServer
  private boundPort = 0

  constructor(readonly def: ListenerDef, private readonly deps: ListenerDeps) {
    this.server = new SmtpEngineServer({
      hostname: deps.hostname,
      banner: def.banner ?? DEFAULT_BANNER,
      lmtp: def.lmtp,
      implicitTls: def.tls === 'implicit',
      starttls: def.tls === 'starttls' && !def.lmtp,
      tls: deps.tls,
      authRequired: def.authRequired && !def.lmtp,
      allowInsecureAuth: def.allowInsecureAuth,
      maxClients: def.maxConns,
      idleTimeout: def.idleTimeout,
      size: def.size,
      maxRecipients: deps.maxRecipients,
      closeTimeout: 5000,
    }, this)
    this.server.server.on('error', (e) => deps.logger.warning('Network', `${def.name}: ${e.message}`))
  }

  async listen(): Promise<number> {
    this.boundPort = await this.server.listen(this.def.port, this.def.host)
    return this.boundPort
  }

  get port(): number { return this.boundPort }

  /**
   * Applies refreshed settings: sessions opened afterwards use them (the SIZE limit also applies to
   * a MAIL sent later in an open session); no connection is dropped. Returns whether anything changed.
   */
  update(s: ListenerSettings): boolean {
    const d = this.def
    const before = `${d.size}|${d.banner}|${d.idleTimeout}|${d.maxConns}|${this.deps.maxRecipients}|${this.deps.maxReceivedLines}|${this.deps.maxBadCommandsLogged}`
    Object.assign(d, { size: s.size, banner: s.banner, idleTimeout: s.idleTimeout, maxConns: s.maxConns })
    Object.assign(this.deps, { maxRecipients: s.maxRecipients, maxReceivedLines: s.maxReceivedLines, maxBadCommandsLogged: s.maxBadCommandsLogged })
    // the protocol engine reads its options per session and per command (smtp-engine/session.ts)
    Object.assign(this.server.options, { size: s.size, banner: s.banner ?? DEFAULT_BANNER, idleTimeout: s.idleTimeout, maxClients: s.maxConns, maxRecipients: s.maxRecipients })
    return before !== `${d.size}|${d.banner}|${d.idleTimeout}|${d.maxConns}|${this.deps.maxRecipients}|${this.deps.maxReceivedLines}|${this.deps.maxBadCommandsLogged}`
  }

  close(): Promise<void> {
    return this.server.close()
  }

  /**
   * Tells the job controller about new entries: one `queue.enqueued` per turn of the event loop
   * for all the sessions a group commit answered together, not one IPC message per message.
   */
  notifyEnqueued(channels: string[], keys: string[]): void {
    if (!keys.length) return // (all handed off to the job controller: handoff.ts)
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

  connLog(s: SmtpSession, action: string, diagnostic?: string, username?: string): void {
    const st = stateOf(s)
    this.deps.log.connection({
      action, direction: '+', channel: st.sourceChannel, transport: st.transport,
      application: this.def.lmtp ? 'LMTP' : 'SMTP', diagnostic, username,
    })
  }

  // ---- SmtpHandler ----------------------------------------------------------------------------

  async connect(s: SmtpSession): Promise<void> {
    const transport = `TCP|${s.localAddress}|${s.localPort}|${s.remoteAddress}|${s.remotePort}`
    const st: SessionState = {
      sourceChannel: this.def.channel, rcpts: new Map(), order: [], transport, peer: `dns;[${s.remoteAddress}] (${transport})`,
      probe: {
        localIp: s.localAddress, localPort: s.localPort, remoteIp: s.remoteAddress, remotePort: s.remotePort,
        authenticated: false, tls: s.secure, sourceChannel: this.def.channel, application: this.def.lmtp ? 'LMTP' : 'SMTP',
      },
    }
    s.data = st
    this.connLog(s, 'O')
    // PORT_ACCESS with `$:A` (spec 01 §10, §12)
    const v = await this.deps.policy.portAccess(st.probe)
    if (!v.accept) {
      this.connLog(s, 'X', v.text)
      throw new SmtpError(v.code ?? 554, v.enhanced ?? '5.7.1', v.text ?? 'Connection declined')
    }
    if (!this.def.lmtp) st.sourceChannel = await this.deps.policy.sourceChannel(st.probe, this.def.channel)
    st.probe.sourceChannel = st.sourceChannel
  }

  async auth(s: SmtpSession, username: string, password: string): Promise<string> {
    let u: { uid: string } | null | undefined
    try {
      u = await this.deps.directory.authenticate(username, password)
    } catch (e) {
      throw new SmtpError(454, '4.7.0', `Temporary authentication failure: ${(e as Error).message}`)
    }
    if (!u) {
      this.connLog(s, 'U', 'authentication failed')
      throw new SmtpError(535, '5.7.8', 'Authentication credentials invalid')
    }
    const st = stateOf(s)
    st.username = u.uid
    st.probe.authenticated = true
    this.connLog(s, 'U', undefined, u.uid)
    return u.uid
  }

  async mailFrom(s: SmtpSession, from: MailFrom): Promise<void> {
    const st = stateOf(s)
    st.rcpts = new Map()
    st.order = []
    st.probe.tls = s.secure
    if (st.username && !this.def.lmtp) {
      st.sourceChannel = await this.deps.policy.sourceChannel(st.probe, this.def.channel)
      st.probe.sourceChannel = st.sourceChannel
    }
    const v = await this.deps.policy.fromAccess(st.probe, from.address)
    if (!v.accept) {
      const code = v.code ?? 550, enhanced = v.enhanced ?? '5.7.1', text = v.text ?? 'Sender refused'
      // a J record as for a refused recipient (spec 01 §22), with no recipient yet
      this.deps.log.message({
        action: 'J', modifiers: modifiersFor(s, this.def.lmtp, st.username), source: st.sourceChannel, size: 0,
        from: from.address, origTo: '', to: '', status: `${code} ${enhanced} ${text}`, transport: st.peer, username: st.username,
      })
      throw new SmtpError(code, enhanced, text)
    }
  }

  async rcptTo(s: SmtpSession, rcpt: RcptTo): Promise<void> {
    const st = stateOf(s)
    const to = rcpt.address
    const from = s.mailFrom ? s.mailFrom.address : ''
    const reject = (code: number, enhanced: string, text: string) => {
      this.deps.log.message({
        action: 'J', modifiers: modifiersFor(s, this.def.lmtp, st.username), source: st.sourceChannel, size: 0,
        from, origTo: `rfc822;${to}`, to, status: `${code} ${enhanced} ${text}`,
        transport: st.peer, username: st.username,
      })
      return new SmtpError(code, enhanced, text)
    }
    if (!RCPT_SYNTAX.test(to) && !POSTMASTER.test(to)) throw reject(553, '5.1.3', `invalid address: ${to}`)
    const route = await this.deps.policy.route(to)
    const isPostmaster = POSTMASTER_ADDR.test(to) && this.deps.policy.isLocalChannel(route.channel)
    if (!isPostmaster) {
      st.probe.tls = s.secure
      const v = await this.deps.policy.recipientAccess(st.probe, from, to, route)
      if (!v.accept) throw reject(v.code ?? 550, v.enhanced ?? '5.7.1', v.text ?? `Relaying not allowed: ${to}`)
    }
    const exp = await expandRecipient(to, this.deps.policy, this.deps.directory)
    if (!exp.ok) throw reject(exp.code, exp.enhanced, exp.text)
    const items = isPostmaster ? exp.items : await this.expandedAccess(s, from, to, exp.items)
    st.rcpts.set(to.toLowerCase(), { origTo: to, orcpt: rcpt.params.orcpt, notify: rcpt.params.notify, items })
    st.order.push(to.toLowerCase())
  }

  /**
   * SEND_ACCESS and MAIL_ACCESS for each address a recipient expanded to (spec 01 §12): a refused
   * one gets a J record and is dropped; when every one is refused, so is the RCPT, with the first
   * refusal's reply.
   */
  private async expandedAccess(s: SmtpSession, from: string, to: string, items: Expansion[]): Promise<Expansion[]> {
    const st = stateOf(s)
    const kept: Expansion[] = []
    let first: SmtpError | undefined
    for (const it of items) {
      const v = await this.deps.policy.recipientAccess(st.probe, from, it.to, { channel: it.channel, address: it.to, host: it.host }, 'expanded')
      if (v.accept) { kept.push(it); continue }
      const code = v.code ?? 550, enhanced = v.enhanced ?? '5.7.1', text = v.text ?? `Recipient refused: ${it.to}`
      this.deps.log.message({
        action: 'J', modifiers: modifiersFor(s, this.def.lmtp, st.username), source: st.sourceChannel, destination: it.channel, size: 0,
        from, origTo: `rfc822;${to}`, to: it.to, status: `${code} ${enhanced} ${text}`, transport: st.peer, username: st.username,
      })
      first ??= new SmtpError(code, enhanced, text)
    }
    if (!kept.length && first) throw first
    return kept
  }

  data(s: SmtpSession): DataSink {
    return new QueueSink(this, this.deps, s)
  }

  disconnected(s: SmtpSession): void {
    if (s.data) this.connLog(s, 'C')
  }

  /**
   * Admin Guide ch. 17 action code B: "The recipient address field will contain the command that was
   * rejected while the diagnostic field will contain the response the SMTP server gave", at most
   * MAX_B_ENTRIES (`mta.max_b_entries`, default 10) per session.
   */
  badCommand(s: SmtpSession, command: string, reply: string): void {
    const st = s.data as SessionState | undefined
    if (!st) return
    const max = this.deps.maxBadCommandsLogged ?? 10
    if ((st.badLogged ?? 0) >= max) return
    st.badLogged = (st.badLogged ?? 0) + 1
    this.deps.log.message({
      action: 'B', source: st.sourceChannel, size: 0, from: s.mailFrom?.address ?? '', origTo: '', to: command,
      status: reply, transport: st.peer, username: st.username,
    })
  }
}

/**
 * One message on its way into the queue: the Received: trace field, then the content checked and
 * normalised by MessageFilter, written as it arrives; commit (fsync, group commit) at the end.
 */
class QueueSink implements DataSink {
  private msg: IncomingMessage | undefined
  private ioError: unknown
  /** q.begin() and the Received: field, until done. */
  private starting: Promise<void> | undefined
  /** The last queue write (abort waits for it). */
  private last: Promise<unknown> | undefined
  private readonly filter: MessageFilter
  private readonly st: SessionState
  private readonly smtpUtf8: boolean
  private readonly onIoError = (e: unknown) => { this.ioError ??= e }

  constructor(private readonly l: SmtpListener, private readonly deps: ListenerDeps, private readonly s: SmtpSession) {
    this.st = stateOf(s)
    this.smtpUtf8 = Boolean(s.mailFrom?.params.smtpUtf8)
    this.filter = new MessageFilter(this.smtpUtf8)
    this.starting = this.last = this.start().then(() => { this.starting = undefined }, (e) => { this.starting = undefined; this.onIoError(e) })
  }

  private async start(): Promise<void> {
    const msg = await this.deps.queue.begin()
    this.msg = msg
    const s = this.s
    const proto = this.l.def.lmtp ? 'LMTP' : s.transmissionType
    const rcpts = this.st.rcpts
    const forClause = rcpts.size === 1 ? `\r\n\tfor <${rcpts.values().next().value!.origTo}>` : ''
    // RFC 5321 §4.4 trace field
    const received = `Received: from ${s.heloName ?? 'unknown'} ([${s.remoteAddress}])\r\n` +
      `\tby ${this.deps.hostname} (Wren Messaging Server) with ${proto} id <${msg.id}>${forClause};\r\n\t${new Date().toUTCString().replace('GMT', '+0000')}\r\n`
    await this.deps.queue.write(msg, Buffer.from(received, 'utf8'))
  }

  write(chunk: Buffer): void | Promise<void> {
    if (this.ioError || this.filter.error) return
    const out = this.filter.push(chunk)
    if (!out.length || this.filter.error) return
    if (this.starting) return this.starting.then(() => this.put(out))
    return this.put(out)
  }

  private put(out: Buffer): Promise<void> | undefined {
    if (this.ioError || !this.msg) return
    const p = this.deps.queue.write(this.msg, out).then(undefined, this.onIoError)
    this.last = p
    return p
  }

  abort(): void {
    const q = this.deps.queue
    Promise.resolve(this.last).then(() => { if (this.msg) return q.abort(this.msg) })
      .catch((e: Error) => this.deps.logger.error('General', `queue abort failed: ${e.message}`))
  }

  async end(tooBig: boolean): Promise<SmtpReply | SmtpReply[]> {
    const q = this.deps.queue
    if (this.starting) await this.starting
    const filter = this.filter
    if (tooBig) { // the engine answers 552
      if (this.msg) await q.abort(this.msg)
      return { code: 552, enhanced: '5.3.4', text: 'Message size exceeds fixed maximum message size' }
    }
    const msg = this.msg
    if (!this.ioError && !filter.error) {
      const tail = filter.end()
      if (tail.length && msg) await q.write(msg, tail).catch(this.onIoError)
    }
    if (filter.error) {
      if (msg) await q.abort(msg)
      throw new SmtpError(filter.error.code, filter.error.enhanced, filter.error.text)
    }
    if (this.ioError || !msg) {
      if (msg) await q.abort(msg).catch(() => {})
      this.deps.logger.error('General', `queue write failed: ${(this.ioError as Error)?.message}`)
      throw new SmtpError(452, '4.3.1', 'Insufficient system storage')
    }
    const s = this.s
    const st = this.st
    const def = this.l.def
    // One queue entry per destination channel (spec 01 §9).
    const byChannel = new Map<string, QueueRecipient[]>()
    /** LMTP: where each recipient's addresses went (channel, index in that entry's recipients), for its reply. */
    const placed = new Map<RcptState, Array<{ channel: string; idx: number }>>()
    for (const r of st.rcpts.values()) {
      const at: Array<{ channel: string; idx: number }> = []
      for (const it of r.items) {
        const list = byChannel.get(it.channel) ?? []
        at.push({ channel: it.channel, idx: list.length })
        list.push({ to: it.to, origTo: r.origTo, orcpt: r.orcpt, notify: r.notify, uid: it.uid, folder: it.folder, host: it.host })
        byChannel.set(it.channel, list)
      }
      if (def.lmtp) placed.set(r, at)
    }
    if (!byChannel.size) { await q.abort(msg); return { code: 250, enhanced: '2.5.0', text: 'Ok, no recipients left after expansion' } }
    const mf = s.mailFrom!
    const from = mf.address
    const peer = st.peer
    const splits: Array<Omit<QueueEnvelope, 'id' | 'size'>> = [...byChannel].map(([channel, recipients]) => ({
      channel, sourceChannel: st.sourceChannel, from, envid: mf.params.envid, ret: mf.params.ret,
      created: Date.now(), messageId: filter.messageId, username: st.username, recipients, smtpUtf8: this.smtpUtf8,
      bodyType: mf.params.bodyType, peer,
    }))
    const held = filter.receivedCount > this.deps.maxReceivedLines
    const t0 = performance.now()
    // LMTP (RFC 2033 §4.2): store-bound entries handed to the job controller come back with each
    // recipient's delivery result, which is the recipient's reply (D28); anything else is "queued".
    const wantResult = def.lmtp && !held
    let keys: string[]
    let inIndex: Promise<void> | undefined
    let onIndex!: () => void
    if (wantResult) inIndex = new Promise<void>((r) => (onIndex = r))
    try {
      // the job controller is woken once the entries are in the index (for a journaled message, just after the 250)
      keys = await q.commit(msg, splits, {
        held, wantResult,
        indexed: held ? undefined : (ks) => { this.l.notifyEnqueued(splits.map((sp) => sp.channel), ks); onIndex?.() },
      })
    } catch (e) {
      this.deps.logger.error('General', `queue commit failed: ${(e as Error).message}`)
      throw new SmtpError(452, '4.3.1', 'Insufficient system storage')
    }
    this.deps.acceptLatencies?.push(performance.now() - t0)
    if (held) this.deps.logger.warning('General', `Received count exceeded; message held. (${msg.id})`)
    const mods = modifiersFor(s, def.lmtp, st.username)
    for (const sp of splits) sp.recipients.forEach((r, i) => {
      this.deps.log.message({
        action: 'E', modifiers: mods, source: st.sourceChannel, destination: sp.channel, sameMessage: i > 0,
        size: msg.size, from, origTo: origToField(r), to: r.to, messageId: filter.messageId, username: st.username, transport: peer,
      })
    })
    // the E records reach mail.log before the 250: an acknowledged message always has them
    this.deps.log.sync?.()
    const queued: SmtpReply = { code: 250, enhanced: '2.5.0', text: `Ok, queued as ${msg.id}` }
    if (!inIndex) return queued
    const results = await this.deliveryResults(inIndex, splits, keys)
    if (!results.size) return queued
    // Each LMTP recipient: the worst result of the addresses it expanded to (queued counts as delivered).
    const rank = { ok: 0, temp: 1, perm: 2 }
    const replies = new Map<RcptState, SmtpReply>()
    for (const r of st.rcpts.values()) {
      let worst: RecipientResult | undefined
      const where = placed.get(r) ?? []
      for (const at of where) {
        const res = results.get(at.channel)?.get(at.idx)
        if (!res || res.status === 'ok') continue
        // refused by the store: a J record with the reply (spec 01 §22), nothing stays queued for it
        const to = splits.find((sp) => sp.channel === at.channel)!.recipients[at.idx]
        this.deps.log.message({
          action: 'J', modifiers: mods, source: st.sourceChannel, destination: at.channel, size: msg.size, from,
          origTo: origToField(to), to: to.to, messageId: filter.messageId, status: `${res.code} ${res.enhanced} ${res.text}`, transport: peer, username: st.username,
        })
        if (!worst || rank[res.status] > rank[worst.status]) worst = res
      }
      const delivered = where.length > 0 && where.every((at) => results.get(at.channel)?.get(at.idx)?.status === 'ok')
      replies.set(r, worst ? { code: worst.code, enhanced: worst.enhanced, text: worst.text }
        : delivered ? { code: 250, enhanced: '2.1.5', text: `Ok, delivered as ${msg.id}` } : queued)
    }
    this.deps.log.sync?.()
    return st.order.map((k) => replies.get(st.rcpts.get(k)!) ?? queued)
  }

  /**
   * The recipients' results of this message's entries that were handed off asking for them, per
   * channel and recipient index; waits for the entries to be handed off (or indexed), then for the
   * job controller (handoff-ledger.ts: at most its timeout; an entry queued instead has none).
   */
  private async deliveryResults(inIndex: Promise<void>, splits: Array<Omit<QueueEnvelope, 'id' | 'size'>>, keys: string[]): Promise<Map<string, Map<number, RecipientResult>>> {
    const out = new Map<string, Map<number, RecipientResult>>()
    const q = this.deps.queue
    let timer: NodeJS.Timeout | undefined
    // (the index transaction keeps failing: answer "queued" — the entries are on disk and indexed later)
    const late = new Promise<'late'>((r) => { timer = setTimeout(() => r('late'), 30_000); timer.unref() })
    const ready = await Promise.race([inIndex, late])
    clearTimeout(timer)
    if (ready === 'late') return out
    const waits = keys.map((k, i) => q.handoffResult(k)?.then((res) => ({ channel: splits[i].channel, res })))
    for (const w of await Promise.all(waits)) {
      if (!w?.res) continue
      out.set(w.channel, new Map(w.res.map((r) => [r.idx, r])))
    }
    return out
  }
}
