// Probe strings the MTA builds for the access mapping tables (spec 01 §12 "Probe layouts";
// Admin Guide ch. 10 greylisting examples for the *_MAIL_ACCESS field order).
//
//   PORT_ACCESS       TCP|local-ip|local-port|remote-ip|remote-port            ($3 = remote IP)
//   FROM_ACCESS       TCP|l-ip|l-port|r-ip|r-port|app|submit-type|src-chan|sender|auth-sender
//   ORIG_SEND_ACCESS  src-chan|sender|dst-chan|original-recipient
//   SEND_ACCESS       src-chan|sender|dst-chan|recipient (after alias expansion)
//   ORIG_MAIL_ACCESS  TCP|l-ip|l-port|r-ip|r-port|app|MAIL|src-chan|sender|dst-chan|original-recipient[|spares…]
//   MAIL_ACCESS       the same with the expanded recipient
// `dst-chan` is `l` for local recipients (spec 01 §12). Input flags: A (dispatcher), S (SASL), T (TLS).
import { ipToBigInt } from './pattern.js'

export interface PortInfo {
  localIp: string
  localPort: number | string
  remoteIp: string
  remotePort: number | string
  /** Transport name; `TCP` for every listener Wren has. */
  transport?: string
}

/** `::ffff:1.2.3.4` → `1.2.3.4`; `[::1]` → `::1`; anything else unchanged. */
export function normalizeIp(ip: string): string {
  let s = (ip ?? '').trim()
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1)
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s)
  if (m) return m[1]!
  return ipToBigInt(s) ? s.toLowerCase() : s
}

function portPart(p: PortInfo): string {
  return [p.transport ?? 'TCP', normalizeIp(p.localIp), String(p.localPort), normalizeIp(p.remoteIp), String(p.remotePort)].join('|')
}

export function portAccessProbe(p: PortInfo): string {
  return portPart(p)
}

export interface FromAccessInfo extends Partial<PortInfo> {
  /** Application: `SMTP` (ESMTP included) or `LMTP`. */
  application?: string
  /** SMTP command that carried the sender: MAIL (default), SEND, SAML, SOML. */
  submitType?: string
  sourceChannel: string
  sender: string
  /** SASL-authenticated identity, empty when none. */
  authSender?: string
}

function portPartOrBlank(p: Partial<PortInfo>): string {
  // "It will be blank if … used in a disconnected context" (BURL_ACCESS text, ch. 15): five empty fields.
  if (p.localIp === undefined || p.remoteIp === undefined) return '||||'
  return portPart(p as PortInfo)
}

export function fromAccessProbe(f: FromAccessInfo): string {
  return [portPartOrBlank(f), f.application ?? 'SMTP', f.submitType ?? 'MAIL', f.sourceChannel, f.sender, f.authSender ?? ''].join('|')
}

export interface SendAccessInfo {
  sourceChannel: string
  sender: string
  destinationChannel: string
  recipient: string
}

/** ORIG_SEND_ACCESS and SEND_ACCESS share this layout. */
export function sendAccessProbe(s: SendAccessInfo): string {
  return [s.sourceChannel, s.sender, s.destinationChannel, s.recipient].join('|')
}

export interface MailAccessInfo extends SendAccessInfo, Partial<PortInfo> {
  application?: string
  submitType?: string
  /** LDAP spare values appended by INCLUDE_SPARES (spec 01 §12), in order. */
  spares?: string[]
}

/** ORIG_MAIL_ACCESS and MAIL_ACCESS share this layout. */
export function mailAccessProbe(m: MailAccessInfo): string {
  return [
    portPartOrBlank(m), m.application ?? 'SMTP', m.submitType ?? 'MAIL',
    m.sourceChannel, m.sender, m.destinationChannel, m.recipient, ...(m.spares ?? []),
  ].join('|')
}
