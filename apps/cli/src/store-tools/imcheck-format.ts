// imcheck -m output (spec 03 §13, spec 04 A.1; manual sample seeds/002 l.650): header fields, then the
// per-message table with the manual's 16 columns:
//   MsgNo Uid Internal-Date Sent-Date Size HSize Cache-Id C-Offset C-Len Last-Updated Save-Date MT SFlags UFlags Original-Uid Message-id
// Columns describing the classic store's cache file (Cache-Id, C-Offset, C-Len) and Last-Updated,
// which this store does not keep, print `-`.
import { FLAG_ANSWERED, FLAG_DELETED, FLAG_DRAFT, FLAG_FLAGGED, FLAG_SEEN } from '@wren/store'
import { compactDate } from './table.js'

export const IMCHECK_COLUMNS = [
  'MsgNo', 'Uid', 'Internal-Date', 'Sent-Date', 'Size', 'HSize', 'Cache-Id', 'C-Offset', 'C-Len',
  'Last-Updated', 'Save-Date', 'MT', 'SFlags', 'UFlags', 'Original-Uid', 'Message-id',
] as const

export interface ImcheckMessage {
  uid: number
  internalDate: number
  /** The Date: header, raw. */
  date: string | null
  size: number
  headerSize: number
  saveDate: number
  flags: number
  recent: boolean
  keywords: string[]
  messageId: string | null
}

export interface ImcheckMailbox {
  name: string
  exists: number
  quotaUsed: number
  uidValidity: number
  lastUid: number
  acl: Array<{ identifier: string; rights: string }>
  userflags: string[]
  subscribed: boolean
  partition: string
  path: string
  msgPath: string
}

/** SFlags letters (spec 03 §13): R Recent, S Seen, D Deleted, A Answered, F Flagged, T Draft. */
export function sflags(flags: number, recent: boolean): string {
  let s = ''
  if (recent) s += 'R'
  if (flags & FLAG_SEEN) s += 'S'
  if (flags & FLAG_DELETED) s += 'D'
  if (flags & FLAG_ANSWERED) s += 'A'
  if (flags & FLAG_FLAGGED) s += 'F'
  if (flags & FLAG_DRAFT) s += 'T'
  return s || '-'
}

/**
 * UFlags: the user flags set on a message as a hex bit mask over the mailbox's Userflags list; the
 * manual shows six set flags as `3f0000` (the list's first flag is bit 16) and none as `0.0.0`.
 */
export function uflags(keywords: string[], userflags: string[]): string {
  let mask = 0n
  for (const k of keywords) {
    const i = userflags.indexOf(k)
    if (i >= 0) mask |= 1n << BigInt(16 + i)
  }
  return mask === 0n ? '0.0.0' : mask.toString(16)
}

function sentDate(date: string | null): string {
  if (!date) return '-'
  const t = Date.parse(date.replace(/\s*\([^)]*\)\s*$/, ''))
  return Number.isFinite(t) ? compactDate(t) : '-'
}

export function messageCells(n: number, m: ImcheckMessage, mbox: Pick<ImcheckMailbox, 'uidValidity' | 'userflags'>): string[] {
  return [
    String(n), String(m.uid), compactDate(m.internalDate), sentDate(m.date), String(m.size), String(m.headerSize),
    '-', '-', '-', '-', compactDate(m.saveDate), '0', sflags(m.flags, m.recent), uflags(m.keywords, mbox.userflags),
    `${mbox.uidValidity}-${m.uid}`, m.messageId ?? '-',
  ]
}

export function imcheckHeader(mb: ImcheckMailbox, messages: ImcheckMessage[]): string[] {
  const largest = messages.reduce((a, m) => Math.max(a, m.size), 0)
  const lastAppend = messages.reduce((a, m) => Math.max(a, m.saveDate), 0)
  const oldest = messages.reduce<ImcheckMessage | undefined>((a, m) => (!a || m.internalDate < a.internalDate ? m : a), undefined)
  const lines = [
    '-'.repeat(80),
    `Name: ${mb.name}`,
    `Exists: ${mb.exists}`,
    'Flags: 0',
    `Largest Msg: ${largest} bytes`,
    `Last Append: ${lastAppend ? compactDate(lastAppend) : '-'}`,
    `Last UID: ${mb.lastUid}`,
    `Oldest Msg: ${oldest ? compactDate(oldest.internalDate) : '-'}`,
    `Oldest Uid: ${oldest ? oldest.uid : '-'}`,
    `Quota Used: ${mb.quotaUsed}`,
    `UID Validity: ${mb.uidValidity}`,
  ]
  mb.acl.forEach((e, i) => lines.push(`${i === 0 ? 'ACL: ' : '     '}${e.identifier.padEnd(9)} ${e.rights}`))
  if (mb.acl.length === 0) lines.push('ACL:')
  lines.push('Userflags:', ...mb.userflags.map((f) => `  ${f}`))
  lines.push(`Subscribed: ${mb.subscribed ? 1 : 0}`, `Partition: ${mb.partition}`, `Path: ${mb.path}`, `Msg Path: ${mb.msgPath}`)
  return lines
}

export function imcheckReport(mb: ImcheckMailbox, messages: ImcheckMessage[], opts: { headerOnly?: boolean } = {}): string {
  const lines = imcheckHeader(mb, messages)
  if (!opts.headerOnly) {
    const head = IMCHECK_COLUMNS.join(' ')
    lines.push('', head, '-'.repeat(head.length))
    messages.forEach((m, i) => lines.push(messageCells(i + 1, m, mb).join(' ')))
  }
  return lines.join('\n') + '\n'
}

/** `-D [-S sep]`: one line per message, fields joined by the separator (backup verification). */
export function imcheckDump(mb: ImcheckMailbox, messages: ImcheckMessage[], sep = '|'): string {
  return messages.map((m, i) => [mb.name, ...messageCells(i + 1, m, mb)].join(sep) + '\n').join('')
}
