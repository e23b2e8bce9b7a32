// ACL evaluation (RFC 4314 §2, product rights spec 03 §9): l r s w i p k x t e a n.
// Identifiers: uid, uid@domain, anyone, anyone@domain, group=<addr>; `-id` entries are negative rights.
import { ACL_RIGHTS } from './types.js'

/** Canonical rights string: known letters in product order; legacy RFC 2086 `c` → `k x`, `d` → `x t e`. */
export function canonicalRights(rights: string): string {
  const set = new Set<string>()
  for (const ch of rights) {
    if (ch === 'c') { set.add('k'); set.add('x') }
    else if (ch === 'd') { set.add('x'); set.add('t'); set.add('e') }
    else if (ACL_RIGHTS.includes(ch)) set.add(ch)
  }
  return [...ACL_RIGHTS].filter((c) => set.has(c)).join('')
}

/** True when every character is a right letter (or legacy c/d). */
export function isValidRights(rights: string): boolean {
  return /^[lrswipkxteancd0-9]*$/.test(rights)
}

export interface Principal {
  userid: string
  /** aclGroupAddr values of the user. */
  groups?: string[]
}

export function domainOf(userid: string): string | null {
  const at = userid.indexOf('@')
  return at === -1 ? null : userid.slice(at + 1).toLowerCase()
}

/** Identifiers naming `p` (used for the ACL index lookup of shared mailboxes). */
export function identifiersFor(p: Principal): string[] {
  const ids = [p.userid, 'anyone']
  const d = domainOf(p.userid)
  if (d) ids.push('anyone@' + d)
  for (const g of p.groups ?? []) ids.push('group=' + g)
  return ids
}

function matches(identifier: string, p: Principal): boolean {
  const id = identifier.toLowerCase()
  if (id === p.userid.toLowerCase() || id === 'anyone') return true
  const d = domainOf(p.userid)
  if (id.startsWith('anyone@')) return d !== null && id.slice(7) === d
  if (id.startsWith('group=')) return (p.groups ?? []).some((g) => g.toLowerCase() === id.slice(6))
  return false
}

/** Effective rights of `p` from the entries (RFC 4314 §2: union of positives minus union of negatives). */
export function evaluateRights(entries: Array<{ identifier: string; rights: string }>, p: Principal): string {
  const pos = new Set<string>()
  const neg = new Set<string>()
  for (const e of entries) {
    const negative = e.identifier.startsWith('-')
    const id = negative ? e.identifier.slice(1) : e.identifier
    if (!matches(id, p)) continue
    for (const ch of canonicalRights(e.rights)) (negative ? neg : pos).add(ch)
  }
  return [...ACL_RIGHTS].filter((c) => pos.has(c) && !neg.has(c)).join('')
}

/** Apply an RFC 4314 SETACL rights argument (`+r`, `-w`, `lr`) to the current rights. */
export function applyRightsChange(current: string, change: string): string {
  if (change.startsWith('+')) return canonicalRights(current + change.slice(1))
  if (change.startsWith('-')) {
    const drop = new Set(canonicalRights(change.slice(1)))
    return [...canonicalRights(current)].filter((c) => !drop.has(c)).join('')
  }
  return canonicalRights(change)
}
