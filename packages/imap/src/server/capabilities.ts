/**
 * CAPABILITY vector (RFC 3501 §7.2.1), filtered by `imap.capability_*` (spec 01 §21): each switch
 * only controls advertising, except CONDSTORE whose switch also enables the feature.
 */
import type { ConfigView } from '@wren/kernel'
import { optBool } from './options.js'

/** Capabilities in the product's order (spec 01 §20 banner), then the newer extensions. */
const ALL = [
  'IMAP4', 'IMAP4rev1', 'ACL', 'QUOTA', 'LITERAL+', 'NAMESPACE', 'UIDPLUS', 'CHILDREN', 'BINARY', 'UNSELECT',
  'SORT', 'ESEARCH', 'ENABLE', 'SASL-IR', 'SEARCHRES', 'ID', 'IDLE', 'MOVE', 'SPECIAL-USE', 'CREATE-SPECIAL-USE',
  'LIST-EXTENDED', 'LIST-STATUS', 'CONDSTORE', 'QRESYNC', 'STATUS=SIZE', 'RIGHTS=kxten', 'MULTIAPPEND',
]

/** `imap.capability_<name>`: lower-case, non-alphanumerics dropped (`LITERAL+` → `capability_literalplus`). */
export function capabilityOption(cap: string): string {
  return 'imap.capability_' + cap.toLowerCase().replace(/\+/g, 'plus').replace(/[^a-z0-9]/g, '')
}

export interface CapabilityState {
  tls: boolean
  starttlsAvailable: boolean
  authenticated: boolean
  plaintextAllowed: boolean
}

/** Features actually enabled (not just advertised). */
export function condstoreEnabled(config: ConfigView): boolean {
  return optBool(config, 'imap.capability_condstore')
}

export function idleEnabled(config: ConfigView): boolean {
  // spec 01 §20: IDLE works only through ENS; `ens.enable 0` disables it.
  return optBool(config, 'ens.enable')
}

export function capabilities(config: ConfigView, s: CapabilityState): string[] {
  const out: string[] = []
  for (const cap of ALL) {
    if (cap === 'IMAP4rev1') { out.push(cap); continue }
    const v = config.find(capabilityOption(cap))
    const on = v === undefined ? cap !== 'IMAP4' && (cap !== 'CONDSTORE' && cap !== 'QRESYNC' || condstoreEnabled(config)) : optBool(config, capabilityOption(cap))
    if (!on) continue
    if ((cap === 'CONDSTORE' || cap === 'QRESYNC') && !condstoreEnabled(config)) continue
    if (cap === 'IDLE' && !idleEnabled(config)) continue
    out.push(cap)
  }
  if (!s.tls && s.starttlsAvailable && !s.authenticated && optOn(config, 'imap.capability_starttls')) out.push('STARTTLS')
  if (!s.authenticated) {
    if (s.plaintextAllowed) out.push('AUTH=PLAIN')
    else out.push('LOGINDISABLED')
  }
  return out
}

function optOn(config: ConfigView, name: string): boolean {
  return config.find(name) === undefined ? true : optBool(config, name)
}
