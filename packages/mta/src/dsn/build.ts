// Delivery status notifications (RFC 3464 multipart/report; RFC 3461 RET/ENVID/ORCPT/NOTIFY).
// Text part in the product's words ("This report relates to a message you sent…").
import { readMessagePrefix } from '../queue/message-ref.js'
import { randomBytes } from 'node:crypto'
import type { QueueEnvelope } from '../queue/format.js'

/** RFC 3464 §2.3.3 actions (`expanded` is not generated). */
export type DsnAction = 'failed' | 'delayed' | 'delivered' | 'relayed'

export interface DsnRecipient {
  to: string
  orcpt?: string
  action: DsnAction
  status: string
  diagnostic?: string
  remoteMta?: string
}

export interface DsnInput {
  hostname: string
  env: QueueEnvelope
  /** The queue file whose bytes [0, env.size) are the original message. */
  messagePath: string
  recipients: DsnRecipient[]
  /** Headers only regardless of RET (postmaster copies with `postheadonly`). */
  headersOnly?: boolean
  /** For delay notices: when we give up. */
  willRetryUntil?: Date
  /** Envelope recipient of the notification. */
  to: string
  now?: Date
}

const MAX_RETURNED = 10 * 1024 * 1024

const rfc822Date = (d: Date) => d.toUTCString().replace('GMT', '+0000')

async function originalBytes(path: string, size: number, headersOnly: boolean): Promise<{ bytes: Buffer; headersOnly: boolean }> {
  const want = headersOnly ? Math.min(size, 256 * 1024) : Math.min(size, MAX_RETURNED)
  const data = await readMessagePrefix(path, want)
  const end = data.indexOf('\r\n\r\n')
  if (headersOnly || size > MAX_RETURNED) return { bytes: end >= 0 ? data.subarray(0, end + 2) : data, headersOnly: true }
  return { bytes: data, headersOnly: false }
}

function headerValue(head: string, name: string): string | undefined {
  const re = new RegExp(`^${name}:[ \\t]*((?:.*)(?:\\r\\n[ \\t].*)*)`, 'im')
  return re.exec(head)?.[1]?.replace(/\r\n[ \t]+/g, ' ').trim()
}

export async function buildDsn(inp: DsnInput): Promise<{ body: Buffer; messageId: string }> {
  const now = inp.now ?? new Date()
  const { env } = inp
  const boundary = `Boundary_(ID_${randomBytes(12).toString('base64url')})`
  const messageId = `<${randomBytes(8).toString('hex')}.${Date.now().toString(36)}@${inp.hostname}>`
  const failed = inp.recipients.some((r) => r.action === 'failed')
  const delayed = !failed && inp.recipients.some((r) => r.action === 'delayed')
  const relayed = !failed && !delayed && inp.recipients.every((r) => r.action === 'relayed')
  const subject = failed ? 'Delivery Notification: Delivery has failed'
    : delayed ? 'Delivery Notification: Delivery has been delayed'
      : relayed ? 'Delivery Notification: Relayed' : 'Delivery Notification: Delivery has succeeded'
  const hdrsOnly = inp.headersOnly || env.ret === 'HDRS'
  const orig = await originalBytes(inp.messagePath, env.size, hdrsOnly)
  const head = orig.bytes.subarray(0, Math.max(0, orig.bytes.indexOf('\r\n\r\n')) || orig.bytes.length).toString('utf8')
  const L: string[] = []
  L.push(`From: Internet Mail Delivery <postmaster@${inp.hostname}>`)
  L.push(`To: ${inp.to || `postmaster@${inp.hostname}`}`)
  L.push(`Date: ${rfc822Date(now)}`)
  L.push(`Subject: ${subject}`)
  L.push(`Message-ID: ${messageId}`)
  L.push('MIME-Version: 1.0')
  L.push('Auto-Submitted: auto-replied') // RFC 3834 §5
  L.push(`Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`)
  L.push('')
  L.push('This is a MIME-encapsulated message.')
  L.push('')
  L.push(`--${boundary}`)
  L.push('Content-Type: text/plain; charset=us-ascii')
  L.push('Content-Language: en-US')
  L.push('')
  L.push('This report relates to a message you sent with the following header fields:')
  L.push('')
  for (const h of ['Message-id', 'Date', 'From', 'To', 'Subject']) {
    const v = headerValue(head, h)
    if (v) L.push(`  ${h}: ${v.replace(/[^\x20-\x7e]/g, '?')}`)
  }
  L.push('')
  L.push(failed ? 'Your message cannot be delivered to the following recipients:'
    : delayed ? 'Your message has been delayed and is still awaiting delivery to the following recipients:'
      // RFC 3461 §5.2.2: the next hop does not return notifications, so this is the last one.
      : relayed ? 'Your message has been relayed to a system that does not return delivery notifications for the following recipients:'
        : 'Your message has been successfully delivered to the following recipients:')
  L.push('')
  for (const r of inp.recipients) {
    L.push(`  Recipient address: ${r.to}`)
    if (r.orcpt) L.push(`  Original address: ${r.orcpt.replace(/^rfc822;/i, '')}`)
    if (r.diagnostic) L.push(`  Reason: ${r.diagnostic.replace(/^\w+;/, '')}`)
    L.push('')
  }
  L.push(`--${boundary}`)
  L.push('Content-Type: message/delivery-status')
  L.push('')
  // RFC 3464 §2.2 per-message fields
  L.push(`Reporting-MTA: dns;${inp.hostname}`)
  if (env.envid) L.push(`Original-Envelope-Id: ${env.envid}`)
  L.push(`Arrival-Date: ${rfc822Date(new Date(env.created))}`)
  for (const r of inp.recipients) {
    L.push('')
    if (r.orcpt) L.push(`Original-Recipient: ${r.orcpt.includes(';') ? r.orcpt : `rfc822;${r.orcpt}`}`)
    L.push(`Final-Recipient: rfc822;${r.to}`)
    L.push(`Action: ${r.action}`)
    L.push(`Status: ${r.status}`)
    if (r.remoteMta) L.push(`Remote-MTA: ${r.remoteMta}`)
    if (r.diagnostic) L.push(`Diagnostic-Code: ${/^\w+;/.test(r.diagnostic) ? r.diagnostic : `smtp;${r.diagnostic}`}`)
    L.push(`Last-Attempt-Date: ${rfc822Date(now)}`)
    if (r.action === 'delayed' && inp.willRetryUntil) L.push(`Will-Retry-Until: ${rfc822Date(inp.willRetryUntil)}`)
  }
  L.push('')
  L.push(`--${boundary}`)
  L.push(orig.headersOnly ? 'Content-Type: text/rfc822-headers' : 'Content-Type: message/rfc822')
  L.push('')
  const pre = Buffer.from(L.join('\r\n') + '\r\n', 'utf8')
  let body = orig.bytes
  if (body.length && !body.subarray(-2).equals(Buffer.from('\r\n'))) body = Buffer.concat([body, Buffer.from('\r\n')])
  const post = Buffer.from(`--${boundary}--\r\n`)
  return { body: Buffer.concat([pre, body, post]), messageId }
}

/** RFC 3461 §4.1: which notifications a recipient asked for (default FAILURE,DELAY). */
export function wants(notify: string[] | undefined, what: 'SUCCESS' | 'FAILURE' | 'DELAY'): boolean {
  if (!notify || !notify.length) return what !== 'SUCCESS'
  const n = notify.map((x) => x.toUpperCase())
  if (n.includes('NEVER')) return false
  return n.includes(what)
}
