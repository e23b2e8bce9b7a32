// MIME part tree with byte offsets (RFC 2045 §5, RFC 2046 §5.1, RFC 2231, RFC 3501 §7.4.2 BODYSTRUCTURE),
// computed once at append so FETCH BODYSTRUCTURE / BODY[section] never re-parse the message.
import type { Envelope, MimePart } from './types.js'
import { parseAddressList } from './address.js'
import { decodedHeaderText, messageText } from './search.js'

export interface ParsedMessage {
  headerSize: number
  messageId: string | null
  envelope: Envelope
  structure: MimePart
  /** Decoded header and body text for SEARCH (null when the text is larger than TEXT_CACHE_MAX). */
  text: SearchText | null
}

export interface SearchText { header: string; body: string }

/** Messages whose decoded text is larger are searched from their file instead of the text cache. */
export const TEXT_CACHE_MAX = 1024 * 1024

export interface HeaderField {
  name: string // lower-case
  value: string // unfolded raw value (UTF-8 decoded)
}

/** Offset just past the header block's terminating blank line (or the end when there is none). */
export function headerEnd(buf: Buffer, start: number, end: number): number {
  let i = start
  // An empty header block: the message starts with a blank line.
  if (buf[i] === 0x0a) return i + 1
  if (buf[i] === 0x0d && buf[i + 1] === 0x0a) return i + 2
  while (i < end) {
    const nl = buf.indexOf(0x0a, i)
    if (nl === -1 || nl >= end) return end
    const n = nl + 1
    if (n >= end) return end
    if (buf[n] === 0x0a) return n + 1
    if (buf[n] === 0x0d && buf[n + 1] === 0x0a) return n + 2
    i = n
  }
  return end
}

/** Parse a header block into unfolded fields (RFC 5322 §2.2.3). */
export function parseHeaderFields(buf: Buffer, start: number, end: number): HeaderField[] {
  const text = buf.toString('utf8', start, end)
  const out: HeaderField[] = []
  let cur: string | null = null
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine
    if (line === '') { if (cur !== null) push(cur); cur = null; continue }
    if ((line[0] === ' ' || line[0] === '\t') && cur !== null) cur += line
    else { if (cur !== null) push(cur); cur = line }
  }
  if (cur !== null) push(cur)
  return out
  function push(l: string) {
    const c = l.indexOf(':')
    if (c <= 0) return
    out.push({ name: l.slice(0, c).trim().toLowerCase(), value: l.slice(c + 1).trim() })
  }
}

function first(fields: HeaderField[], name: string): string | null {
  for (const f of fields) if (f.name === name) return f.value
  return null
}

/** `type/subtype; a=b; c*0=..` → parts; RFC 2231 continuations and charsets are joined/decoded. */
export function parseStructuredHeader(value: string): { value: string; params: Record<string, string> } {
  const tokens = splitParams(value)
  const main = (tokens.shift() ?? '').trim()
  const raw: Record<string, string> = {}
  for (const t of tokens) {
    const eq = t.indexOf('=')
    if (eq <= 0) continue
    const k = t.slice(0, eq).trim().toLowerCase()
    let v = t.slice(eq + 1).trim()
    if (v.startsWith('"')) v = v.slice(1, v.endsWith('"') && v.length > 1 ? -1 : undefined).replace(/\\(.)/g, '$1')
    raw[k] = v
  }
  const params: Record<string, string> = {}
  const cont = new Map<string, Array<{ n: number; v: string; enc: boolean }>>()
  for (const [k, v] of Object.entries(raw)) {
    const m = /^([^*]+)\*(?:(\d+)\*?)?$/.exec(k)
    if (!m) { params[k] = v; continue }
    const list = cont.get(m[1]) ?? []
    list.push({ n: m[2] === undefined ? 0 : Number(m[2]), v, enc: k.endsWith('*') })
    cont.set(m[1], list)
  }
  for (const [k, list] of cont) {
    list.sort((a, b) => a.n - b.n)
    let charset = 'utf-8'
    const bytes: number[] = []
    for (const [i, p] of list.entries()) {
      let v = p.v
      if (p.enc) {
        if (i === 0) {
          const q = /^([^']*)'[^']*'(.*)$/.exec(v)
          if (q) { charset = q[1] || 'utf-8'; v = q[2] }
        }
        for (let j = 0; j < v.length; j++) {
          if (v[j] === '%' && /^[0-9a-fA-F]{2}$/.test(v.slice(j + 1, j + 3))) { bytes.push(parseInt(v.slice(j + 1, j + 3), 16)); j += 2 }
          else bytes.push(...Buffer.from(v[j], 'utf8'))
        }
      } else bytes.push(...Buffer.from(v, 'utf8'))
    }
    const enc = /^(us-ascii|utf-?8)$/i.test(charset) ? 'utf8' : /^(iso-8859-1|latin1)$/i.test(charset) ? 'latin1' : 'utf8'
    if (params[k] === undefined) params[k] = Buffer.from(bytes).toString(enc)
  }
  return { value: main, params }
}

function splitParams(v: string): string[] {
  const out: string[] = []
  let cur = ''
  let q = false
  let depth = 0
  for (let i = 0; i < v.length; i++) {
    const ch = v[i]
    if (q) { cur += ch; if (ch === '\\' && i + 1 < v.length) cur += v[++i]; else if (ch === '"') q = false; continue }
    if (ch === '"') { q = true; cur += ch; continue }
    if (ch === '(') { depth++; continue }
    if (ch === ')' && depth > 0) { depth--; continue }
    if (depth > 0) continue
    if (ch === ';') { out.push(cur); cur = ''; continue }
    cur += ch
  }
  out.push(cur)
  return out
}

function countLines(buf: Buffer, start: number, end: number): number {
  if (end <= start) return 0
  let n = 0
  let i = buf.indexOf(0x0a, start)
  while (i !== -1 && i < end) { n++; i = buf.indexOf(0x0a, i + 1) }
  if (buf[end - 1] !== 0x0a) n++
  return n
}

export function buildEnvelope(fields: HeaderField[]): Envelope {
  const from = addrs(fields, 'from')
  return {
    date: first(fields, 'date'),
    subject: first(fields, 'subject'),
    from,
    // RFC 3501 §7.4.2: Sender and Reply-To default to From.
    sender: addrs(fields, 'sender') ?? from,
    replyTo: addrs(fields, 'reply-to') ?? from,
    to: addrs(fields, 'to'),
    cc: addrs(fields, 'cc'),
    bcc: addrs(fields, 'bcc'),
    inReplyTo: first(fields, 'in-reply-to'),
    messageId: first(fields, 'message-id'),
  }
}

function addrs(fields: HeaderField[], name: string) {
  const v = first(fields, name)
  if (v === null) return null
  const list = parseAddressList(v)
  return list.length ? list : null
}

/** Parse a whole message: header size, Message-ID, ENVELOPE and the MIME part tree. */
export function parseMessage(buf: Buffer): ParsedMessage {
  const he = headerEnd(buf, 0, buf.length)
  const fields = parseHeaderFields(buf, 0, he)
  const structure = parsePart(buf, 0, buf.length, '', fields, he, 'text/plain', 0)
  let text: SearchText | null = null
  if (buf.length <= 4 * TEXT_CACHE_MAX) {
    const body = messageText(buf, structure, 'body')
    if (body.length <= TEXT_CACHE_MAX) text = { header: decodedHeaderText(buf, 0, he), body }
  }
  return { headerSize: he, messageId: first(fields, 'message-id'), envelope: buildEnvelope(fields), structure, text }
}

const MAX_DEPTH = 50

function parsePart(
  buf: Buffer, start: number, end: number, section: string, fieldsIn: HeaderField[] | null, hEnd: number | null,
  defaultType: string, depth: number,
): MimePart {
  const he = hEnd ?? headerEnd(buf, start, end)
  const fields = fieldsIn ?? parseHeaderFields(buf, start, he)
  const ctRaw = first(fields, 'content-type')
  let type = defaultType.split('/')[0]
  let subtype = defaultType.split('/')[1]
  let params: Record<string, string> = {}
  if (ctRaw) {
    const ct = parseStructuredHeader(ctRaw)
    const m = /^([^\s/]+)\s*\/\s*([^\s;]+)$/.exec(ct.value)
    if (m) { type = m[1].toLowerCase(); subtype = m[2].toLowerCase(); params = ct.params }
    else params = ct.params
  }
  if (type === 'text' && params.charset === undefined) params.charset = 'us-ascii'
  const dispRaw = first(fields, 'content-disposition')
  const disp = dispRaw ? parseStructuredHeader(dispRaw) : null
  const lang = first(fields, 'content-language')
  const part: MimePart = {
    section, type, subtype, params,
    id: first(fields, 'content-id'),
    description: first(fields, 'content-description'),
    encoding: (first(fields, 'content-transfer-encoding') ?? '7BIT').trim(),
    disposition: disp ? disp.value.toLowerCase() : null,
    dispositionParams: disp ? disp.params : null,
    language: lang ? lang.split(',').map((s) => s.trim()).filter(Boolean) : null,
    location: first(fields, 'content-location'),
    md5: first(fields, 'content-md5'),
    headerStart: start,
    headerSize: he - start,
    bodyStart: he,
    bodySize: end - he,
    bodyLines: 0,
  }
  if (type === 'multipart' && params.boundary && depth < MAX_DEPTH) {
    part.parts = splitMultipart(buf, he, end, params.boundary).map((p, i) =>
      parsePart(buf, p.start, p.end, section ? `${section}.${i + 1}` : String(i + 1), null, null,
        subtype === 'digest' ? 'message/rfc822' : 'text/plain', depth + 1))
    if (part.parts.length === 0) {
      // A multipart without parts: BODYSTRUCTURE still needs one (RFC 3501 §7.4.2); treat the body as text.
      part.parts = [parsePart(buf, he, end, section ? `${section}.1` : '1', [], he, 'text/plain', depth + 1)]
    }
  } else if (type === 'message' && (subtype === 'rfc822' || subtype === 'global') && depth < MAX_DEPTH) {
    part.bodyLines = countLines(buf, he, end)
    const ihe = headerEnd(buf, he, end)
    const ifields = parseHeaderFields(buf, he, ihe)
    const inner = parsePart(buf, he, end, section, ifields, ihe, 'text/plain', depth + 1)
    if (!inner.parts) inner.section = section ? `${section}.1` : '1'
    part.message = { envelope: buildEnvelope(ifields), body: inner }
  } else {
    part.bodyLines = countLines(buf, he, end)
  }
  return part
}

/** Body ranges of a multipart's parts (RFC 2046 §5.1.1: the CRLF before a delimiter belongs to it). */
function splitMultipart(buf: Buffer, start: number, end: number, boundary: string): Array<{ start: number; end: number }> {
  const delim = Buffer.from('--' + boundary)
  const out: Array<{ start: number; end: number }> = []
  let partStart = -1
  let pos = start
  while (pos < end) {
    const idx = buf.indexOf(delim, pos)
    if (idx === -1 || idx >= end) break
    const atLineStart = idx === start || buf[idx - 1] === 0x0a
    if (!atLineStart) { pos = idx + 1; continue }
    const after = idx + delim.length
    const isClose = buf[after] === 0x2d && buf[after + 1] === 0x2d
    // The delimiter line must be followed by optional whitespace then a line end.
    let e = isClose ? after + 2 : after
    while (e < end && (buf[e] === 0x20 || buf[e] === 0x09)) e++
    if (e < end && buf[e] !== 0x0d && buf[e] !== 0x0a) { pos = idx + 1; continue }
    if (partStart !== -1) {
      let pe = idx
      if (pe > partStart && buf[pe - 1] === 0x0a) pe--
      if (pe > partStart && buf[pe - 1] === 0x0d) pe--
      out.push({ start: partStart, end: Math.max(pe, partStart) })
    }
    if (isClose) return out
    const nl = buf.indexOf(0x0a, e)
    partStart = nl === -1 || nl >= end ? end : nl + 1
    pos = partStart
  }
  // Missing close delimiter: the last part runs to the end.
  if (partStart !== -1 && partStart < end) out.push({ start: partStart, end })
  return out
}

/** True for a message that is one text part in 7bit/8bit/binary US-ASCII or UTF-8 (raw-byte searchable). */
export function isSimpleText(p: MimePart): boolean {
  return !p.parts && !p.message && p.type === 'text' && /^(7bit|8bit|binary)$/i.test(p.encoding) &&
    /^(us-ascii|utf-8|utf8)$/i.test(p.params.charset ?? 'us-ascii')
}
