/** SEARCH keys (RFC 3501 §6.4.4), MODSEQ (RFC 7162 §3.1.5), SORT criteria (RFC 5256), ESEARCH (RFC 4731). */
import { parseSearchDate } from './dates.js'
import { ImapParseError, MODSEQ_MAX, type Reader } from './reader.js'
import { parseSeqSet, type SeqSet } from './seqset.js'

export type SearchKey =
  | { k: 'all' }
  | { k: 'flag'; flag: string; set: boolean }
  | { k: 'recent'; set: boolean }
  | { k: 'new' }
  | { k: 'header'; field: string; value: string }
  | { k: 'body'; value: string }
  | { k: 'text'; value: string }
  | { k: 'date'; internal: boolean; op: 'before' | 'on' | 'since'; day: number }
  | { k: 'size'; op: 'larger' | 'smaller'; n: number }
  | { k: 'uid'; set: SeqSet }
  | { k: 'seq'; set: SeqSet }
  | { k: 'not'; key: SearchKey }
  | { k: 'or'; a: SearchKey; b: SearchKey }
  | { k: 'and'; keys: SearchKey[] }
  | { k: 'modseq'; modseq: number }

/** Charsets SEARCH/SORT accept (RFC 3501 §6.4.4: US-ASCII is mandatory). */
export const SEARCH_CHARSETS = ['US-ASCII', 'UTF-8']

export function checkCharset(name: string): void {
  if (!SEARCH_CHARSETS.includes(name.toUpperCase())) {
    throw new ImapParseError(`Unsupported charset ${name}`, `BADCHARSET (${SEARCH_CHARSETS.join(' ')})`, true)
  }
}

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ['\\Answered', true], UNANSWERED: ['\\Answered', false],
  DELETED: ['\\Deleted', true], UNDELETED: ['\\Deleted', false],
  FLAGGED: ['\\Flagged', true], UNFLAGGED: ['\\Flagged', false],
  SEEN: ['\\Seen', true], UNSEEN: ['\\Seen', false],
  DRAFT: ['\\Draft', true], UNDRAFT: ['\\Draft', false],
}
const HEADER_KEYS = new Set(['BCC', 'CC', 'FROM', 'SUBJECT', 'TO'])
const DATE_KEYS: Record<string, [boolean, 'before' | 'on' | 'since']> = {
  BEFORE: [true, 'before'], ON: [true, 'on'], SINCE: [true, 'since'],
  SENTBEFORE: [false, 'before'], SENTON: [false, 'on'], SENTSINCE: [false, 'since'],
}

/** Parses one or more space-separated keys up to end of line or ')' (implicit AND). */
export function parseSearchKeys(r: Reader, depth = 0): SearchKey {
  const keys: SearchKey[] = []
  for (;;) {
    keys.push(parseSearchKey(r, depth))
    if (r.atEnd() || r.peek() === ')') break
    r.sp()
  }
  return keys.length === 1 ? keys[0] : { k: 'and', keys }
}

export function parseSearchKey(r: Reader, depth = 0): SearchKey {
  if (depth > 50) throw new ImapParseError('SEARCH nesting too deep')
  if (r.peek() === '(') {
    r.pos++
    const key = parseSearchKeys(r, depth + 1)
    r.expect(')')
    return key
  }
  const c = r.peek()
  if (/[0-9*$]/.test(c)) return { k: 'seq', set: parseSeqSet(r.token()) }
  const word = r.atom('search key').toUpperCase()
  if (word === 'ALL') return { k: 'all' }
  if (FLAG_KEYS[word]) return { k: 'flag', flag: FLAG_KEYS[word][0], set: FLAG_KEYS[word][1] }
  if (word === 'RECENT') return { k: 'recent', set: true }
  if (word === 'OLD') return { k: 'recent', set: false }
  if (word === 'NEW') return { k: 'new' }
  if (word === 'KEYWORD' || word === 'UNKEYWORD') {
    r.sp()
    return { k: 'flag', flag: r.atom('keyword'), set: word === 'KEYWORD' }
  }
  if (HEADER_KEYS.has(word)) {
    r.sp()
    return { k: 'header', field: word, value: r.astring() }
  }
  if (word === 'HEADER') {
    r.sp()
    const field = r.astring('header field name')
    r.sp()
    return { k: 'header', field: field.toUpperCase(), value: r.astring() }
  }
  if (word === 'BODY' || word === 'TEXT') {
    r.sp()
    return { k: word === 'BODY' ? 'body' : 'text', value: r.astring() }
  }
  if (DATE_KEYS[word]) {
    r.sp()
    const s = r.peek() === '"' ? r.quoted() : r.token()
    return { k: 'date', internal: DATE_KEYS[word][0], op: DATE_KEYS[word][1], day: parseSearchDate(s) }
  }
  if (word === 'LARGER' || word === 'SMALLER') {
    r.sp()
    return { k: 'size', op: word === 'LARGER' ? 'larger' : 'smaller', n: r.number() }
  }
  if (word === 'UID') {
    r.sp()
    return { k: 'uid', set: parseSeqSet(r.token()) }
  }
  if (word === 'NOT') {
    r.sp()
    return { k: 'not', key: parseSearchKey(r, depth + 1) }
  }
  if (word === 'OR') {
    r.sp()
    const a = parseSearchKey(r, depth + 1)
    r.sp()
    return { k: 'or', a, b: parseSearchKey(r, depth + 1) }
  }
  if (word === 'MODSEQ') {
    // RFC 7162 §3.1.5: MODSEQ [entry-name entry-type-req] mod-sequence-valzer
    r.sp()
    if (r.peek() === '"') {
      r.quoted()
      r.sp()
      r.atom('entry type')
      r.sp()
    }
    return { k: 'modseq', modseq: r.number(MODSEQ_MAX, 'mod-sequence') }
  }
  throw new ImapParseError(`Unknown SEARCH key "${word}"`)
}

/** True when evaluating the key needs the message text (for planning cheap scans first). */
export function needsContent(key: SearchKey): boolean {
  switch (key.k) {
    case 'body': case 'text': case 'header': return true
    case 'date': return !key.internal
    case 'not': return needsContent(key.key)
    case 'or': return needsContent(key.a) || needsContent(key.b)
    case 'and': return key.keys.some(needsContent)
    default: return false
  }
}

export function usesModseq(key: SearchKey): boolean {
  switch (key.k) {
    case 'modseq': return true
    case 'not': return usesModseq(key.key)
    case 'or': return usesModseq(key.a) || usesModseq(key.b)
    case 'and': return key.keys.some(usesModseq)
    default: return false
  }
}

export type SortKey = 'ARRIVAL' | 'CC' | 'DATE' | 'FROM' | 'SIZE' | 'SUBJECT' | 'TO' | 'DISPLAYFROM' | 'DISPLAYTO'
export interface SortCriterion { key: SortKey; reverse: boolean }
const SORT_KEYS = new Set(['ARRIVAL', 'CC', 'DATE', 'FROM', 'SIZE', 'SUBJECT', 'TO', 'DISPLAYFROM', 'DISPLAYTO'])

/** `(REVERSE DATE SUBJECT)` (RFC 5256 §3). */
export function parseSortCriteria(r: Reader): SortCriterion[] {
  r.expect('(')
  const out: SortCriterion[] = []
  let reverse = false
  for (;;) {
    const w = r.atom('sort key').toUpperCase()
    if (w === 'REVERSE') {
      if (reverse) r.fail('REVERSE twice')
      reverse = true
      r.sp()
      continue
    }
    if (!SORT_KEYS.has(w)) throw new ImapParseError(`Unknown sort key "${w}"`)
    out.push({ key: w as SortKey, reverse })
    reverse = false
    if (r.peek() === ')') { r.pos++; break }
    r.sp()
  }
  if (reverse) r.fail('REVERSE without a sort key')
  return out
}

export type SearchReturnOpt = 'MIN' | 'MAX' | 'ALL' | 'COUNT' | 'SAVE'
