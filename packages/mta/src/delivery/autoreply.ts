// Internal autoreply mode (delivery_options `!`, spec 01 §16): the expansion sends the user's copy to
// bitbucket as `$M+$D@bitbucket`; when the bitbucket channel "delivers" it, the vacation reply is
// generated here from the user's LDAP attributes as they are at delivery time. The entry that produced
// the address is found again (same template, `!` prefix, still inside its time limits), so a user who
// switched vacation off meanwhile sends nothing, and `nomail` (same address, no `!`) never replies.
import type { ConfigView, EventBus } from '@wren/kernel'
import type { MtaPolicy, RecipientDirectory, TransportLog } from '../ports.js'
import type { QueueStore } from '../queue/queue-store.js'
import type { QueueEnvelope, QueueRecipient } from '../queue/format.js'
import { expandRecipient } from '../dispatcher/expand.js'
import { DEFAULT_DELIVERY_OPTIONS, entryApplies, inVacation, parseDeliveryOptions, selectEntry, substituteTemplate } from './delivery-options.js'
import { buildVacationReply, decideVacation } from './vacation.js'
import { claimReply } from './vacation-track.js'
import { readMessagePrefix } from '../queue/message-ref.js'

export interface AutoreplyDeps {
  hostname: string
  queue: QueueStore
  policy: MtaPolicy
  directory: RecipientDirectory
  log: TransportLog
  config: ConfigView
  dataRoot: string
  bus?: EventBus
}

const HEAD_MAX = 64 * 1024

async function readHead(path: string, size: number, whole: boolean): Promise<{ head: string; message: Buffer }> {
  const data = await readMessagePrefix(path, whole ? size : Math.min(size, HEAD_MAX))
  const end = data.indexOf('\r\n\r\n')
  return { head: data.subarray(0, end < 0 ? data.length : end + 2).toString('utf8'), message: data }
}

/** Runs vacation for one bitbucket recipient; returns a short outcome for the log/tests. */
export async function autoreplyFor(d: AutoreplyDeps, env: QueueEnvelope, path: string, r: QueueRecipient, now = Date.now()): Promise<string> {
  if (!r.uid || env.isNotification) return 'not an autoreply'
  const defaultDomain = String(d.config.find('base.defaultdomain') ?? d.hostname)
  const probe = r.uid.includes('@') ? r.uid : `${r.uid}@${defaultDomain}`
  const res = await d.directory.resolveAddress(probe)
  if (res.kind !== 'user' || res.uid.toLowerCase() !== r.uid.toLowerCase()) return 'user not found'
  const entries = parseDeliveryOptions(String(d.config.find('mta.delivery_options') ?? d.policy.expansionSettings?.()?.deliveryOptions ?? DEFAULT_DELIVERY_OPTIONS))
  const at = res.uid.indexOf('@')
  const vars = { A: res.mail, M: at < 0 ? res.uid : res.uid.slice(0, at), I: at < 0 ? '' : res.uid.slice(at + 1), H: res.mailHost, D: res.domain }
  const engaged = (res.deliveryOptions ?? []).some((v) => {
    const e = selectEntry(entries, v, 'user')
    if (!e?.autoreply || !entryApplies(e, res.vacation, now)) return false
    const t = substituteTemplate(e.template, vars)
    // `$A`-free templates (the default) give the same address for every alias of the user.
    return t !== undefined && t.toLowerCase() === r.to.toLowerCase()
  })
  if (!engaged || !res.vacation) return 'autoreply not engaged'
  // The generator enforces the vacation dates even when the entry has no `^` (spec 01 §16).
  if (!inVacation(res.vacation.start, res.vacation.end, now)) return 'outside the vacation dates'
  const echo = (res.vacation.mode ?? '').toLowerCase() === 'echo'
  const { head, message } = await readHead(path, env.size, echo)
  // The sender's own preferredLanguage counts when they are in the directory (spec 01 §7); looked up
  // only when the user has language-tagged texts to choose from.
  let senderLanguage: string | undefined
  if (res.vacation.variants && env.from) {
    const s = await d.directory.resolveAddress(env.from).catch(() => undefined)
    if (s?.kind === 'user') senderLanguage = s.preferredLanguage
  }
  const inp = {
    senderLanguage,
    returnPath: env.from, headers: head, message, userAddress: res.mail, addresses: res.addresses ?? [],
    personalName: res.cn, vacation: res.vacation, hostname: d.hostname, now: new Date(now),
    defaultTimeoutHours: Number(d.config.find('mta.autoreply_timeout_default') ?? 168),
  }
  const dec = decideVacation(inp)
  if (!dec.reply) return dec.reason
  const track = { dataRoot: d.dataRoot, template: d.config.find<string>('mta.vacation_template'), cleanup: Number(d.config.find('mta.vacation_cleanup') ?? 200) }
  if (!(await claimReply(track, res.uid, env.from, dec.hash, dec.periodMs, now))) return 'already replied within the period'
  const { body, messageId } = buildVacationReply(inp, dec)
  const exp = await expandRecipient(env.from, d.policy, d.directory)
  if (!exp.ok) return `reply address refused: ${exp.text}`
  const byChannel = new Map<string, QueueRecipient[]>()
  for (const it of exp.items) byChannel.set(it.channel, [...(byChannel.get(it.channel) ?? []), { to: it.to, origTo: env.from, uid: it.uid, folder: it.folder, host: it.host, notify: ['NEVER'] }])
  // RFC 3834 §3.3 / RFC 5230 §5.1: the reply goes out with a null return path, so it is never answered.
  const splits = [...byChannel].map(([channel, recipients]) => ({ channel, sourceChannel: 'bitbucket', from: '', created: now, messageId, recipients, isNotification: true }))
  const keys = await d.queue.enqueueBuffer(body, splits)
  for (const s of splits) for (const x of s.recipients) {
    d.log.message({ action: 'E', source: 'bitbucket', destination: s.channel, size: body.length, from: '', origTo: `rfc822;${env.from}`, to: x.to, messageId })
  }
  d.bus?.send({ topic: 'queue.enqueued', channels: splits.map((s) => s.channel), keys })
  return 'replied'
}
