// RFC 5322 §3.4 address lists → ENVELOPE address structures (RFC 3501 §7.4.2): name, adl, mailbox, host;
// groups become a start marker (mailbox = group name, host = null) and an end marker (all null).
import type { EnvelopeAddress } from './types.js'

type Tok = { t: 'atom' | 'quoted' | 'special' | 'domainlit'; v: string }

function tokenize(s: string): Tok[] {
  const out: Tok[] = []
  let i = 0
  while (i < s.length) {
    const ch = s[i]
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') { i++; continue }
    if (ch === '(') { // comment (nested)
      let depth = 1
      i++
      while (i < s.length && depth > 0) {
        if (s[i] === '\\') i++
        else if (s[i] === '(') depth++
        else if (s[i] === ')') depth--
        i++
      }
      continue
    }
    if (ch === '"') {
      let v = ''
      i++
      while (i < s.length && s[i] !== '"') { if (s[i] === '\\' && i + 1 < s.length) i++; v += s[i]; i++ }
      i++
      out.push({ t: 'quoted', v })
      continue
    }
    if (ch === '[') {
      const e = s.indexOf(']', i)
      const v = e === -1 ? s.slice(i) : s.slice(i, e + 1)
      out.push({ t: 'domainlit', v })
      i += v.length
      continue
    }
    if ('<>,:;@.'.includes(ch)) { out.push({ t: 'special', v: ch }); i++; continue }
    let v = ''
    while (i < s.length && !' \t\r\n()"<>,:;@[]'.includes(s[i])) { v += s[i]; i++ }
    if (v === '') { i++; continue }
    // Dots inside atoms stay part of the word (dot-atom).
    out.push({ t: 'atom', v })
  }
  return out
}

function joinWords(toks: Tok[]): string {
  let out = ''
  for (const t of toks) {
    if (t.t === 'special' && t.v === '.') { out += '.'; continue }
    if (out && !out.endsWith('.')) out += ' '
    out += t.v
  }
  return out
}

function splitAddr(toks: Tok[]): { mailbox: string | null; host: string | null; adl: string | null } {
  const at = toks.findIndex((t) => t.t === 'special' && t.v === '@')
  const local = (at === -1 ? toks : toks.slice(0, at)).map((t) => (t.t === 'quoted' && /[\s"\\()<>,;:@[\]]/.test(t.v) ? `"${t.v}"` : t.v)).join('')
  const host = at === -1 ? null : toks.slice(at + 1).map((t) => t.v).join('')
  return { mailbox: local || null, host: host || null, adl: null }
}

function parseMailbox(toks: Tok[]): EnvelopeAddress | null {
  if (toks.length === 0) return null
  const lt = toks.findIndex((t) => t.t === 'special' && t.v === '<')
  if (lt !== -1) {
    let gt = toks.findIndex((t, i) => i > lt && t.t === 'special' && t.v === '>')
    if (gt === -1) gt = toks.length
    const name = joinWords(toks.slice(0, lt)) || null
    let inner = toks.slice(lt + 1, gt)
    let adl: string | null = null
    // Obsolete route: <@a,@b:user@host>
    const colon = inner.findIndex((t) => t.t === 'special' && t.v === ':')
    if (inner[0]?.v === '@' && colon !== -1) {
      adl = inner.slice(0, colon).map((t) => t.v).join('')
      inner = inner.slice(colon + 1)
    }
    const a = splitAddr(inner)
    return { name, adl, mailbox: a.mailbox, host: a.host }
  }
  const a = splitAddr(toks)
  return { name: null, adl: null, mailbox: a.mailbox, host: a.host }
}

/** Parse an address-list header value. Unparseable pieces are kept as mailbox-only addresses. */
export function parseAddressList(value: string): EnvelopeAddress[] {
  const toks = tokenize(value)
  const out: EnvelopeAddress[] = []
  let cur: Tok[] = []
  let inGroup = false
  let angle = 0
  const flush = () => { const a = parseMailbox(cur); if (a && (a.mailbox || a.host || a.name)) out.push(a); cur = [] }
  for (const t of toks) {
    if (t.t === 'special') {
      if (t.v === '<') angle++
      if (t.v === '>' && angle > 0) angle--
      if (angle === 0 && t.v === ':' && !inGroup && !cur.some((c) => c.v === '<')) {
        out.push({ name: null, adl: null, mailbox: joinWords(cur), host: null })
        cur = []
        inGroup = true
        continue
      }
      if (angle === 0 && t.v === ';' && inGroup) {
        flush()
        out.push({ name: null, adl: null, mailbox: null, host: null })
        inGroup = false
        continue
      }
      if (angle === 0 && t.v === ',') { flush(); continue }
    }
    cur.push(t)
  }
  flush()
  if (inGroup) out.push({ name: null, adl: null, mailbox: null, host: null })
  return out
}
