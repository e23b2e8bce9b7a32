/** Command grammar (RFC 3501 §6 and §9, plus the extensions the server announces). */
import type { Frame } from './assembler.js'
import { parseDateTime } from './dates.js'
import { parseFetchAtts, type FetchAtt } from './fetch.js'
import { ImapParseError, MODSEQ_MAX, Reader } from './reader.js'
import { checkCharset, parseSearchKeys, parseSortCriteria, type SearchKey, type SearchReturnOpt, type SortCriterion } from './search.js'
import { parseSeqSet, type SeqSet } from './seqset.js'

export type StatusItem = 'MESSAGES' | 'RECENT' | 'UIDNEXT' | 'UIDVALIDITY' | 'UNSEEN' | 'HIGHESTMODSEQ' | 'SIZE'
const STATUS_ITEMS = new Set(['MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'HIGHESTMODSEQ', 'SIZE'])

export interface QresyncParams { uidValidity: number; modseq: number; knownUids?: SeqSet; seqMatch?: { seqs: SeqSet; uids: SeqSet } }

export type Command =
  | { name: 'CAPABILITY' | 'NOOP' | 'LOGOUT' | 'STARTTLS' | 'CHECK' | 'CLOSE' | 'UNSELECT' | 'EXPUNGE' | 'IDLE' | 'NAMESPACE' }
  | { name: 'LOGIN'; user: string; password: string }
  | { name: 'AUTHENTICATE'; mechanism: string; initial?: string }
  | { name: 'SELECT' | 'EXAMINE'; mailbox: string; condstore: boolean; qresync?: QresyncParams }
  | { name: 'CREATE'; mailbox: string; use: string[] }
  | { name: 'DELETE' | 'SUBSCRIBE' | 'UNSUBSCRIBE' | 'GETACL' | 'MYRIGHTS' | 'GETQUOTAROOT'; mailbox: string }
  | { name: 'RENAME'; mailbox: string; newName: string }
  | { name: 'LIST'; selection: string[]; reference: string; patterns: string[]; returns: string[]; statusItems: StatusItem[]; extended: boolean }
  | { name: 'LSUB'; reference: string; patterns: string[] }
  | { name: 'STATUS'; mailbox: string; items: StatusItem[] }
  | { name: 'APPEND'; mailbox: string; flags: string[]; date?: number; message: Buffer; binary: boolean; more: AppendMessage[] }
  | { name: 'SEARCH'; uid: boolean; charset?: string; returns?: SearchReturnOpt[]; key: SearchKey }
  | { name: 'SORT'; uid: boolean; criteria: SortCriterion[]; charset: string; returns?: SearchReturnOpt[]; key: SearchKey }
  | { name: 'FETCH'; uid: boolean; set: SeqSet; atts: FetchAtt[]; changedSince?: number; vanished: boolean }
  | { name: 'STORE'; uid: boolean; set: SeqSet; unchangedSince?: number; op: '+' | '-' | ''; silent: boolean; flags: string[] }
  | { name: 'COPY' | 'MOVE'; uid: boolean; set: SeqSet; mailbox: string }
  | { name: 'UIDEXPUNGE'; set: SeqSet }
  | { name: 'ENABLE'; caps: string[] }
  | { name: 'ID'; params: Record<string, string | null> | null }
  | { name: 'GETQUOTA'; root: string }
  | { name: 'SETQUOTA'; root: string; limits: Array<{ resource: string; limit: number }> }
  | { name: 'SETACL'; mailbox: string; identifier: string; rights: string }
  | { name: 'DELETEACL' | 'LISTRIGHTS'; mailbox: string; identifier: string }

export interface ParsedCommand { tag: string; command: Command }

/** Tag: 1*<any ASTRING-CHAR except "+"> (RFC 3501 §9). */
const TAG_RE = /^[^(){ \x00-\x1f\x7f%*"\\+\x80-\xff]+/

/** Splits off the tag; returns null tag when the line has none. */
export function readTag(frame: Frame): string | null {
  const m = TAG_RE.exec(frame.lines[0] ?? '')
  return m ? m[0] : null
}

/**
 * Parses a framed command. Throws ImapParseError (→ `tag BAD text`, or `tag NO [code] text` when
 * `no` is set); the thrown error carries no tag, the caller uses readTag().
 */
export function parseCommand(frame: Frame): ParsedCommand {
  for (const l of frame.lines) {
    if (l.includes('\0')) throw new ImapParseError('NUL octet in command')
  }
  const r = new Reader(frame)
  const tag = readTag(frame)
  if (!tag) throw new ImapParseError('Missing or invalid tag')
  r.pos = tag.length
  if (r.peek() !== ' ') throw new ImapParseError('Missing command')
  r.pos++
  let name = r.atom('command').toUpperCase()
  let uid = false
  if (name === 'UID') {
    uid = true
    r.sp()
    name = r.atom('command after UID').toUpperCase()
    if (!['FETCH', 'STORE', 'SEARCH', 'COPY', 'MOVE', 'EXPUNGE', 'SORT'].includes(name)) {
      throw new ImapParseError(`UID ${name} is not a valid command`)
    }
  }
  const command = parseArgs(r, name, uid)
  r.end()
  return { tag, command }
}

function mailbox(r: Reader): string {
  return r.astring('mailbox name')
}

function parseArgs(r: Reader, name: string, uid: boolean): Command {
  switch (name) {
    case 'CAPABILITY': case 'NOOP': case 'LOGOUT': case 'STARTTLS': case 'CHECK': case 'CLOSE':
    case 'UNSELECT': case 'IDLE': case 'NAMESPACE':
      return { name }
    case 'EXPUNGE':
      if (uid) { r.sp(); return { name: 'UIDEXPUNGE', set: parseSeqSet(r.token()) } }
      return { name }
    case 'LOGIN': {
      r.sp(); const user = r.astring('user name')
      r.sp(); const password = r.astring('password')
      return { name, user, password }
    }
    case 'AUTHENTICATE': {
      r.sp(); const mechanism = r.atom('SASL mechanism').toUpperCase()
      let initial: string | undefined
      if (r.maybeSp()) initial = r.token() // RFC 4959 SASL-IR: base64 or "="
      return { name, mechanism, initial }
    }
    case 'SELECT': case 'EXAMINE': {
      r.sp(); const mb = mailbox(r)
      let condstore = false
      let qresync: QresyncParams | undefined
      if (r.maybeSp()) {
        r.expect('(')
        for (;;) {
          const p = r.atom('select parameter').toUpperCase()
          if (p === 'CONDSTORE') condstore = true
          else if (p === 'QRESYNC') { r.sp(); qresync = parseQresync(r); condstore = true }
          else throw new ImapParseError(`Unknown SELECT parameter "${p}"`)
          if (r.peek() === ')') { r.pos++; break }
          r.sp()
        }
      }
      return { name, mailbox: mb, condstore, qresync }
    }
    case 'CREATE': {
      r.sp(); const mb = mailbox(r)
      const use: string[] = []
      if (r.maybeSp()) {
        // RFC 6154 §3: CREATE name (USE (\Sent))
        r.expect('(')
        r.expect('USE')
        r.sp()
        r.expect('(')
        for (;;) {
          r.expect('\\')
          use.push('\\' + r.atom('special-use attribute'))
          if (r.peek() === ')') { r.pos++; break }
          r.sp()
        }
        r.expect(')')
      }
      return { name, mailbox: mb, use }
    }
    case 'DELETE': case 'SUBSCRIBE': case 'UNSUBSCRIBE': case 'GETACL': case 'MYRIGHTS': case 'GETQUOTAROOT':
      r.sp()
      return { name, mailbox: mailbox(r) }
    case 'RENAME': {
      r.sp(); const a = mailbox(r)
      r.sp(); const b = mailbox(r)
      return { name, mailbox: a, newName: b }
    }
    case 'LIST': return parseList(r)
    case 'LSUB': {
      r.sp(); const reference = mailbox(r)
      r.sp(); return { name, reference, patterns: [r.listMailbox()] }
    }
    case 'STATUS': {
      r.sp(); const mb = mailbox(r)
      r.sp()
      return { name, mailbox: mb, items: parseStatusItems(r) }
    }
    case 'APPEND': return parseAppend(r)
    case 'SEARCH': {
      let returns: SearchReturnOpt[] | undefined
      let charset: string | undefined
      r.sp()
      if (r.take('RETURN ')) returns = parseReturnOpts(r)
      if (r.take('CHARSET ')) { charset = r.astring('charset'); r.sp(); checkCharset(charset) }
      return { name, uid, charset, returns, key: parseSearchKeys(r) }
    }
    case 'SORT': {
      let returns: SearchReturnOpt[] | undefined
      r.sp()
      if (r.take('RETURN ')) returns = parseReturnOpts(r)
      const criteria = parseSortCriteria(r)
      r.sp()
      const charset = r.astring('charset')
      checkCharset(charset)
      r.sp()
      return { name, uid, criteria, charset, returns, key: parseSearchKeys(r) }
    }
    case 'FETCH': {
      r.sp(); const set = parseSeqSet(r.token())
      r.sp(); const atts = parseFetchAtts(r)
      let changedSince: number | undefined
      let vanished = false
      if (r.maybeSp()) {
        r.expect('(')
        for (;;) {
          const m = r.atom('FETCH modifier').toUpperCase()
          if (m === 'CHANGEDSINCE') { r.sp(); changedSince = r.number(MODSEQ_MAX, 'mod-sequence') }
          else if (m === 'VANISHED') vanished = true
          else throw new ImapParseError(`Unknown FETCH modifier "${m}"`)
          if (r.peek() === ')') { r.pos++; break }
          r.sp()
        }
        // RFC 7162 §3.2.6: VANISHED requires UID FETCH and CHANGEDSINCE
        if (vanished && (!uid || changedSince === undefined)) throw new ImapParseError('VANISHED requires UID FETCH with CHANGEDSINCE')
      }
      if (uid && !atts.some((a) => a.kind === 'simple' && a.name === 'UID')) atts.unshift({ kind: 'simple', name: 'UID' })
      return { name, uid, set, atts, changedSince, vanished }
    }
    case 'STORE': {
      r.sp(); const set = parseSeqSet(r.token())
      r.sp()
      let unchangedSince: number | undefined
      if (r.peek() === '(') {
        r.pos++
        r.expect('UNCHANGEDSINCE')
        r.sp()
        unchangedSince = r.number(MODSEQ_MAX, 'mod-sequence')
        r.expect(')')
        r.sp()
      }
      const item = r.atom('STORE item').toUpperCase()
      const m = /^([+-]?)FLAGS(\.SILENT)?$/.exec(item)
      if (!m) throw new ImapParseError(`Invalid STORE item "${item}"`)
      r.sp()
      return { name, uid, set, unchangedSince, op: m[1] as '+' | '-' | '', silent: !!m[2], flags: parseFlagList(r, true) }
    }
    case 'COPY': case 'MOVE': {
      r.sp(); const set = parseSeqSet(r.token())
      r.sp(); return { name, uid, set, mailbox: mailbox(r) }
    }
    case 'ENABLE': {
      const caps: string[] = []
      while (r.maybeSp()) caps.push(r.atom('capability').toUpperCase())
      if (!caps.length) r.fail('ENABLE needs at least one capability')
      return { name, caps }
    }
    case 'ID': {
      r.sp()
      if (r.take('NIL')) return { name, params: null }
      r.expect('(')
      const params: Record<string, string | null> = {}
      if (r.peek() === ')') { r.pos++; return { name, params } }
      for (let n = 0; ; n++) {
        if (n >= 30) r.fail('Too many ID parameters')
        const k = r.string('ID field')
        r.sp()
        params[k] = r.nstring()
        if (r.peek() === ')') { r.pos++; break }
        r.sp()
      }
      return { name, params }
    }
    case 'GETQUOTA': r.sp(); return { name, root: r.astring('quota root') }
    case 'SETQUOTA': {
      r.sp(); const root = r.astring('quota root')
      r.sp(); r.expect('(')
      const limits: Array<{ resource: string; limit: number }> = []
      if (r.peek() !== ')') {
        for (;;) {
          const resource = r.atom('quota resource').toUpperCase()
          r.sp()
          limits.push({ resource, limit: r.number(Number.MAX_SAFE_INTEGER, 'quota limit') })
          if (r.peek() === ')') break
          r.sp()
        }
      }
      r.expect(')')
      return { name, root, limits }
    }
    case 'SETACL': {
      r.sp(); const mb = mailbox(r)
      r.sp(); const identifier = r.astring('identifier')
      r.sp(); return { name, mailbox: mb, identifier, rights: r.astring('rights') }
    }
    case 'DELETEACL': case 'LISTRIGHTS': {
      r.sp(); const mb = mailbox(r)
      r.sp(); return { name, mailbox: mb, identifier: r.astring('identifier') }
    }
    default:
      throw new ImapParseError(`Unknown command ${name}`)
  }
}

function parseQresync(r: Reader): QresyncParams {
  // RFC 7162 §3.2.5: (uidvalidity mod-sequence [known-uids [seq-match-data]])
  r.expect('(')
  const uidValidity = r.nzNumber('UIDVALIDITY')
  r.sp()
  const modseq = r.number(MODSEQ_MAX, 'mod-sequence')
  const q: QresyncParams = { uidValidity, modseq }
  if (r.maybeSp()) {
    if (r.peek() !== '(') q.knownUids = parseSeqSet(r.token())
    if (r.peek() === ' ' || r.peek() === '(') {
      r.maybeSp()
      r.expect('(')
      const seqs = parseSeqSet(r.token())
      r.sp()
      const uids = parseSeqSet(r.token())
      r.expect(')')
      q.seqMatch = { seqs, uids }
    }
  }
  r.expect(')')
  return q
}

function parseStatusItems(r: Reader): StatusItem[] {
  r.expect('(')
  const items: StatusItem[] = []
  for (;;) {
    const it = r.atom('status item').toUpperCase()
    if (!STATUS_ITEMS.has(it)) throw new ImapParseError(`Unknown STATUS item "${it}"`)
    items.push(it as StatusItem)
    if (r.peek() === ')') { r.pos++; break }
    r.sp()
  }
  return items
}

function parseReturnOpts(r: Reader): SearchReturnOpt[] {
  r.expect('(')
  const out: SearchReturnOpt[] = []
  while (r.peek() !== ')') {
    const o = r.atom('return option').toUpperCase()
    if (!['MIN', 'MAX', 'ALL', 'COUNT', 'SAVE'].includes(o)) throw new ImapParseError(`Unknown SEARCH return option "${o}"`)
    out.push(o as SearchReturnOpt)
    if (r.peek() === ')') break
    r.sp()
  }
  r.pos++
  r.sp()
  return out
}

/** flag-list or (for STORE) a space-separated list of flags without parentheses. */
export function parseFlagList(r: Reader, allowBare = false): string[] {
  const flags: string[] = []
  const paren = r.peek() === '('
  if (!paren && !allowBare) r.fail('Expected flag list')
  if (paren) r.pos++
  if (paren && r.peek() === ')') { r.pos++; return flags }
  for (;;) {
    flags.push(parseFlag(r))
    if (paren && r.peek() === ')') { r.pos++; break }
    if (!paren && r.atEnd()) break
    r.sp()
  }
  return flags
}

const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft']

function parseFlag(r: Reader): string {
  if (r.peek() === '\\') {
    r.pos++
    const a = r.atom('flag')
    const canon = SYSTEM_FLAGS.find((f) => f.toLowerCase() === '\\' + a.toLowerCase())
    if (!canon) {
      if (a.toLowerCase() === 'recent') throw new ImapParseError('\\Recent cannot be stored')
      throw new ImapParseError(`Invalid system flag \\${a}`)
    }
    return canon
  }
  return r.atom('flag keyword')
}

function parseList(r: Reader): Command {
  r.sp()
  const selection: string[] = []
  let extended = false
  if (r.peek() === '(') {
    // RFC 5258 §3: list-select-opts
    extended = true
    r.pos++
    while (r.peek() !== ')') {
      const o = r.atom('LIST selection option').toUpperCase()
      if (!['SUBSCRIBED', 'REMOTE', 'RECURSIVEMATCH', 'SPECIAL-USE'].includes(o)) throw new ImapParseError(`Unknown LIST selection option "${o}"`)
      selection.push(o)
      if (r.peek() === ')') break
      r.sp()
    }
    r.pos++
    r.sp()
    if (selection.includes('RECURSIVEMATCH') && selection.length === 1) throw new ImapParseError('RECURSIVEMATCH needs another selection option')
  }
  const reference = mailbox(r)
  r.sp()
  const patterns: string[] = []
  if (r.peek() === '(') {
    extended = true
    r.pos++
    for (;;) {
      patterns.push(r.listMailbox())
      if (r.peek() === ')') { r.pos++; break }
      r.sp()
    }
  } else patterns.push(r.listMailbox())
  const returns: string[] = []
  let statusItems: StatusItem[] = []
  if (r.maybeSp()) {
    r.expect('RETURN')
    r.sp()
    extended = true
    r.expect('(')
    while (r.peek() !== ')') {
      const o = r.atom('LIST return option').toUpperCase()
      if (o === 'STATUS') { r.sp(); statusItems = parseStatusItems(r) }
      else if (!['SUBSCRIBED', 'CHILDREN', 'SPECIAL-USE'].includes(o)) throw new ImapParseError(`Unknown LIST return option "${o}"`)
      returns.push(o)
      if (r.peek() === ')') break
      r.sp()
    }
    r.pos++
  }
  return { name: 'LIST', selection, reference, patterns, returns, statusItems, extended }
}

/** One message of APPEND; MULTIAPPEND (RFC 3502 §6.3.11) sends several after the mailbox name. */
export interface AppendMessage { flags: string[]; date?: number; message: Buffer; binary: boolean }

function parseAppend(r: Reader): Command {
  r.sp()
  const mb = mailbox(r)
  r.sp()
  const first = parseAppendMessage(r)
  const more: AppendMessage[] = []
  // RFC 3502: append-message *(SP append-message)
  while (r.peek() === ' ') { r.sp(); more.push(parseAppendMessage(r)) }
  return { name: 'APPEND', mailbox: mb, ...first, more }
}

function parseAppendMessage(r: Reader): AppendMessage {
  let flags: string[] = []
  let date: number | undefined
  if (r.peek() === '(') {
    flags = parseFlagList(r)
    r.sp()
  }
  if (r.peek() === '"') {
    date = parseDateTime(r.quoted())
    r.sp()
  }
  const binary = r.isLiteral8()
  if (r.peek() !== '{' && r.peek() !== '~') r.fail('Expected message literal')
  const message = r.stringBytes('message literal')
  return { flags, date, message, binary }
}
