// mboxutil -l output (spec 03 §3, spec 04 A.1; manual sample in seeds/002 l.685):
//
//   msgs  Kbytes last msg         partition   quotaroot mailbox
//      0       0 -          -     primary          5120 user/jauser/INBOX
//      1       0 2009/03/23 11:59 primary             - user/jauser/&kAFP4W4IMH8-
//
// quotaroot is in KB (the limit of the quota root that this mailbox is), `-` when none.
import { padLeft, padRight, ymdhm } from './table.js'

export interface MailboxRow {
  messages: number
  bytes: number
  /** Internal date (ms) of the newest message, or null for an empty mailbox. */
  lastMessage: number | null
  partition: string
  /** Quota root limit in bytes; -1 or null: none. */
  quotaRoot: number | null
  name: string
  /** -x extras. */
  path?: string
  acl?: string
}

export const MBOX_HEADER = '  msgs  Kbytes last msg         partition   quotaroot mailbox'

export function mailboxRow(r: MailboxRow, extended = false): string {
  let last = `${padRight('-', 10)} ${padRight('-', 5)}`
  if (r.lastMessage !== null) last = ymdhm(r.lastMessage)
  const q = r.quotaRoot === null || r.quotaRoot < 0 ? '-' : String(Math.floor(r.quotaRoot / 1024))
  let line = [
    padLeft(String(r.messages), 6),
    padLeft(String(Math.floor(r.bytes / 1024)), 7),
    last,
    padRight(r.partition, 11),
    padLeft(q, 9),
    r.name,
  ].join(' ')
  if (extended) line += ` ${r.path ?? '-'} ${r.acl ?? '-'}`
  return line
}

export function mailboxTable(rows: MailboxRow[], extended = false): string {
  const head = extended ? `${MBOX_HEADER} path acl` : MBOX_HEADER
  return [head, ...rows.map((r) => mailboxRow(r, extended))].join('\n') + '\n'
}
