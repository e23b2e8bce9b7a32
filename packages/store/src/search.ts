// Text of a message for the brute-force substring SEARCH (spec 03 §25: `BODY world`, `wor`, `"lo Wor"`
// all match "Hello World!"): leaf parts are decoded (base64 / quoted-printable, then charset), header
// words decoded for TEXT. Non-text leaves (images…) are skipped.
import libmime from 'libmime'
import type { MimePart } from './types.js'

export function decodeQuotedPrintable(s: Buffer): Buffer {
  const out = Buffer.allocUnsafe(s.length)
  let o = 0
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (c !== 0x3d) { out[o++] = c; continue }
    // Soft line break "=\r\n" / "=\n".
    if (s[i + 1] === 0x0d && s[i + 2] === 0x0a) { i += 2; continue }
    if (s[i + 1] === 0x0a) { i += 1; continue }
    const h = s.toString('latin1', i + 1, i + 3)
    if (/^[0-9A-Fa-f]{2}$/.test(h)) { out[o++] = parseInt(h, 16); i += 2 } else out[o++] = c
  }
  return out.subarray(0, o)
}

function decodeCharset(b: Buffer, charset: string | undefined): string {
  const cs = (charset ?? 'utf-8').toLowerCase()
  if (cs === 'utf-8' || cs === 'utf8' || cs === 'us-ascii' || cs === 'ascii') return b.toString('utf8')
  try { return new TextDecoder(cs).decode(b) } catch { return b.toString('utf8') }
}

function leafText(buf: Buffer, p: MimePart): string {
  let body = buf.subarray(p.bodyStart, p.bodyStart + p.bodySize)
  const enc = p.encoding.toLowerCase()
  if (enc === 'base64') body = Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64')
  else if (enc === 'quoted-printable') body = decodeQuotedPrintable(body)
  return decodeCharset(body, p.params.charset)
}

function walk(buf: Buffer, p: MimePart, out: string[], headers: boolean): void {
  if (p.parts) { for (const c of p.parts) walk(buf, c, out, headers); return }
  if (p.message) {
    if (headers) out.push(decodeHeaderBlock(buf, p.message.body.headerStart, p.message.body.headerStart + p.message.body.headerSize))
    walk(buf, p.message.body, out, headers)
    return
  }
  if (p.type === 'text' || p.type === 'message') out.push(leafText(buf, p))
}

export function decodedHeaderText(buf: Buffer, start: number, end: number): string {
  return decodeHeaderBlock(buf, start, end)
}

function decodeHeaderBlock(buf: Buffer, start: number, end: number): string {
  const raw = buf.toString('utf8', start, end).replace(/\r?\n[ \t]+/g, ' ')
  try { return libmime.decodeWords(raw) } catch { return raw }
}

/** The searchable text: 'body' = decoded bodies; 'text' = decoded header block + bodies (RFC 3501 §6.4.4). */
export function messageText(buf: Buffer, structure: MimePart, where: 'body' | 'text'): string {
  const out: string[] = []
  if (where === 'text') out.push(decodeHeaderBlock(buf, 0, structure.bodyStart))
  walk(buf, structure, out, where === 'text')
  return out.join('\n')
}
