/**
 * BODY[section] addressing over the store's MIME tree (RFC 3501 §6.4.5) and the helpers the FETCH
 * and SEARCH code needs: header field filtering, transfer decoding (RFC 3516 BINARY), RFC 2047 words.
 */
import type { MimePart } from '@wren/store'
import type { Section } from './fetch.js'

/** Byte range [start, end) in the message file. */
export interface Range { start: number; end: number }

/** Finds the part a numeric path designates; null when it does not exist. */
export function findPart(top: MimePart, path: number[]): MimePart | null {
  let cur = top
  for (const n of path) {
    // Into an encapsulated message: its numbering is the inner message's (RFC 3501 §6.4.5).
    if (cur.message && !cur.parts) cur = cur.message.body
    if (cur.parts && cur.parts.length) {
      const next = cur.parts[n - 1]
      if (!next) return null
      cur = next
    } else {
      if (n !== 1) return null
      // A non-multipart message: part 1 is its body (the part itself).
    }
  }
  return cur
}

/** The byte range for a section, or null when the part does not exist. */
export function sectionRange(top: MimePart, section: Section): Range | null {
  const part = section.part.length ? findPart(top, section.part) : top
  if (!part) return null
  const whole = section.part.length === 0
  switch (section.text) {
    case undefined:
      if (whole) return { start: top.headerStart, end: top.bodyStart + top.bodySize }
      return { start: part.bodyStart, end: part.bodyStart + part.bodySize }
    case 'MIME':
      return { start: part.headerStart, end: part.headerStart + part.headerSize }
    case 'HEADER': case 'HEADER.FIELDS': case 'HEADER.FIELDS.NOT': {
      const msg = whole ? top : part.message?.body
      if (!msg) return null
      return { start: msg.headerStart, end: msg.headerStart + msg.headerSize }
    }
    case 'TEXT': {
      const msg = whole ? top : part.message?.body
      if (!msg) return null
      return { start: msg.bodyStart, end: msg.bodyStart + msg.bodySize }
    }
  }
}

/** Splits a header block into fields (name, raw text including continuation lines and CRLF). */
export function headerFields(block: Buffer): Array<{ name: string; raw: Buffer }> {
  const out: Array<{ name: string; raw: Buffer }> = []
  let i = 0
  while (i < block.length) {
    let j = block.indexOf(0x0a, i)
    if (j < 0) j = block.length - 1
    // continuation lines start with SP / HTAB
    while (j + 1 < block.length && (block[j + 1] === 0x20 || block[j + 1] === 0x09)) {
      const k = block.indexOf(0x0a, j + 1)
      j = k < 0 ? block.length - 1 : k
    }
    const raw = block.subarray(i, j + 1)
    const colon = raw.indexOf(0x3a)
    const lineText = raw.toString('latin1')
    if (lineText === '\r\n' || lineText === '\n') break
    if (colon > 0) out.push({ name: raw.subarray(0, colon).toString('latin1').trim(), raw })
    i = j + 1
  }
  return out
}

/** HEADER.FIELDS / HEADER.FIELDS.NOT: the selected fields followed by the blank line. */
export function filterHeader(block: Buffer, fields: string[], not: boolean): Buffer {
  const want = new Set(fields.map((f) => f.toLowerCase()))
  const parts = headerFields(block).filter((f) => want.has(f.name.toLowerCase()) !== not).map((f) => f.raw)
  parts.push(Buffer.from('\r\n'))
  return Buffer.concat(parts)
}

/** Value of the first header field `name` (unfolded), or null. */
export function headerValue(block: Buffer, name: string): string | null {
  const n = name.toLowerCase()
  for (const f of headerFields(block)) {
    if (f.name.toLowerCase() === n) {
      const s = f.raw.toString('utf8')
      return s.slice(s.indexOf(':') + 1).replace(/\r?\n[ \t]/g, ' ').trim()
    }
  }
  return null
}

/** All values of a header field, unfolded. */
export function headerValues(block: Buffer, name: string): string[] {
  const n = name.toLowerCase()
  return headerFields(block).filter((f) => f.name.toLowerCase() === n).map((f) => {
    const s = f.raw.toString('utf8')
    return s.slice(s.indexOf(':') + 1).replace(/\r?\n[ \t]/g, ' ').trim()
  })
}

export class UnknownCteError extends Error {}

/** Decodes a body by Content-Transfer-Encoding (RFC 2045 §6; RFC 3516 BINARY). */
export function decodeTransfer(body: Buffer, encoding: string): Buffer {
  const e = encoding.toLowerCase()
  if (e === '7bit' || e === '8bit' || e === 'binary' || e === '') return body
  if (e === 'base64') return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64')
  if (e === 'quoted-printable') return decodeQp(body)
  throw new UnknownCteError(`Unknown Content-Transfer-Encoding ${encoding}`)
}

export function decodeQp(body: Buffer): Buffer {
  const out = Buffer.alloc(body.length)
  let o = 0
  for (let i = 0; i < body.length; i++) {
    const c = body[i]
    if (c !== 0x3d) { out[o++] = c; continue }
    // soft line break
    if (body[i + 1] === 0x0d && body[i + 2] === 0x0a) { i += 2; continue }
    if (body[i + 1] === 0x0a) { i += 1; continue }
    const hex = body.subarray(i + 1, i + 3).toString('latin1')
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) { out[o++] = parseInt(hex, 16); i += 2; continue }
    out[o++] = c
  }
  return out.subarray(0, o)
}

/** Decodes RFC 2047 encoded-words (`=?utf-8?B?...?=`); unknown charsets are left as is. */
export function decodeWords(s: string): string {
  return s
    .replace(/(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g, (whole, cs: string, enc: string, text: string) => {
      try {
        const charset = cs.split('*')[0]
        const bytes = enc.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64')
          : decodeQp(Buffer.from(text.replace(/_/g, ' '), 'latin1'))
        return new TextDecoder(charset).decode(bytes)
      } catch {
        return whole
      }
    })
}
