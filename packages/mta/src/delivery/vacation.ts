// Vacation autoreply (spec 01 §16 "Vacation Autoreply Theory of Operation"; RFC 5230 vacation;
// RFC 3834 automatic responses). Decides whether a message gets a reply and builds it:
//   1. no reply to a null return path, to auto-submitted mail, list or bulk mail (RFC 3834 §2);
//   2. the user (or one of their addresses, `:addresses`) must be in To/Cc/Resent-To/Resent-Cc;
//   3. one reply per sender per `mailAutoReplyTimeOut` hours, keyed by a hash of subject + reason
//      (`echo` mode replies to every message);
//   4. `reply` mode: a plain text reply; `echo`: an RFC 3798 MDN with the original; anything else: an
//      MDN with the original's headers only. Same-domain senders get `mailAutoReplyTextInternal`.
//   5. language: the tagged values (`mailAutoReplyText;lang-fr`…) matching the sender's language are
//      used — from the original's Accept-Language, then Preferred-Language, then X-Accept-Language,
//      then the sender's own `preferredLanguage` (spec 01 §7, §16); otherwise the untagged values.
import { createHash, randomBytes } from 'node:crypto'
import type { VacationAttributes } from '../ports.js'

export interface VacationInput {
  /** Envelope sender of the incoming message ('' = null). */
  returnPath: string
  /** The message's header block (unfolded on demand). */
  headers: string
  /** The original message (for echo mode). */
  message?: Buffer
  /** The user's primary address and other addresses. */
  userAddress: string
  addresses: string[]
  personalName?: string
  vacation: VacationAttributes
  /** Hours when `mailAutoReplyTimeOut` is absent (`mta.autoreply_timeout_default`). */
  defaultTimeoutHours: number
  hostname: string
  now: Date
  /** The sender's `preferredLanguage` when the sender is in the directory (spec 01 §7). */
  senderLanguage?: string
}

export type VacationDecision =
  | { reply: false; reason: string }
  | { reply: true; hash: string; periodMs: number; subject: string; text: string; /** The `lang-` tag used, if any. */ language?: string }

/** Header value (first occurrence), unfolded. */
export function header(head: string, name: string): string | undefined {
  const re = new RegExp(`^${name}:[ \\t]*((?:.*)(?:\\r?\\n[ \\t].*)*)`, 'im')
  return re.exec(head)?.[1]?.replace(/\r?\n[ \t]+/g, ' ').trim()
}

function allHeaders(head: string, name: string): string[] {
  const re = new RegExp(`^${name}:[ \\t]*((?:.*)(?:\\r?\\n[ \\t].*)*)`, 'gim')
  return [...head.matchAll(re)].map((m) => m[1].replace(/\r?\n[ \t]+/g, ' '))
}

const addrsIn = (v: string) => [...v.matchAll(/[^\s<>,;:"()]+@[^\s<>,;:"()]+/g)].map((m) => m[0].toLowerCase())

/**
 * The sender's languages, most wanted first: Accept-Language (RFC 9110 §12.5.4, by q-value; `*` and
 * q=0 ignored), then Preferred-Language, then X-Accept-Language, then the directory's value.
 */
export function senderLanguages(head: string, senderLanguage?: string): string[] {
  const out: string[] = []
  for (const name of ['Accept-Language', 'Preferred-Language', 'X-Accept-Language']) {
    const v = header(head, name)
    if (!v) continue
    const ranges = v.split(',').map((part, i) => {
      const [tag, ...params] = part.trim().split(';')
      const q = params.map((p) => /^\s*q\s*=\s*([\d.]+)/i.exec(p)?.[1]).find(Boolean)
      return { tag: tag.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), i }
    }).filter((r) => /^[a-z]{1,8}(-[a-z0-9]{1,8})*$/.test(r.tag) && r.q > 0)
    ranges.sort((a, b) => b.q - a.q || a.i - b.i)
    out.push(...ranges.map((r) => r.tag))
  }
  if (senderLanguage) out.push(senderLanguage.trim().toLowerCase())
  return [...new Set(out)]
}

/** The first wanted language with a tagged variant: the exact tag, else its primary subtag (`fr-ca` → `fr`). */
export function pickVariant(variants: VacationAttributes['variants'], wanted: string[]): string | undefined {
  if (!variants) return undefined
  for (const tag of wanted) {
    if (variants[tag]) return tag
    const primary = tag.split('-')[0]
    if (variants[primary]) return primary
  }
  return undefined
}

const domainOf = (a: string) => a.slice(a.lastIndexOf('@') + 1).toLowerCase()

export function decideVacation(inp: VacationInput): VacationDecision {
  const rp = inp.returnPath.trim()
  if (!rp) return { reply: false, reason: 'null return path' }
  const h = inp.headers
  // RFC 3834 §2: never respond to automatic responses, lists, bulk mail.
  const auto = header(h, 'Auto-Submitted')
  if (auto && !/^no\b/i.test(auto)) return { reply: false, reason: `Auto-Submitted: ${auto}` }
  if (/^(bulk|list|junk)\b/i.test(header(h, 'Precedence') ?? '')) return { reply: false, reason: 'Precedence bulk/list/junk' }
  if (/^List-(Id|Post|Unsubscribe|Help|Owner):/im.test(h)) return { reply: false, reason: 'list message' }
  const local = rp.slice(0, rp.lastIndexOf('@')).toLowerCase()
  if (/^(mailer-daemon|postmaster|listserv|majordomo|owner-.*|.*-request|.*-owner)$/.test(local)) return { reply: false, reason: 'sender is a mailer or a list' }
  const mine = new Set([inp.userAddress, ...inp.addresses].map((a) => a.toLowerCase()))
  if (mine.has(rp.toLowerCase())) return { reply: false, reason: 'message from the user' }
  const listed = ['To', 'Cc', 'Resent-To', 'Resent-Cc'].flatMap((n) => allHeaders(h, n)).flatMap(addrsIn)
  if (!listed.some((a) => mine.has(a))) return { reply: false, reason: 'user not in To/Cc' }
  const language = pickVariant(inp.vacation.variants, senderLanguages(h, inp.senderLanguage))
  // a tagged value replaces its untagged sibling; fields the variant lacks fall back to the untagged ones
  const v = { ...inp.vacation, ...Object.fromEntries(Object.entries(language ? inp.vacation.variants![language] : {}).filter(([, x]) => x !== undefined)) }
  const internal = domainOf(rp) === domainOf(inp.userAddress)
  const text = internal ? (v.textInternal ?? v.text) : v.text
  if (!text) return { reply: false, reason: internal ? 'no reply text' : 'no reply text for external senders' }
  const subject = v.subject ?? `Auto: ${header(h, 'Subject') ?? ''}`.trim()
  const echo = (v.mode ?? '').toLowerCase() === 'echo'
  const hours = echo ? 0 : (v.timeout ?? inp.defaultTimeoutHours)
  const hash = createHash('sha1').update(`${subject}\0${text}`).digest('hex')
  return { reply: true, hash, periodMs: hours * 3_600_000, subject, text, ...(language ? { language } : {}) }
}

const rfc822Date = (d: Date) => d.toUTCString().replace('GMT', '+0000')

function encodeWord(s: string): string {
  // RFC 2047 for non-ASCII header text
  return /^[\x20-\x7e]*$/.test(s) ? s : `=?utf-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`
}

/** The reply message (RFC 3834 §3: In-Reply-To/References, Auto-Submitted: auto-replied). */
export function buildVacationReply(inp: VacationInput, d: Extract<VacationDecision, { reply: true }>): { body: Buffer; messageId: string } {
  const mode = (inp.vacation.mode ?? '').toLowerCase()
  const origId = header(inp.headers, 'Message-ID')
  const messageId = `<${randomBytes(8).toString('hex')}.${inp.now.getTime().toString(36)}@${inp.hostname}>`
  const from = inp.personalName ? `${encodeWord(inp.personalName)} <${inp.userAddress}>` : `<${inp.userAddress}>`
  const H = [
    `From: ${from}`, `To: <${inp.returnPath}>`, `Date: ${rfc822Date(inp.now)}`, `Subject: ${encodeWord(d.subject)}`,
    `Message-ID: ${messageId}`,
    ...(origId ? [`In-Reply-To: ${origId}`, `References: ${[header(inp.headers, 'References'), origId].filter(Boolean).join(' ')}`] : []),
    'Auto-Submitted: auto-replied (vacation)', 'MIME-Version: 1.0',
  ]
  const textPart = ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', d.text.replace(/\r?\n/g, '\r\n')]
  if (mode === 'reply') return { body: Buffer.from([...H, ...textPart, ''].join('\r\n'), 'utf8'), messageId }
  // RFC 3798 MDN: the reason first, the disposition, then the original (echo) or its headers.
  const b = `Boundary_(ID_${randomBytes(12).toString('base64url')})`
  const parts = [
    ...H, `Content-Type: multipart/report; report-type=disposition-notification; boundary="${b}"`, '',
    `--${b}`, ...textPart, '',
    `--${b}`, 'Content-Type: message/disposition-notification', '',
    `Reporting-UA: ${inp.hostname}; Wren Messaging Server`,
    `Final-Recipient: rfc822;${inp.userAddress}`,
    ...(origId ? [`Original-Message-ID: ${origId}`] : []),
    'Disposition: automatic-action/MDN-sent-automatically; displayed', '',
    `--${b}`,
  ]
  const head = Buffer.from(parts.join('\r\n') + '\r\n', 'utf8')
  const echo = mode === 'echo' && inp.message
  const orig = echo ? inp.message! : Buffer.from(inp.headers.replace(/\r?\n/g, '\r\n').replace(/(\r\n)*$/, '\r\n'), 'utf8')
  const ct = Buffer.from(`${echo ? 'Content-Type: message/rfc822' : 'Content-Type: text/rfc822-headers'}\r\n\r\n`)
  const tail = Buffer.from(`${orig.subarray(-2).toString() === '\r\n' ? '' : '\r\n'}--${b}--\r\n`)
  return { body: Buffer.concat([head, ct, orig, tail]), messageId }
}
