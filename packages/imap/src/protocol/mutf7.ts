/** Modified UTF-7 for mailbox names (RFC 3501 §5.1.3). */

function b64enc(units: number[]): string {
  const bytes = Buffer.alloc(units.length * 2)
  units.forEach((u, i) => bytes.writeUInt16BE(u, i * 2))
  return bytes.toString('base64').replace(/=+$/, '').replace(/\//g, ',')
}

/** UTF-8 (JS string) → modified UTF-7. */
export function encodeMutf7(s: string): string {
  let out = ''
  let pending: number[] = []
  const flush = () => {
    if (pending.length) { out += '&' + b64enc(pending) + '-'; pending = [] }
  }
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x20 && c <= 0x7e) {
      flush()
      out += c === 0x26 ? '&-' : s[i]
    } else pending.push(c)
  }
  flush()
  return out
}

/** Modified UTF-7 → UTF-8; throws on malformed input (RFC 3501 §5.1.3 rules). */
export function decodeMutf7(s: string): string {
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    const code = s.charCodeAt(i)
    if (code < 0x20 || code > 0x7e) throw new Error('8-bit or control character in mailbox name')
    if (c !== '&') { out += c; continue }
    const end = s.indexOf('-', i + 1)
    if (end < 0) throw new Error('Unterminated modified UTF-7 sequence')
    const b64 = s.slice(i + 1, end)
    i = end
    if (b64 === '') { out += '&'; continue }
    if (!/^[A-Za-z0-9+,]+$/.test(b64)) throw new Error('Invalid modified UTF-7 sequence')
    const bytes = Buffer.from(b64.replace(/,/g, '/'), 'base64')
    if (bytes.length % 2 !== 0 || bytes.length === 0) throw new Error('Invalid modified UTF-7 sequence')
    let chunk = ''
    for (let j = 0; j < bytes.length; j += 2) chunk += String.fromCharCode(bytes.readUInt16BE(j))
    // Printable ASCII must not be encoded (RFC 3501 §5.1.3)
    if (/[\x20-\x7e]/.test(chunk)) throw new Error('Modified UTF-7 encodes printable ASCII')
    out += chunk
  }
  return out
}

/** A name the client sent: modified UTF-7 unless it already contains non-ASCII (UTF-8 accepted). */
export function mailboxFromWire(name: string): string {
  if (/[^\x00-\x7f]/.test(name)) return name.normalize('NFC')
  return decodeMutf7(name)
}
