// Command lines (RFC 5321 §4.1.1): a verb, optionally a space and arguments; and the paths of
// MAIL FROM / RCPT TO (RFC 5321 §4.1.2) with their ESMTP parameters (§4.1.2 Mail-parameters).
import { isIPv4, isIPv6 } from 'node:net'
import { domainToUnicode } from 'node:url'
import { SmtpError } from './reply.js'

export interface Command {
  /** Upper-cased verb: `MAIL`, `EHLO` … */
  verb: string
  /** The rest of the line after the first space, as sent. */
  arg: string
}

/** Splits a command line (CRLF already removed). RFC 5321 §2.4: verbs are case-insensitive. */
export function parseCommand(line: string): Command {
  const sp = line.indexOf(' ')
  return sp < 0 ? { verb: line.toUpperCase(), arg: '' } : { verb: line.slice(0, sp).toUpperCase(), arg: line.slice(sp + 1) }
}

/** ESMTP parameters: keyword upper-cased → value (xtext-decoded), or `true` for a bare keyword. */
export type Params = Record<string, string | true>

export interface Path {
  /** Mailbox without the angle brackets and any source route; '' for the null path `<>`. */
  address: string
  params: Params
  /** The address (or a parameter) holds non-ASCII characters (RFC 6531 §3.3). */
  utf8: boolean
}

/**
 * RFC 3461 §4: xtext, where `+XX` stands for the octet with hex value XX. A `+` not followed by
 * two hex digits is kept as is (lenient, as before).
 */
export function decodeXtext(v: string): string {
  if (v.indexOf('+') < 0) return v
  return v.replace(/\+([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)))
}

/** Control characters, C1 controls and invisible format characters: never in an address (log/header injection). */
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u200b\u2060\ufeff]/
const CONTROL = /[\x00-\x1f\x7f]/
const DOMAIN_CHARS = /^[a-zA-Z0-9\u0080-\uffff.-]+$/

function hasNonAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return true
  return false
}

// Made only when needed: an Error captures a stack trace, which costs more than the parse.
const badSender = () => new SmtpError(501, '5.1.7', 'Bad sender address syntax')
const badRecipient = () => new SmtpError(501, '5.1.3', 'Bad recipient address syntax')

/**
 * Parses `FROM:<path> params` (keyword `FROM`) or `TO:<path> params` (keyword `TO`).
 * Throws SmtpError 501 on bad syntax. The null reverse-path `<>` is allowed for FROM only
 * (RFC 5321 §4.5.5); RCPT TO:<postmaster> without a domain is allowed (§4.1.1.3).
 */
export function parsePath(arg: string, keyword: 'FROM' | 'TO'): Path {
  const colon = arg.indexOf(':')
  const bad = keyword === 'FROM' ? badSender : badRecipient
  if (colon < 0 || arg.slice(0, colon).trim().toUpperCase() !== keyword) throw bad()
  let rest = arg.slice(colon + 1).trim()
  if (rest.charCodeAt(0) !== 60 /* < */) throw bad()
  const close = rest.indexOf('>')
  if (close < 0) throw bad()
  let address = rest.slice(1, close)
  if (address.indexOf('<') >= 0) throw bad()
  rest = rest.slice(close + 1)
  if (rest.length && rest.charCodeAt(0) !== 32 && rest.charCodeAt(0) !== 9) throw bad()
  // RFC 5321 §4.1.2 / appendix C: a source route `@relay,@relay2:` is accepted and ignored.
  if (address.charCodeAt(0) === 64 /* @ */) {
    const c = address.indexOf(':')
    if (c < 0) throw bad()
    address = address.slice(c + 1)
  }
  let utf8 = false
  if (address) {
    if (UNSAFE.test(address)) throw bad()
    if (!(keyword === 'TO' && address.toLowerCase() === 'postmaster')) address = checkMailbox(address, bad)
    utf8 = hasNonAscii(address)
  } else if (keyword === 'TO') throw bad()
  const params = parseParams(rest)
  for (const k in params) if (typeof params[k] === 'string' && hasNonAscii(params[k] as string)) utf8 = true
  return { address, params, utf8 }
}

/**
 * RFC 5321 §4.1.2 Local-part = Dot-string / Quoted-string, with RFC 6531 §3.3's UTF-8 in atext and
 * qtext. Dot-string = Atom *("." Atom), atext = RFC 5322 §3.2.3; Quoted-string = DQUOTE
 * *(qtextSMTP / "\" %d32-126) DQUOTE, qtextSMTP = %d32-33 / %d35-91 / %d93-126.
 */
const DOT_STRING = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+(\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+)*$/
const QUOTED_STRING = /^"([\x20\x21\x23-\x5b\x5d-\x7e\u0080-\uffff]|\\[\x20-\x7e])*"$/

/** Where the local part ends: the `@` after it (a quoted local part may hold `@`); -1 if none. */
function localPartEnd(address: string): number {
  if (address.charCodeAt(0) !== 34 /* " */) return address.indexOf('@')
  for (let i = 1; i < address.length; i++) {
    const c = address.charCodeAt(i)
    if (c === 92 /* \ */) { i++; continue }
    if (c === 34) return address.charCodeAt(i + 1) === 64 ? i + 1 : -1
  }
  return -1
}

/** RFC 5321 §4.1.2 Mailbox = Local-part "@" ( Domain / address-literal ). */
function checkMailbox(address: string, bad: () => SmtpError): string {
  const at = localPartEnd(address)
  if (at <= 0 || at === address.length - 1 || address.indexOf('@', at + 1) >= 0) throw bad()
  // RFC 5321 §4.5.3.1.3: a path is at most 256 octets with the angle brackets.
  if (address.length > 253) throw bad()
  const local = address.slice(0, at)
  let domain = address.slice(at + 1)
  if (!DOT_STRING.test(local) && !QUOTED_STRING.test(local)) throw bad()
  if (domain.charCodeAt(0) === 91 /* [ */) {
    // §4.1.3 address literal: [IPv4] or [IPv6:…]
    if (domain.charCodeAt(domain.length - 1) !== 93) throw bad()
    const lit = domain.slice(1, -1)
    const ok = /^ipv6:/i.test(lit) ? isIPv6(lit.slice(5)) : isIPv4(lit)
    if (!ok) throw bad()
    return address
  }
  if (domain.charCodeAt(0) === 46 || domain.charCodeAt(domain.length - 1) === 46 || domain.includes('..') ||
    domain.includes('.-') || domain.includes('-.') || !DOMAIN_CHARS.test(domain)) throw bad()
  // IDNA A-labels are handled as their U-label form (as smtp-server did with punycode).
  if (domain.toLowerCase().includes('xn--')) {
    const u = domainToUnicode(domain)
    if (!u) throw bad()
    domain = u
    return `${local}@${domain}`
  }
  return address
}

/** ESMTP parameters after the path: `KEY` or `KEY=value` separated by spaces (RFC 5321 §4.1.2). */
function parseParams(s: string): Params {
  const params: Params = {}
  let i = 0
  const n = s.length
  while (i < n) {
    while (i < n && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++
    if (i >= n) break
    let j = i
    while (j < n && s.charCodeAt(j) !== 32 && s.charCodeAt(j) !== 9) j++
    const part = s.slice(i, j)
    i = j
    const eq = part.indexOf('=')
    const key = (eq < 0 ? part : part.slice(0, eq)).toUpperCase()
    if (!key) continue
    if (key in params) throw new SmtpError(501, '5.5.4', `Duplicate ${key} parameter`)
    if (eq < 0) { params[key] = true; continue }
    const value = decodeXtext(part.slice(eq + 1))
    if (!value) throw new SmtpError(501, '5.5.4', `${key} parameter requires a value`)
    // RFC 3461 §4: xtext must not smuggle CR/LF or other controls (response splitting, log injection).
    if (CONTROL.test(value)) throw new SmtpError(501, '5.5.4', 'Bad command parameter syntax')
    params[key] = value
  }
  return params
}

/** The HELO/EHLO/LHLO argument (RFC 5321 §4.1.1.1): a domain or address literal, kept permissive. */
export function checkHeloName(name: string): boolean {
  return name.length > 0 && name.length <= 300 && !CONTROL.test(name) && name.indexOf(' ') < 0
}
