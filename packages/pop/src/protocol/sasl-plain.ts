// SASL PLAIN (RFC 4616 §2): message = [authzid] NUL authcid NUL passwd, base64 in POP3 AUTH (RFC 5034).

export interface PlainCredentials {
  authzid: string
  authcid: string
  password: string
}

/** Decodes a base64 PLAIN response; undefined when malformed. `=` is an empty response (RFC 5034 §4). */
export function decodePlain(b64: string): PlainCredentials | undefined {
  const s = b64.trim()
  if (s === '=' || s.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(s) || s.length % 4 !== 0) return undefined
  const raw = Buffer.from(s, 'base64').toString('utf8')
  const parts = raw.split('\0')
  if (parts.length !== 3) return undefined
  const [authzid, authcid, password] = parts as [string, string, string]
  if (!authcid || !password) return undefined
  return { authzid, authcid, password }
}

export function encodePlain(authcid: string, password: string, authzid = ''): string {
  return Buffer.from(`${authzid}\0${authcid}\0${password}`, 'utf8').toString('base64')
}
