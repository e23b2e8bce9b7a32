// Host name and default mail domain (spec 04 B.4 prompts 4–5): the host's FQDN and its domain.
// A host without a dotted name (containers, laptops) gets `<host>.wren.test` in `wren.test`.
import { execFileSync } from 'node:child_process'
import { hostname as osHostname } from 'node:os'

export const FALLBACK_DOMAIN = 'wren.test'

export function hostFqdn(): string {
  try {
    const out = execFileSync('hostname', ['-f'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim()
    if (out) return out.toLowerCase()
  } catch {
    // no `hostname` tool: fall back to the kernel's name
  }
  return osHostname().toLowerCase()
}

export interface Identity {
  /** Fully-qualified host name (base.hostname). */
  hostname: string
  /** Default mail domain (base.defaultdomain). */
  domain: string
}

export function chooseIdentity(fqdn = hostFqdn()): Identity {
  const name = fqdn.replace(/\.$/, '')
  const dot = name.indexOf('.')
  if (dot > 0 && dot < name.length - 1 && !/^localhost(\.|$)/.test(name)) return { hostname: name, domain: name.slice(dot + 1) }
  const short = (name.split('.')[0] || 'mail').replace(/[^a-z0-9-]/g, '') || 'mail'
  return { hostname: `${short === 'localhost' ? 'mail' : short}.${FALLBACK_DOMAIN}`, domain: FALLBACK_DOMAIN }
}
