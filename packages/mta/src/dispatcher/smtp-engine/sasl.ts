// SASL mechanisms for AUTH (RFC 4954): PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login).
// Exchanges are base64 lines; a line `*` cancels (RFC 4954 §4: reply 501).

export interface Credentials { username: string; password: string }

/** Strict base64 (RFC 4648 §4) as a client sends it; Buffer.from would silently skip junk. */
const B64 = /^[A-Za-z0-9+/]*={0,2}$/

export function decodeBase64(s: string): Buffer | undefined {
  const t = s.trim()
  if (t.length % 4 !== 0 || !B64.test(t)) return undefined
  return Buffer.from(t, 'base64')
}

/**
 * RFC 4616 §2: message = [authzid] NUL authcid NUL passwd. An authorization identity other than
 * the authentication identity is refused (no proxy authorization).
 */
export function decodePlain(s: string): Credentials | 'bad' | 'authz' {
  const b = decodeBase64(s)
  if (!b) return 'bad'
  const p = b.toString('utf8').split('\x00')
  if (p.length !== 3 || !p[1]) return 'bad'
  if (p[0] && p[0] !== p[1]) return 'authz'
  return { username: p[1], password: p[2] }
}

export const LOGIN_USERNAME = 'VXNlcm5hbWU6' // "Username:"
export const LOGIN_PASSWORD = 'UGFzc3dvcmQ6' // "Password:"
