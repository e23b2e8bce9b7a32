/** Flag bit mask ↔ IMAP flag names (RFC 3501 §2.3.2). */
import { FLAG_ANSWERED, FLAG_DELETED, FLAG_DRAFT, FLAG_FLAGGED, FLAG_SEEN, type FlagEntry } from '@wren/store'

const ORDER: Array<[number, string]> = [
  [FLAG_ANSWERED, '\\Answered'], [FLAG_FLAGGED, '\\Flagged'], [FLAG_DELETED, '\\Deleted'], [FLAG_SEEN, '\\Seen'], [FLAG_DRAFT, '\\Draft'],
]

export const SYSTEM_FLAGS = ORDER.map(([, n]) => n)

export function flagNames(e: Pick<FlagEntry, 'flags' | 'keywords'>, recent: boolean): string[] {
  const out: string[] = []
  for (const [bit, name] of ORDER) if (e.flags & bit) out.push(name)
  if (recent) out.push('\\Recent')
  for (const k of e.keywords) out.push(k)
  return out
}

export function flagList(e: Pick<FlagEntry, 'flags' | 'keywords'>, recent: boolean): string {
  return '(' + flagNames(e, recent).join(' ') + ')'
}

const TABLE: string[] = []
for (let bits = 0; bits < 64; bits++) TABLE[bits] = flagList({ flags: bits & 31, keywords: [] }, bits >= 32)

/** flagList with a precomputed table for the common keyword-free case (hot path of `FETCH 1:* FLAGS`). */
export function flagListFast(e: Pick<FlagEntry, 'flags' | 'keywords'>, recent: boolean): string {
  if (e.keywords.length === 0 && e.flags < 32) return TABLE[e.flags | (recent ? 32 : 0)]
  return flagList(e, recent)
}
