// The job controller (spec 01 §11): runs each channel's master program with `maxjobs` per channel
// and `job_limit` per pool, untried (ZZ) entries first, retries by `backoff`, delay warnings and the
// final return by `notices`, stopped channels, held entries ignored. Work arrives by bus message
// (`queue.enqueued`), by a periodic rescan of the index, and — for the store — whole from the
// dispatcher's hand-off (queue/handoff.ts), delivered before it is ever indexed.
import type { ConfigView, EventBus, Logger } from '@wren/kernel'
import type { QueueStore } from '../queue/queue-store.js'
import type { EntryRow } from '../queue/index-db.js'
import { origToField, type QueueEnvelope } from '../queue/format.js'
import type { TransportLog } from '../ports.js'
import type { DeliveryItem, MasterProgram, RecipientOutcome } from '../delivery/types.js'
import { backoffDelay, channelSettings, poolLimit, wantsAnotherJob, type ChannelSettings } from './channel-settings.js'
import { sendNotification, type NotifierDeps } from '../dsn/notify.js'
import { wants, type DsnRecipient } from '../dsn/build.js'
import type { HandedOffEntry, HandoffPeer, RecipientResult } from '../queue/handoff.js'

const DAY = 86_400_000

/** Handed-off entries waiting per channel at most; more are indexed at once (memory stays bounded, the queue tools see them). */
const MAX_HANDED_OFF_WAITING = 2000

/** A handed-off entry waiting for (or in) a job: its would-be index row, and who to tell when it is settled. */
interface HandedOff { row: EntryRow; env: QueueEnvelope; peer: HandoffPeer; wantResult?: boolean }

/** The LMTP reply code for a store delivery's enhanced status (RFC 2033 §4.2, spec 01 §15: 452 4.2.2, 552 5.2.2, 550 5.1.1). */
export function lmtpReplyCode(status: 'ok' | 'temp' | 'perm', enhanced: string): number {
  if (status === 'ok') return 250
  const [, subject] = enhanced.split('.')
  if (status === 'temp') return subject === '2' || enhanced === '4.3.1' ? 452 : 451
  return subject === '2' || enhanced === '5.3.4' ? 552 : 550
}

export interface JobControllerDeps extends NotifierDeps {
  config: ConfigView
  logger: Logger
  bus: EventBus
  programFor(ch: ChannelSettings): MasterProgram | undefined
  /** Rescan interval in ms (default 1000). */
  pollMs?: number
  /** Length of a notices "day" in ms (tests shorten it). */
  dayMs?: number
}

export interface JobInfo { id: number; channel: string; messages: number; recipients: number; bytes: number; keys: string[] }

/**
 * The remote side as the manual's outbound records show it (Admin Guide ch. 17, "A Local User Sends
 * An Outgoing Message"): `dns;host (TCP|local ip|port|remote ip|port) (banner)`.
 */
function peerText(o: RecipientOutcome): string | undefined {
  if (!o.transport) return o.remoteMta
  return [o.remoteMta, `(${o.transport})`, o.banner && `(${o.banner})`].filter(Boolean).join(' ')
}

export class JobController {
  private running = new Map<string, number>()
  private poolRunning = new Map<string, number>()
  private jobs = new Map<number, JobInfo>()
  private nextJobId = 1
  private timer?: NodeJS.Timeout
  private scheduled = false
  private stopping = false
  private channelsCache: string[] = []
  private channelsAt = 0
  private settingsCache = new Map<string, ChannelSettings>()
  private idle: Array<() => void> = []
  /** Handed-off entries not yet in a job, per channel (untried: they go before the index's due entries). */
  private handedOff = new Map<string, HandedOff[]>()
  private unsub?: () => void
  /** Recipients delivered / requeued / failed, and channel jobs run (messages per job = batching). */
  readonly stats = { delivered: 0, requeued: 0, failed: 0, jobs: 0 }

  constructor(private readonly d: JobControllerDeps) {}

  get queue(): QueueStore { return this.d.queue }

  async start(): Promise<void> {
    this.d.queue.index.resetActive()
    const r = await this.d.queue.reconcile()
    if (r.added || r.removed || r.fixed) this.d.logger.notice('General', `queue index reconciled: ${r.added} added, ${r.removed} removed, ${r.fixed} fixed`)
    this.unsub = this.d.bus.onMessage('queue.enqueued', (m) => {
      const chans = Array.isArray(m.channels) ? (m.channels as string[]) : []
      if (chans.some((c) => !this.channelsCache.includes(c))) this.channelsAt = 0
      this.kick()
    })
    this.timer = setInterval(() => this.kick(), this.d.pollMs ?? 1000)
    this.kick()
  }

  async stop(): Promise<void> {
    this.stopping = true
    this.handedOff.clear() // (their dispatcher indexes them when the hand-off connection closes)
    this.unsub?.()
    if (this.timer) clearInterval(this.timer)
    if (this.jobs.size) await new Promise<void>((r) => this.idle.push(r))
  }

  settings(channel: string): ChannelSettings {
    let s = this.settingsCache.get(channel)
    if (!s) { s = channelSettings(this.d.config, channel); this.settingsCache.set(channel, s) }
    return s
  }

  refresh(): void { this.settingsCache.clear() }

  activeJobs(): JobInfo[] { return [...this.jobs.values()] }

  /** Schedules a scan on the next tick (coalesced). */
  kick(): void {
    if (this.scheduled || this.stopping) return
    this.scheduled = true
    setImmediate(() => { this.scheduled = false; this.scan() })
  }

  private channels(): string[] {
    if (Date.now() - this.channelsAt > 5000 || !this.channelsCache.length) {
      this.channelsCache = this.d.queue.channels()
      this.channelsAt = Date.now()
    }
    return this.channelsCache
  }

  private scan(): void {
    if (this.stopping) return
    try { this.scanOnce() } catch (e) {
      // e.g. the index is busy beyond busy_timeout: try again on the next tick
      this.d.logger.warning('General', `queue scan failed: ${(e as Error).message}`)
    }
  }

  private scanOnce(): void {
    const stopped = new Set(this.d.queue.index.stoppedChannels())
    const channels = this.handedOff.size ? new Set([...this.channels(), ...this.handedOff.keys()]) : this.channels()
    for (const channel of channels) {
      const waiting = this.handedOff.get(channel)
      const s = this.settings(channel)
      // e.g. ims-ms while the store cannot be opened: leave it queued
      if (stopped.has(channel) || s.kind === 'hold' || s.kind === 'none' || !this.d.programFor(s)) {
        if (waiting?.length) this.indexHandedOff(waiting.splice(0))
        continue
      }
      while ((this.running.get(channel) ?? 0) < s.maxjobs && (this.poolRunning.get(s.pool) ?? 0) < poolLimit(this.d.config, s.pool)) {
        // (one job at a time unless filesperjob asks for more: what waits meanwhile goes in the next, larger job)
        if (!wantsAnotherJob(s, this.running.get(channel) ?? 0, (limit) => waiting?.length || this.d.queue.index.countDue(channel, limit + 1))) break
        if (waiting?.length) { this.runJob(s, [], waiting.splice(0, s.batch)); continue }
        const rows = this.d.queue.index.claimDue(channel, s.batch)
        if (!rows.length) break
        this.runJob(s, rows)
      }
    }
  }

  // ---- the dispatcher's hand-off (queue/handoff.ts) ----

  /** Channels whose new entries the dispatcher may hand over: store delivery, deliverable now, not stopped. */
  handoffChannels(): string[] {
    if (this.stopping) return []
    const stopped = new Set(this.d.queue.index.stoppedChannels())
    return [...new Set(['ims-ms', ...this.channels()])].filter((c) => {
      const s = this.settings(c)
      return s.kind === 'ims-ms' && !stopped.has(c) && Boolean(this.d.programFor(s))
    })
  }

  /** New entries from the dispatcher, on disk in its journal and in no index: delivered in the next jobs. */
  acceptHandedOff(entries: HandedOffEntry[], peer: HandoffPeer): void {
    const now = Date.now()
    for (const e of entries) {
      const env = e.env
      const row: EntryRow = {
        key: e.key, msg_id: env.id, channel: env.channel, dir: e.dir, attempts: 0, held: 0, created: env.created ?? now, next_at: now,
        last_error: null, sender: env.from, size: env.size, rcpt_count: env.recipients.length, active: process.pid, env: null, seg: e.seg, seg_off: e.segOff,
      }
      let list = this.handedOff.get(env.channel)
      if (!list) this.handedOff.set(env.channel, (list = []))
      list.push({ row, env, peer, wantResult: e.wantResult === true })
    }
    for (const list of this.handedOff.values()) if (list.length > MAX_HANDED_OFF_WAITING) this.indexHandedOff(list.splice(MAX_HANDED_OFF_WAITING))
    if (this.stopping) for (const list of this.handedOff.values()) this.indexHandedOff(list.splice(0))
    else this.kick()
  }

  /** The dispatcher went away: what it handed over and no job has started is its to index again. */
  dropHandedOff(peer: HandoffPeer): void {
    for (const [channel, list] of this.handedOff) {
      const keep = list.filter((h) => h.peer !== peer)
      if (keep.length) this.handedOff.set(channel, keep); else this.handedOff.delete(channel)
    }
  }

  /** Tells each entry's dispatcher that it is delivered, or indexed. */
  private settle(entries: HandedOff[]): void {
    const byPeer = new Map<HandoffPeer, string[]>()
    for (const h of entries) {
      let keys = byPeer.get(h.peer)
      if (!keys) byPeer.set(h.peer, (keys = []))
      keys.push(h.row.key)
    }
    for (const [peer, keys] of byPeer) peer.settle(keys)
  }

  /**
   * Handed-off entries that were not (all) delivered at once get their index rows, as if they had
   * been indexed when accepted (attempt 0, due now): from there on they are ordinary queue entries
   * (retry, DSN, hold). Rows another process wrote first are kept.
   */
  private indexHandedOff(entries: HandedOff[]): void {
    if (!entries.length) return
    const now = Date.now()
    try {
      this.d.queue.index.insertAbsent(entries.map((h) => ({ key: h.row.key, dir: h.row.dir, attempts: 0, held: false, env: h.env, nextAt: now, seg: h.row.seg, segOff: h.row.seg_off })))
    } catch (e) {
      // (the index stayed locked: the dispatcher indexes them itself if the connection goes away; try again meanwhile)
      this.d.logger.warning('General', `indexing handed-off entries failed: ${(e as Error).message}`)
      const t = setTimeout(() => this.indexHandedOff(entries.filter((h) => h.peer.connected)), 1000)
      t.unref()
      return
    }
    this.settle(entries)
    this.kick()
  }

  /**
   * A job over handed-off entries: delivered and logged as any job's; a message with every
   * recipient delivered is settled (it never gets a row), any other is indexed untouched and
   * retried from the index — its delivered recipients are then no-ops in the store (delivery key).
   */
  private async handedOffJob(s: ChannelSettings, batch: HandedOff[]): Promise<void> {
    const q = this.d.queue
    const program = this.d.programFor(s)
    if (!program) return this.indexHandedOff(batch)
    const items = batch.map((h) => ({ key: h.row.key, env: h.env, path: q.pathOf(h.row), pending: h.env.recipients.map((_, i) => i), row: h.row }))
    const { outcomes, afterRecorded } = await this.runProgram(program, s, items)
    const now = Date.now()
    const delivered: HandedOff[] = []
    const unfinished: HandedOff[] = []
    const answered: Array<{ h: HandedOff; results: RecipientResult[] }> = []
    try {
      for (let i = 0; i < items.length; i++) {
        const sets = this.classify(s, items[i], outcomes[i] ?? [], now)
        // An LMTP session waits for this entry: its recipients' results are their replies, and the
        // refused ones are not queued (the LMTP client retries or bounces them). If the dispatcher
        // went away meanwhile, it has indexed the entry and answered "queued": handled as any other.
        if (batch[i].wantResult && batch[i].peer.connected) {
          await this.finish(s, items[i], { ...sets, perm: [], temp: [] }, now, [])
          const results = [...sets.ok, ...sets.temp, ...sets.perm].map((o): RecipientResult => {
            const text = (o.diagnostic ?? '').startsWith(o.statusCode) ? o.diagnostic.slice(o.statusCode.length).trim() : o.diagnostic
            return o.status === 'ok'
              ? { idx: o.idx, status: 'ok', code: 250, enhanced: '2.1.5', text: 'Ok' }
              : { idx: o.idx, status: o.status, code: lmtpReplyCode(o.status, o.statusCode), enhanced: o.statusCode, text: text || 'Delivery failed' }
          })
          answered.push({ h: batch[i], results })
          continue
        }
        if (sets.perm.length || sets.temp.length) { unfinished.push(batch[i]); continue }
        await this.finish(s, items[i], sets, now, [])
        delivered.push(batch[i])
      }
    } finally { this.runAfterRecorded(afterRecorded) }
    // their D records reach mail.log before the dispatcher forgets them
    this.d.log.sync?.()
    this.settle(delivered)
    for (const a of answered) a.h.peer.result(a.h.row.key, a.results)
    this.indexHandedOff(unfinished)
  }

  private runJob(s: ChannelSettings, rows: EntryRow[], handedOff?: HandedOff[]): void {
    if (handedOff) rows = handedOff.map((h) => h.row)
    const id = this.nextJobId++
    this.stats.jobs++
    const info: JobInfo = { id, channel: s.name, messages: rows.length, recipients: rows.reduce((a, r) => a + r.rcpt_count, 0), bytes: rows.reduce((a, r) => a + r.size, 0), keys: rows.map((r) => r.key) }
    this.jobs.set(id, info)
    this.running.set(s.name, (this.running.get(s.name) ?? 0) + 1)
    this.poolRunning.set(s.pool, (this.poolRunning.get(s.pool) ?? 0) + 1)
    const run = handedOff ? this.handedOffJob(s, handedOff) : this.job(s, rows)
    run.catch((e) => {
      this.d.logger.error('General', `${s.name} job failed: ${(e as Error).stack ?? e}`)
      if (handedOff) this.indexHandedOff(handedOff)
      else this.d.queue.index.release(rows.map((r) => r.key))
    }).finally(() => {
      this.jobs.delete(id)
      this.running.set(s.name, (this.running.get(s.name) ?? 1) - 1)
      this.poolRunning.set(s.pool, (this.poolRunning.get(s.pool) ?? 1) - 1)
      if (!this.jobs.size) for (const r of this.idle.splice(0)) r()
      this.kick()
    })
  }

  private async job(s: ChannelSettings, rows: EntryRow[]): Promise<void> {
    const program = this.d.programFor(s)
    const q = this.d.queue
    const items: Array<DeliveryItem & { row: EntryRow }> = []
    // Recipients finished by an earlier attempt (one query for the whole job).
    const doneByKey = q.index.doneSets(rows.map((r) => r.key))
    const completed: EntryRow[] = []
    for (const row of rows) {
      let env: QueueEnvelope
      try { env = await q.envelope(row) } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') { q.index.remove([row.key]); continue }
        await q.hold(row, `unreadable queue file: ${(e as Error).message}`).catch(() => q.index.release([row.key]))
        continue
      }
      const done = doneByKey.get(row.key)
      const pending = env.recipients.map((_, i) => i).filter((i) => !done?.has(i))
      if (!pending.length) { completed.push(row); continue }
      items.push({ key: row.key, env, path: q.pathOf(row), pending, row })
    }
    if (!items.length) return q.completeMany(completed)
    if (!program) {
      q.index.release(items.map((it) => it.key))
      return q.completeMany(completed)
    }
    const { outcomes, afterRecorded } = await this.runProgram(program, s, items)
    const now = Date.now()
    const sets = items.map((it, i) => this.classify(s, it, outcomes[i] ?? [], now))
    // Done-marks of the whole job in one transaction, before any file changes: a crash from here
    // on never delivers these again. Not needed for a store delivery that fully succeeded: its
    // entry is removed next, and a repeat after a crash in between is a no-op in the store (the
    // delivery's idempotency key, ims-ms.ts) — one write transaction less per job.
    const idempotent = s.kind === 'ims-ms'
    q.index.markDoneMany(items.map((it, i) => ({ key: it.row.key, idxs: idempotent && !sets[i].perm.length && !sets[i].temp.length ? [] : [...sets[i].ok, ...sets[i].perm].map((o) => o.idx) })))
    try {
      for (let i = 0; i < items.length; i++) await this.finish(s, items[i], sets[i], now, completed)
    } finally { this.runAfterRecorded(afterRecorded) }
    // The job's D/R/K records reach mail.log before its entries are removed.
    this.d.log.sync?.()
    // Entries with every recipient finished: files unlinked together, index rows in one transaction.
    await q.completeMany(completed)
  }

  /**
   * Runs the channel's master program over a job's items; a program that throws leaves every pending
   * recipient with a temporary 4.3.0. The steps it asks to run once the outcomes are recorded are
   * returned (runAfterRecorded).
   */
  private async runProgram(program: MasterProgram, s: ChannelSettings, items: DeliveryItem[]): Promise<{ outcomes: RecipientOutcome[][]; afterRecorded: Array<() => void> }> {
    const afterRecorded: Array<() => void> = []
    try {
      return { outcomes: await program.deliver(items, s, { afterRecorded: (fn) => { afterRecorded.push(fn) } }), afterRecorded }
    } catch (e) {
      const msg = `4.3.0 ${(e as Error).message}`
      return { outcomes: items.map((it) => it.pending.map((idx) => ({ idx, status: 'temp' as const, statusCode: '4.3.0', diagnostic: msg }))), afterRecorded }
    }
  }

  private runAfterRecorded(steps: Array<() => void>): void {
    for (const fn of steps) { try { fn() } catch (e) { this.d.logger.error('General', `after-job step failed: ${(e as Error).message}`) } }
  }

  /** Splits a message's outcomes into delivered, failed and still-to-retry (expired retries fail). */
  private classify(s: ChannelSettings, it: DeliveryItem, outs: RecipientOutcome[], now: number) {
    const { env } = it
    const dayMs = this.d.dayMs ?? DAY
    const ok = outs.filter((o) => o.status === 'ok')
    const perm = outs.filter((o) => o.status === 'perm')
    let temp = outs.filter((o) => o.status === 'temp')
    // Outcomes missing for a pending recipient count as temporary failures.
    const answered = new Set(outs.map((o) => o.idx))
    for (const idx of it.pending) if (!answered.has(idx)) temp.push({ idx, status: 'temp', statusCode: '4.0.0', diagnostic: '4.0.0 no result from channel program' })
    const age = now - env.created
    const returnAfter = s.notices[s.notices.length - 1] * dayMs
    const expired = temp.length && age >= returnAfter
    if (expired) {
      perm.push(...temp.map((t) => ({ ...t, status: 'perm' as const, statusCode: t.statusCode.replace(/^4/, '5'), diagnostic: `${t.diagnostic} (message timed out after ${s.notices[s.notices.length - 1]} days)` })))
      temp = []
    }
    return { ok, perm, temp, age, returnAfter }
  }

  private async finish(s: ChannelSettings, it: DeliveryItem & { row: EntryRow }, sets: ReturnType<JobController['classify']>, now: number, completed: EntryRow[]): Promise<void> {
    const q = this.d.queue
    const { env, row } = it
    const dayMs = this.d.dayMs ?? DAY
    const { ok, perm, temp, age, returnAfter } = sets
    const rcpt = (idx: number) => env.recipients[idx]
    const base = { source: s.name, size: env.size, from: env.from, messageId: env.messageId }
    for (const [i, o] of ok.entries()) {
      this.d.log.message({ ...base, sameMessage: i > 0, action: 'D', modifiers: o.modifiers ?? (o.transport ? 'E' : ''), origTo: origToField(rcpt(o.idx)), to: rcpt(o.idx).to, status: o.diagnostic || undefined, transport: peerText(o), queueTime: Math.round(age / 1000) })
    }
    // Failures → DSN (R), or K when the sender asked for no notice. The manual enqueues the bounce
    // before it logs the R of the original (spec 01 §22 "Sending to a Nonexistent Domain").
    const failedDsn: DsnRecipient[] = []
    const failLines: Array<() => void> = []
    for (const o of perm) {
      const r = rcpt(o.idx)
      const notice = wants(r.notify, 'FAILURE') && env.from !== '' && !env.isNotification
      const sameMessage = failLines.length > 0
      failLines.push(() => this.d.log.message({ ...base, sameMessage, action: notice ? 'R' : 'K', modifiers: o.modifiers ?? '', origTo: origToField(r), to: r.to, status: o.diagnostic, transport: peerText(o) }))
      if (notice) failedDsn.push({ to: r.to, orcpt: r.orcpt, action: 'failed', status: o.statusCode.startsWith('5') ? o.statusCode : '5.0.0', diagnostic: o.diagnostic, remoteMta: o.remoteMta })
    }
    // RFC 3461 §5.2.2: a relay to a peer without DSN support gets a `relayed` notice
    const successDsn: DsnRecipient[] = ok.filter((o) => wants(rcpt(o.idx).notify, 'SUCCESS') && (!o.transport || o.dsnAction))
      .map((o) => ({ to: rcpt(o.idx).to, orcpt: rcpt(o.idx).orcpt, action: o.dsnAction ?? 'delivered', status: '2.0.0',
        diagnostic: o.transport ? o.diagnostic : undefined, remoteMta: o.remoteMta }))
    const notify = async (recipients: DsnRecipient[], copy: boolean, until?: Date) => {
      if (!recipients.length) return
      try {
        const keys = await sendNotification(this.d, { env, messagePath: it.path, recipients, channel: s.name, postmasterCopy: copy, postHeadOnly: s.postHeadOnly, willRetryUntil: until })
        if (keys.length) { this.channelsAt = 0; this.kick() }
      } catch (e) { this.d.logger.error('General', `notification for ${row.key} failed: ${(e as Error).message}`) }
    }
    await notify(failedDsn, s.copySendPost)
    for (const line of failLines) line()
    await notify(successDsn, false)
    this.stats.delivered += ok.length
    this.stats.failed += perm.length
    if (!temp.length) { completed.push(row); return }
    // Temporary failures: delay notice per `notices`, then back off (Q records).
    let newEnv = env
    const sent = env.noticesSent ?? 0
    if (sent < s.notices.length - 1 && age >= s.notices[sent] * dayMs) {
      const delayed = temp.filter((t) => wants(rcpt(t.idx).notify, 'DELAY'))
      for (const t of temp) this.d.log.message({ ...base, action: 'W', origTo: origToField(rcpt(t.idx)), to: rcpt(t.idx).to, status: t.diagnostic })
      await notify(delayed.map((t) => ({ to: rcpt(t.idx).to, orcpt: rcpt(t.idx).orcpt, action: 'delayed' as const, status: t.statusCode.startsWith('4') ? t.statusCode : '4.0.0', diagnostic: t.diagnostic, remoteMta: t.remoteMta })),
        s.copyWarnPost, new Date(env.created + returnAfter))
      let n = sent
      while (n < s.notices.length - 1 && age >= s.notices[n] * dayMs) n++
      newEnv = { ...env, noticesSent: n }
    }
    for (const [i, t] of temp.entries()) this.d.log.message({ ...base, sameMessage: i > 0, action: ok.length || perm.length ? 'Z' : 'Q', origTo: origToField(rcpt(t.idx)), to: rcpt(t.idx).to, status: t.diagnostic, transport: peerText(t), filename: q.filePathOf(row) })
    const remaining = env.recipients.map((_, i) => i).filter((i) => temp.some((t) => t.idx === i))
    const attempts = row.attempts + 1
    this.d.log.sync?.()
    await q.requeue(row, newEnv, remaining, now + backoffDelay(s, attempts), temp[0].diagnostic, false, newEnv !== env)
    this.stats.requeued++
  }
}
