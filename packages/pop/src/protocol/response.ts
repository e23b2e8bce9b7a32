// POP3 responses (RFC 1939 §3) with RFC 2449 §8 / RFC 3206 extended response codes.

/** Extended response codes: RFC 2449 §8.1 (IN-USE, LOGIN-DELAY), RFC 3206 (SYS/TEMP, SYS/PERM, AUTH). */
export type RespCode = 'IN-USE' | 'LOGIN-DELAY' | 'SYS/TEMP' | 'SYS/PERM' | 'AUTH'

export function ok(text = ''): string {
  return text ? `+OK ${text}\r\n` : '+OK\r\n'
}

/** `-ERR [CODE] text`. Codes are sent only to clients that may see them (always allowed after CAPA shows RESP-CODES). */
export function err(text: string, code?: RespCode): string {
  return code ? `-ERR [${code}] ${text}\r\n` : `-ERR ${text}\r\n`
}

/** RFC 4954-style SASL continuation used by RFC 5034 §4: `+ <base64>` (empty challenge is `+ `). */
export function continuation(base64 = ''): string {
  return `+ ${base64}\r\n`
}

/** A complete multi-line response from text lines (RFC 1939 §3: byte-stuffed, ends with `.`). */
export function multiline(first: string, lines: string[]): string {
  let out = ok(first)
  for (const l of lines) out += (l.startsWith('.') ? '.' : '') + l + '\r\n'
  return out + '.\r\n'
}
