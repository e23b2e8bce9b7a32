/**
 * Response encoding (RFC 3501 §4, §7): atoms, quoted strings or literals, nstring, lists,
 * ENVELOPE (§7.4.2) and BODY/BODYSTRUCTURE (§7.4.2, RFC 3501 body-type grammar) from the store's
 * MIME part tree.
 */
import type { Envelope, EnvelopeAddress, MimePart } from '@wren/store'

/** A string that is safe as a quoted string: 7-bit, no CR/LF/NUL, not too long. */
function quotable(s: string): boolean {
  return s.length < 1024 && !/[\r\n\0\x80-\uffff]/.test(s)
}

export function quoted(s: string): string {
  return '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"'
}

/** string: quoted when possible, otherwise a literal (UTF-8 octets counted). */
export function str(s: string): string {
  if (quotable(s)) return quoted(s)
  return `{${Buffer.byteLength(s, 'utf8')}}\r\n${s}`
}

export function nstr(s: string | null | undefined): string {
  return s === null || s === undefined ? 'NIL' : str(s)
}

const ATOM_SAFE = /^[^(){ \x00-\x1f\x7f%*"\\\]\x80-\uffff]+$/

/** astring: atom when safe, else string. */
export function astr(s: string): string {
  return s.length > 0 && ATOM_SAFE.test(s) && s.toUpperCase() !== 'NIL' ? s : str(s)
}

/** Mailbox name on the wire: always quoted/literal (clients cope; avoids atom edge cases). */
export function mailboxOut(s: string): string {
  return s.toUpperCase() === 'INBOX' ? 'INBOX' : str(s)
}

function addrList(list: EnvelopeAddress[] | null): string {
  if (!list || list.length === 0) return 'NIL'
  return '(' + list.map((a) => `(${nstr(a.name)} ${nstr(a.adl)} ${nstr(a.mailbox)} ${nstr(a.host)})`).join('') + ')'
}

/** ENVELOPE (RFC 3501 §7.4.2): sender and reply-to default to from. */
export function envelope(e: Envelope): string {
  const from = e.from && e.from.length ? e.from : null
  const sender = e.sender && e.sender.length ? e.sender : from
  const replyTo = e.replyTo && e.replyTo.length ? e.replyTo : from
  return `(${nstr(e.date)} ${nstr(e.subject)} ${addrList(from)} ${addrList(sender)} ${addrList(replyTo)} ${addrList(e.to)} ${addrList(e.cc)} ${addrList(e.bcc)} ${nstr(e.inReplyTo)} ${nstr(e.messageId)})`
}

function paramList(p: Record<string, string> | null | undefined): string {
  if (!p) return 'NIL'
  const keys = Object.keys(p)
  if (!keys.length) return 'NIL'
  return '(' + keys.map((k) => `${str(k.toUpperCase())} ${str(p[k])}`).join(' ') + ')'
}

function langOut(l: string[] | null): string {
  if (!l || l.length === 0) return 'NIL'
  if (l.length === 1) return str(l[0])
  return '(' + l.map(str).join(' ') + ')'
}

/** BODY (extensible=false) or BODYSTRUCTURE (extensible=true). */
export function bodyStructure(p: MimePart, extensible: boolean): string {
  if (p.parts && p.parts.length) {
    let s = '(' + p.parts.map((c) => bodyStructure(c, extensible)).join('') + ' ' + str(p.subtype.toUpperCase())
    if (extensible) {
      s += ` ${paramList(p.params)} ${disposition(p)} ${langOut(p.language)} ${nstr(p.location)}`
    }
    return s + ')'
  }
  const type = p.type.toUpperCase()
  const subtype = p.subtype.toUpperCase()
  let s = `(${str(type)} ${str(subtype)} ${paramList(p.params)} ${nstr(p.id)} ${nstr(p.description)} ${str(p.encoding.toUpperCase())} ${p.bodySize}`
  if (type === 'MESSAGE' && (subtype === 'RFC822' || subtype === 'GLOBAL') && p.message) {
    s += ` ${envelope(p.message.envelope)} ${bodyStructure(p.message.body, extensible)} ${p.bodyLines}`
  } else if (type === 'TEXT') {
    s += ` ${p.bodyLines}`
  }
  if (extensible) s += ` ${nstr(p.md5)} ${disposition(p)} ${langOut(p.language)} ${nstr(p.location)}`
  return s + ')'
}

function disposition(p: MimePart): string {
  if (!p.disposition) return 'NIL'
  return `(${str(p.disposition.toUpperCase())} ${paramList(p.dispositionParams)})`
}

/** A literal header for n octets; the caller writes the octets after it. */
export function literalPrefix(n: number, binary = false): string {
  return `${binary ? '~' : ''}{${n}}\r\n`
}
