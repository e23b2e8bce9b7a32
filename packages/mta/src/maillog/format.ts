// mail.log line formats (spec 01 §22; Admin Guide ch. 17 "Understanding the MTA Log Entry Format",
// "To Control Formatting of Log Entries").
//
// LOG_FORMAT 1 (standard):
//   dd-Mon-yyyy hh:mm:ss.cc [node] [process] src [dst] CODE size from orig-to current-to
//     [notary] [filename] [envelope-id] [message-id] [username] [source-system] [(transport)]
//     [(application)] [queue-time] [reason] [diagnostic]
//   connection: dd-Mon-yyyy hh:mm:ss.cc [node] [process] channel +|- CODE transport application
//     [username] [connection-time] [diagnostic]
// LOG_FORMAT 2: as 1, with `<>` for empty address fields.
// LOG_FORMAT 3: as 1, every field after the size (and the process/channel fields) written as
//   `N field` (N = its length in characters), so fields containing spaces stay unambiguous. (The manual does not show the
//   separator; Wren uses one space — decision recorded in mapping/README.md.)
// LOG_FORMAT 4: one XML element per line: <en …/>, <co …/>, <he …/> with the manual's attributes.
// Optional fields appear only when their LOG_* option is on (and the value is known); the
// source system needs LOG_CONNECTION bit 0, transport bit 5 (or LOG_TRANSPORTINFO), application
// bit 6 (or LOG_BANNER).
import type { LogOptions } from './options.js'
import type { ConnectionLogRecord, HeaderLogRecord, LogRecord, MessageLogRecord } from './record.js'

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const p2 = (n: number) => String(n).padStart(2, '0')

/** `16-Feb-2007 14:54:13.72` (local time, centiseconds). */
export function formatLogTime(d: Date): string {
  return `${p2(d.getDate())}-${MONTHS[d.getMonth()]}-${d.getFullYear()} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${p2(Math.floor(d.getMilliseconds() / 10))}`
}

/** `2004-12-08T00:40:26.70` (local time, centiseconds). */
export function formatXmlTime(d: Date): string {
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}T${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${p2(Math.floor(d.getMilliseconds() / 10))}`
}

export function xmlAttr(v: string): string {
  // The manual's samples escape `<` (`mi="&lt;…>"`) and leave `>` alone.
  // eslint-disable-next-line no-control-regex
  return v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/[\x00-\x1f]/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** Original recipient as logged: `rfc822;addr` unless it already carries an address type. */
export function originalField(orig: string): string {
  return /^[a-z0-9-]+;/i.test(orig) ? orig : `rfc822;${orig}`
}

export function blocksOf(r: MessageLogRecord, o: LogOptions): number {
  if (r.blocks !== undefined) return r.blocks
  if (r.bytes === undefined || r.bytes <= 0) return 0
  return Math.ceil(r.bytes / o.blockSize)
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ')
}

/** Format a record as one line (without the newline). */
export function formatLogRecord(r: LogRecord, o: LogOptions, now: Date = new Date()): string {
  const time = r.time ?? now
  if (o.format === 4) return formatXml(r, o, time)
  if (r.kind === 'header') return `${formatLogTime(time)} ${oneLine(r.value)}`
  const f = (v: string) => {
    const s = oneLine(v)
    return o.format === 3 ? `${s.length} ${s}` : s
  }
  const addr = (v: string) => (o.format === 2 && v === '' ? '<>' : f(v))
  const parts: string[] = [formatLogTime(time)]
  if (o.node && r.node) parts.push(f(r.node))
  if (o.process && r.process) parts.push(f(r.process))
  if (r.kind === 'connection') {
    parts.push(f(r.channel), r.direction, r.action, f(r.transport), f(r.application))
    if (r.username) parts.push(f(r.username))
    if (o.queueTime && r.connectionTime !== undefined) parts.push(f(String(Math.round(r.connectionTime))))
    if (r.diagnostic) parts.push(f(r.diagnostic))
    return parts.join(' ')
  }
  parts.push(f(r.source))
  if (r.destination) parts.push(f(r.destination))
  parts.push(r.action + (r.modifiers ?? ''), String(blocksOf(r, o)), addr(r.from), addr(originalField(r.originalTo)), addr(r.to))
  if (o.notary && r.notary !== undefined) parts.push(f(String(r.notary)))
  if (o.filename && r.filename) parts.push(f(r.filename))
  if (o.envelopeId && r.envelopeId) parts.push(f(r.envelopeId))
  if (o.messageId && r.messageId) parts.push(f(r.messageId))
  if (o.username && r.username !== undefined) parts.push(f(r.username))
  // the remote system of a dequeue goes with its transport information (manual's RE example)
  const showTransport = Boolean((o.connection & 32 || o.transportInfo) && r.transport)
  if ((o.connection & 1 || showTransport) && r.sourceSystem) parts.push(f(r.sourceSystem))
  if (showTransport) parts.push(f(`(${r.transport})`))
  if ((o.connection & 64 || o.banner) && r.application) parts.push(f(`(${r.application})`))
  if (o.queueTime && r.queueTime !== undefined) parts.push(f(String(Math.round(r.queueTime))))
  if (o.reason && r.reason) parts.push(f(r.reason))
  if (r.diagnostic) parts.push(f(r.diagnostic))
  return parts.join(' ')
}

function formatXml(r: LogRecord, o: LogOptions, time: Date): string {
  const attrs: Array<[string, string | number | undefined]> = [['ts', formatXmlTime(time)]]
  if (o.node) attrs.push(['no', r.node ?? o.nodeName])
  if (o.process) attrs.push(['pi', r.process])
  if (r.kind === 'header') {
    attrs.push(['va', (r as HeaderLogRecord).value])
    return element('he', attrs)
  }
  if (r.kind === 'connection') {
    const c = r as ConnectionLogRecord
    attrs.push(['sc', c.channel], ['dr', c.direction], ['ac', c.action], ['tr', c.transport], ['ap', c.application])
    if (c.messageId) attrs.push(['mi', c.messageId])
    if (c.username) attrs.push(['us', c.username])
    if (c.diagnostic) attrs.push(['di', c.diagnostic])
    if (o.queueTime && c.connectionTime !== undefined) attrs.push(['ct', Math.round(c.connectionTime)])
    return element('co', attrs)
  }
  const m = r as MessageLogRecord
  attrs.push(
    ['sc', m.source], ['dc', m.destination ?? ''], ['ac', m.action + (m.modifiers ?? '')], ['sz', blocksOf(m, o)],
    ['so', m.from], ['od', originalField(m.originalTo)], ['de', m.to],
  )
  if (o.notary) attrs.push(['rf', m.notary])
  if (o.filename) attrs.push(['fi', m.filename])
  if (o.envelopeId) attrs.push(['ei', m.envelopeId])
  if (o.messageId) attrs.push(['mi', m.messageId])
  if (o.username) attrs.push(['us', m.username ?? ''])
  if (o.connection & 1 && m.sourceSystem) attrs.push(['ss', m.sourceSystem])
  if (o.reason && m.reason) attrs.push(['re', m.reason])
  if (m.diagnostic) attrs.push(['di', m.diagnostic])
  if ((o.connection & 32 || o.transportInfo) && m.transport) attrs.push(['tr', m.transport])
  if ((o.connection & 64 || o.banner) && m.application) attrs.push(['ap', m.application])
  if (o.queueTime && m.queueTime !== undefined) attrs.push(['qt', Math.round(m.queueTime)])
  return element('en', attrs)
}

function element(tag: string, attrs: Array<[string, string | number | undefined]>): string {
  const body = attrs.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}="${xmlAttr(String(v))}"`).join(' ')
  return `<${tag} ${body}/>`
}
