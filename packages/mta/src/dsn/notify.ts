// Enqueues a notification (DSN) with the null reverse-path: to the original sender and, per the
// channel's copysendpost/copywarnpost, a postmaster copy (headers only with postheadonly).
// Never a bounce to a bounce: notifications about notifications are not generated (RFC 3461 §6.2).
import { expandRecipient } from '../dispatcher/expand.js'
import type { MtaPolicy, RecipientDirectory, TransportLog } from '../ports.js'
import type { QueueStore } from '../queue/queue-store.js'
import type { QueueEnvelope, QueueRecipient } from '../queue/format.js'
import { buildDsn, type DsnRecipient } from './build.js'

export interface NotifierDeps {
  hostname: string
  queue: QueueStore
  policy: MtaPolicy
  directory: RecipientDirectory
  log: TransportLog
  /** Postmaster address for copies (`postmaster@<host>`). */
  postmaster: string
  /**
   * The `process` channel runs (delivery/process.ts): notifications are enqueued to it unexpanded, as the
   * product does (`tcp_local process E`, then `process ims-ms E`, spec 01 §22). Otherwise they are
   * expanded here and enqueued straight to their destination channels.
   */
  processChannel?: boolean
}

export async function sendNotification(deps: NotifierDeps, args: {
  env: QueueEnvelope
  messagePath: string
  recipients: DsnRecipient[]
  /** Channel that produced the notice (the source of the E record). */
  channel: string
  postmasterCopy: boolean
  postHeadOnly: boolean
  willRetryUntil?: Date
}): Promise<string[]> {
  const { env } = args
  if (!env.from || env.isNotification) return []
  const targets: Array<{ to: string; headersOnly: boolean }> = [{ to: env.from, headersOnly: false }]
  if (args.postmasterCopy) targets.push({ to: deps.postmaster, headersOnly: args.postHeadOnly })
  const ids: string[] = []
  for (const t of targets) {
    if (deps.processChannel) {
      const { body, messageId } = await buildDsn({
        hostname: deps.hostname, env, messagePath: args.messagePath, recipients: args.recipients,
        headersOnly: t.headersOnly, willRetryUntil: args.willRetryUntil, to: t.to,
      })
      const rcpt: QueueRecipient = { to: t.to, origTo: t.to, notify: ['NEVER'] }
      ids.push(...await deps.queue.enqueueBuffer(body, [{ channel: 'process', sourceChannel: args.channel, from: '', created: Date.now(), messageId, recipients: [rcpt], isNotification: true }]))
      deps.log.message({ action: 'E', source: args.channel, destination: 'process', size: body.length, from: '', origTo: `rfc822;${t.to}`, to: t.to, messageId: `${messageId},${env.messageId ?? ''}` })
      continue
    }
    const exp = await expandRecipient(t.to, deps.policy, deps.directory)
    if (!exp.ok) continue
    const { body, messageId } = await buildDsn({
      hostname: deps.hostname, env, messagePath: args.messagePath, recipients: args.recipients,
      headersOnly: t.headersOnly, willRetryUntil: args.willRetryUntil, to: t.to,
    })
    const byChannel = new Map<string, QueueRecipient[]>()
    for (const it of exp.items) {
      byChannel.set(it.channel, [...(byChannel.get(it.channel) ?? []), { to: it.to, origTo: t.to, uid: it.uid, folder: it.folder, host: it.host, notify: ['NEVER'] }])
    }
    const splits = [...byChannel].map(([channel, recipients]) => ({
      channel, sourceChannel: args.channel, from: '', created: Date.now(), messageId, recipients, isNotification: true,
    }))
    if (!splits.length) continue
    const keys = await deps.queue.enqueueBuffer(body, splits)
    ids.push(...keys)
    for (const s of splits) for (const r of s.recipients) {
      deps.log.message({ action: 'E', source: args.channel, destination: s.channel, size: body.length, from: '', origTo: `rfc822;${t.to}`, to: r.to, messageId: `${messageId},${env.messageId ?? ''}` })
    }
  }
  return ids
}
