// Distinguished names of the Schema 2 layout (spec 04 B.6): an organisation node per domain under the
// user/group suffix, users under `ou=People`, groups under `ou=Groups`:
//   o=example.com,o=usergroup / uid=joe,ou=People,o=example.com,o=usergroup / cn=staff,ou=Groups,o=…
// RFC 4514 §2.4 escaping for attribute values.

export function escapeDnValue(value: string): string {
  let out = value.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
  if (out.startsWith(' ') || out.startsWith('#')) out = `\\${out}`
  if (out.endsWith(' ') && out.length > 1) out = `${out.slice(0, -1)}\\ `
  return out
}

/** Splits a DN into [attr, value] RDN pairs (single-valued RDNs), unescaping values; undefined if malformed. */
export function parseDn(dn: string): Array<[string, string]> | undefined {
  const rdns: Array<[string, string]> = []
  let i = 0
  const s = dn.trim()
  if (s === '') return []
  while (i < s.length) {
    const eq = s.indexOf('=', i)
    if (eq === -1) return undefined
    const attr = s.slice(i, eq).trim()
    if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(attr)) return undefined
    let value = ''
    let j = eq + 1
    while (j < s.length && s[j] === ' ') j++
    for (; j < s.length; j++) {
      const c = s[j]!
      if (c === '\\') {
        const hex = /^[0-9a-fA-F]{2}/.exec(s.slice(j + 1, j + 3))
        if (hex) { value += String.fromCharCode(parseInt(hex[0], 16)); j += 2 } else { value += s[j + 1] ?? ''; j++ }
      } else if (c === ',' || c === '+') break
      else value += c
    }
    rdns.push([attr.toLowerCase(), value.replace(/\s+$/, '')])
    i = j + 1
  }
  return rdns
}

/** Normalised form for comparisons: lower-case attribute names and values, no spaces around separators. */
export function normalizeDn(dn: string): string {
  const rdns = parseDn(dn)
  if (!rdns) return dn.trim().toLowerCase()
  return rdns.map(([a, v]) => `${a}=${escapeDnValue(v.toLowerCase())}`).join(',')
}

export class Schema2Layout {
  constructor(readonly suffix: string) {}
  domainDn(domain: string): string {
    return `o=${escapeDnValue(domain)},${this.suffix}`
  }
  peopleDn(domain: string): string {
    return `ou=People,${this.domainDn(domain)}`
  }
  groupsDn(domain: string): string {
    return `ou=Groups,${this.domainDn(domain)}`
  }
  userDn(domain: string, uid: string): string {
    return `uid=${escapeDnValue(uid)},${this.peopleDn(domain)}`
  }
  groupDn(domain: string, cn: string): string {
    return `cn=${escapeDnValue(cn)},${this.groupsDn(domain)}`
  }
  /** Recognises a DN of this layout (the embedded provider's only DNs). */
  classify(dn: string): { kind: 'user' | 'group' | 'domain'; domain: string; name: string } | undefined {
    const rdns = parseDn(dn)
    const suffix = parseDn(this.suffix)
    if (!rdns || !suffix) return undefined
    const tail = rdns.slice(rdns.length - suffix.length)
    if (normalizeDn(tail.map(([a, v]) => `${a}=${escapeDnValue(v)}`).join(',')) !== normalizeDn(this.suffix)) return undefined
    const head = rdns.slice(0, rdns.length - suffix.length)
    if (head.length === 1 && head[0]![0] === 'o') return { kind: 'domain', domain: head[0]![1].toLowerCase(), name: head[0]![1].toLowerCase() }
    if (head.length === 3 && head[2]![0] === 'o' && head[1]![0] === 'ou') {
      const domain = head[2]![1].toLowerCase()
      const ou = head[1]![1].toLowerCase()
      if (ou === 'people' && head[0]![0] === 'uid') return { kind: 'user', domain, name: head[0]![1] }
      if (ou === 'groups' && head[0]![0] === 'cn') return { kind: 'group', domain, name: head[0]![1] }
    }
    return undefined
  }
}
