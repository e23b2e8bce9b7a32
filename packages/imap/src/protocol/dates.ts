/** IMAP date and date-time (RFC 3501 §9 date, date-time). */
import { ImapParseError } from './reader.js'

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

function monthIndex(m: string): number {
  const i = MONTHS.findIndex((x) => x.toLowerCase() === m.toLowerCase())
  if (i < 0) throw new ImapParseError(`Invalid month "${m}"`)
  return i
}

/** `1-Feb-1994` → UTC midnight ms of that calendar day (SEARCH compares calendar dates). */
export function parseSearchDate(s: string): number {
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(s)
  if (!m) throw new ImapParseError(`Invalid date "${s}" (expected dd-Mon-yyyy)`)
  const d = Number(m[1])
  const mon = monthIndex(m[2])
  const y = Number(m[3])
  const t = Date.UTC(y, mon, d)
  if (new Date(t).getUTCDate() !== d) throw new ImapParseError(`Invalid date "${s}"`)
  return t
}

/** `17-Jul-1996 02:44:25 -0700` → epoch ms. */
export function parseDateTime(s: string): number {
  const m = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/.exec(s)
  if (!m) throw new ImapParseError(`Invalid date-time "${s}"`)
  const [, d, mon, y, hh, mm, ss, sign, zh, zm] = m
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 60) throw new ImapParseError(`Invalid date-time "${s}"`)
  const local = Date.UTC(Number(y), monthIndex(mon), Number(d), Number(hh), Number(mm), Number(ss))
  const off = (Number(zh) * 60 + Number(zm)) * 60000 * (sign === '-' ? -1 : 1)
  return local - off
}

/** epoch ms → `"17-Jul-1996 02:44:25 +0000"` body (no quotes) in UTC. */
export function formatDateTime(ms: number): string {
  const d = new Date(ms)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${p(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`
}
