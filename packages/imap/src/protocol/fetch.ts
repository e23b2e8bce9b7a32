/** FETCH attributes (RFC 3501 §6.4.5, RFC 3516 BINARY, RFC 7162 MODSEQ). */
import { ImapParseError, type Reader } from './reader.js'

export interface Section {
  /** Part path, e.g. [1, 2] for `1.2`; empty for the whole message. */
  part: number[]
  text?: 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME'
  fields?: string[]
}

export interface Partial { start: number; length: number }

export type FetchAtt =
  | { kind: 'simple'; name: 'UID' | 'FLAGS' | 'INTERNALDATE' | 'RFC822.SIZE' | 'ENVELOPE' | 'BODYSTRUCTURE' | 'BODY' | 'MODSEQ' | 'RFC822' | 'RFC822.HEADER' | 'RFC822.TEXT' }
  | { kind: 'body'; peek: boolean; section: Section; partial?: Partial }
  | { kind: 'binary'; peek: boolean; part: number[]; partial?: Partial }
  | { kind: 'binarySize'; part: number[] }

const SIMPLE = new Set(['UID', 'FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODYSTRUCTURE', 'BODY', 'MODSEQ', 'RFC822', 'RFC822.HEADER', 'RFC822.TEXT'])

const MACROS: Record<string, string[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
}

/** Parses `ALL | FAST | FULL | att | (att att ...)`. */
export function parseFetchAtts(r: Reader): FetchAtt[] {
  if (r.peek() === '(') {
    r.pos++
    const out: FetchAtt[] = []
    for (;;) {
      out.push(parseFetchAtt(r))
      if (r.peek() === ')') { r.pos++; break }
      r.sp()
    }
    return out
  }
  const save = r.pos
  const word = r.token().toUpperCase()
  if (MACROS[word]) return MACROS[word].map((name) => ({ kind: 'simple', name }) as FetchAtt)
  r.pos = save
  return [parseFetchAtt(r)]
}

function readName(r: Reader): string {
  const start = r.pos
  while (r.pos < r.line.length && /[A-Za-z0-9.]/.test(r.line[r.pos])) r.pos++
  return r.line.slice(start, r.pos).toUpperCase()
}

export function parseFetchAtt(r: Reader): FetchAtt {
  const name = readName(r)
  if (!name) r.fail('Expected FETCH attribute')
  if ((name === 'BODY' || name === 'BODY.PEEK') && r.peek() === '[') {
    const section = parseSection(r)
    return { kind: 'body', peek: name === 'BODY.PEEK', section, partial: parsePartial(r) }
  }
  if (name === 'BINARY' || name === 'BINARY.PEEK' || name === 'BINARY.SIZE') {
    if (r.peek() !== '[') r.fail(`Expected "[" after ${name}`)
    r.pos++
    const part = parsePartPath(r, true)
    r.expect(']')
    if (name === 'BINARY.SIZE') return { kind: 'binarySize', part }
    return { kind: 'binary', peek: name === 'BINARY.PEEK', part, partial: parsePartial(r) }
  }
  if (!SIMPLE.has(name)) throw new ImapParseError(`Unknown FETCH attribute "${name}"`)
  return { kind: 'simple', name } as FetchAtt
}

function parsePartPath(r: Reader, numbersOnly: boolean): number[] {
  const part: number[] = []
  while (/[0-9]/.test(r.peek())) {
    part.push(r.nzNumber('section part number'))
    if (r.peek() === '.') {
      r.pos++
      if (!numbersOnly && !/[0-9]/.test(r.peek())) break
      if (numbersOnly && !/[0-9]/.test(r.peek())) r.fail('Invalid section part')
    }
  }
  return part
}

/** `[1.2.HEADER.FIELDS (A B)]` */
export function parseSection(r: Reader): Section {
  r.expect('[')
  const part = parsePartPath(r, false)
  const section: Section = { part }
  if (r.peek() !== ']') {
    const start = r.pos
    while (/[A-Za-z.]/.test(r.peek())) r.pos++
    const t = r.line.slice(start, r.pos).toUpperCase()
    if (t === 'HEADER' || t === 'TEXT') section.text = t
    else if (t === 'MIME') {
      if (part.length === 0) r.fail('MIME requires a part number')
      section.text = 'MIME'
    } else if (t === 'HEADER.FIELDS' || t === 'HEADER.FIELDS.NOT') {
      section.text = t
      r.sp()
      r.expect('(')
      const fields: string[] = []
      for (;;) {
        fields.push(r.astring('header field name'))
        if (r.peek() === ')') { r.pos++; break }
        r.sp()
      }
      section.fields = fields
    } else r.fail(`Invalid section text "${t}"`)
  }
  r.expect(']')
  return section
}

function parsePartial(r: Reader): Partial | undefined {
  if (r.peek() !== '<') return undefined
  r.pos++
  const start = r.number(0xffffffff, 'partial start')
  r.expect('.')
  const length = r.nzNumber('partial length')
  r.expect('>')
  return { start, length }
}

/** Response label for an attribute, e.g. `BODY[1.HEADER.FIELDS (Subject)]<0>`. */
export function sectionLabel(s: Section): string {
  let t = s.part.join('.')
  if (s.text) t += (t ? '.' : '') + s.text
  if (s.fields) t += ` (${s.fields.join(' ')})`
  return t
}
