// CAPA response (RFC 2449 §5–6; STLS from RFC 2595 §4; SASL from RFC 5034 §3).

export interface CapaState {
  /** Connection is already under TLS. */
  tls: boolean
  /** A certificate is available, so STLS can be offered. */
  tlsAvailable: boolean
  /** Plaintext USER/PASS and AUTH PLAIN are allowed on this connection now. */
  plaintextAllowed: boolean
  /** In the TRANSACTION state (RFC 2449 §6: capabilities may differ by state). */
  authenticated: boolean
  /** Idle timeout in minutes, announced as the EXPIRE-less IMPLEMENTATION hint only. */
  implementation?: string
}

export function capabilities(s: CapaState): string[] {
  const caps = ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING']
  if (!s.authenticated) {
    if (s.plaintextAllowed) caps.push('USER', 'SASL PLAIN')
    if (!s.tls && s.tlsAvailable) caps.push('STLS')
  }
  if (s.implementation) caps.push(`IMPLEMENTATION ${s.implementation}`)
  return caps
}
