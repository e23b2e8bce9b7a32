import type { Frame } from './assembler.js'

/** A syntax error: the session answers `<tag> BAD <text>` (or NO with a code) and continues. */
export class ImapParseError extends Error {
  constructor(message: string, public readonly code?: string, public readonly no = false) {
    super(message)
  }
}

// RFC 3501 §9: ATOM-CHAR = any CHAR except atom-specials  ( ) { SP CTL % * " \ ]
const ATOM_CHAR = /[^(){ \x00-\x1f\x7f%*"\\\]\x80-\xff]/
// ASTRING-CHAR = ATOM-CHAR / resp-specials (])
const ASTRING_CHAR = /[^(){ \x00-\x1f\x7f%*"\\\x80-\xff]/
// list-char = ATOM-CHAR / list-wildcards / resp-specials
const LIST_CHAR = /[^(){ \x00-\x1f\x7f"\\\x80-\xff]/

/** Upper bound marker for 63-bit mod-sequences. */
export const MODSEQ_MAX = Number.MAX_VALUE

/** Cursor over one framed command; literals are consumed where a line ends in `{n}`. */
export class Reader {
  private li = 0
  pos = 0
  constructor(private readonly frame: Frame) {}

  get line(): string { return this.frame.lines[this.li] }
  peek(): string { return this.line[this.pos] ?? '' }
  atEnd(): boolean { return this.pos >= this.line.length && this.li >= this.frame.lines.length - 1 }
  rest(): string { return this.line.slice(this.pos) }

  fail(what: string): never {
    const near = this.line.slice(this.pos, this.pos + 20)
    throw new ImapParseError(near ? `${what} near "${near}"` : `${what} at end of line`)
  }

  sp(): void {
    if (this.line[this.pos] !== ' ') this.fail('Expected space')
    this.pos++
  }
  /** Consumes a space if one is next. */
  maybeSp(): boolean {
    if (this.line[this.pos] === ' ') { this.pos++; return true }
    return false
  }
  take(s: string): boolean {
    if (this.line.substr(this.pos, s.length).toUpperCase() === s.toUpperCase()) { this.pos += s.length; return true }
    return false
  }
  expect(s: string): void {
    if (!this.take(s)) this.fail(`Expected "${s}"`)
  }
  end(): void {
    if (!this.atEnd()) this.fail('Unexpected extra arguments')
  }

  private run(re: RegExp): string {
    const start = this.pos
    while (this.pos < this.line.length && re.test(this.line[this.pos])) this.pos++
    return this.line.slice(start, this.pos)
  }

  atom(what = 'atom'): string {
    const s = this.run(ATOM_CHAR)
    if (!s) this.fail(`Expected ${what}`)
    return s
  }
  /** A number (RFC 3501 number: 32-bit unsigned, or 63-bit for mod-sequences). */
  number(max = 0xffffffff, what = 'number'): number {
    const s = this.run(/[0-9]/)
    if (!s) this.fail(`Expected ${what}`)
    if (max === MODSEQ_MAX) {
      // RFC 7162 §7: mod-sequence-value = 1*DIGIT, up to 2^63-1 (kept as a JS number; precision
      // above 2^53 is irrelevant: the store never hands out such values).
      if (s.length > 19 || BigInt(s) > 9223372036854775807n) this.fail(`${what} out of range`)
      return Number(s)
    }
    const n = Number(s)
    if (!Number.isSafeInteger(n) || n > max) this.fail(`${what} out of range`)
    return n
  }
  nzNumber(what = 'non-zero number'): number {
    const n = this.number(0xffffffff, what)
    if (n === 0) this.fail(`Expected ${what}`)
    return n
  }

  private literal(): Buffer | null {
    const m = /^(~?)\{(\d+)\+?\}$/.exec(this.line.slice(this.pos))
    if (!m) return null
    const lit = this.frame.literals[this.li]
    if (!lit) this.fail('Literal data missing')
    this.li++
    this.pos = 0
    return lit
  }

  quoted(): string {
    if (this.line[this.pos] !== '"') this.fail('Expected quoted string')
    let out = ''
    let i = this.pos + 1
    for (;;) {
      const c = this.line[i]
      if (c === undefined) this.fail('Unterminated quoted string')
      if (c === '"') break
      if (c === '\\') {
        const n = this.line[i + 1]
        if (n !== '"' && n !== '\\') { this.pos = i; this.fail('Invalid escape in quoted string') }
        out += n
        i += 2
        continue
      }
      if (c === '\r' || c === '\n') this.fail('Line break in quoted string')
      out += c
      i++
    }
    this.pos = i + 1
    return out
  }

  /** string = quoted / literal; returned as raw bytes. */
  stringBytes(what = 'string'): Buffer {
    if (this.peek() === '"') return Buffer.from(this.quoted(), 'latin1')
    const lit = this.literal()
    if (lit) return lit
    return this.fail(`Expected ${what}`)
  }
  /** string decoded as UTF-8 (quoted strings and literals). */
  string(what = 'string'): string {
    return utf8(this.stringBytes(what))
  }
  astring(what = 'astring'): string {
    const c = this.peek()
    if (c === '"' || c === '{' || c === '~') return this.string(what)
    const s = this.run(ASTRING_CHAR)
    if (!s) this.fail(`Expected ${what}`)
    return s
  }
  /** nstring: NIL or string. */
  nstring(): string | null {
    if (this.take('NIL')) return null
    return this.string()
  }
  /** list-mailbox = 1*list-char / string */
  listMailbox(): string {
    const c = this.peek()
    if (c === '"' || c === '{') return this.string('mailbox pattern')
    const s = this.run(LIST_CHAR)
    if (!s) this.fail('Expected mailbox pattern')
    return s
  }
  /** Raw text up to the next space or ')' (sequence sets, dates). */
  token(): string {
    return this.run(/[^ ()\r\n]/)
  }
  /** For literal8 `~{n}`: tells if the upcoming string is a literal8. */
  isLiteral8(): boolean {
    return this.peek() === '~'
  }
}

/** Decodes bytes as UTF-8 (quoted strings arrive as latin1 octets from the framer). */
export function utf8(b: Buffer): string {
  return b.toString('utf8')
}
