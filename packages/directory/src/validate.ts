// Input validation for provisioning (spec 03 §1 valid user ids; RFC 5321 §4.1.2 address syntax;
// RFC 1035 §2.3.1 domain names).
import { DirectoryError } from './types.js'

/**
 * Invalid user id characters: the store's list (`% ? * & / : \`) united with the MTA's
 * `ldap_uid_invalid_chars=32,33,34,35,36,37,38,40,41,42,43,44,47,58,59,60,61,62,63,64,91,92,93,96,123,125,126`
 * (spec 03 §1: "The effective rule is the union of both lists").
 */
const MTA_INVALID = [32, 33, 34, 35, 36, 37, 38, 40, 41, 42, 43, 44, 47, 58, 59, 60, 61, 62, 63, 64, 91, 92, 93, 96, 123, 125, 126]
const STORE_INVALID = [...'%?*&/:\\'].map((c) => c.charCodeAt(0))
const UID_INVALID = new Set([...MTA_INVALID, ...STORE_INVALID])
const RESERVED = new Set(['anonymous', 'anybody', 'anyone'])

/** Reason a uid is invalid, or undefined when it is valid. */
export function uidProblem(uid: string): string | undefined {
  if (uid === '') return 'uid is empty'
  if (Buffer.byteLength(uid) > 127) return 'uid is longer than 127 bytes'
  if (uid.startsWith('-')) return 'uid must not begin with "-"'
  if (uid.toLowerCase().startsWith('group=')) return 'uid must not begin with "group="'
  if (RESERVED.has(uid.toLowerCase())) return `uid "${uid}" is reserved`
  for (const ch of uid) {
    const c = ch.codePointAt(0)!
    if (c < 0x20 || c > 0x7e) return 'uid contains a character outside printable ASCII'
    if (UID_INVALID.has(c)) return `uid contains the invalid character "${ch}"`
  }
  return undefined
}

export function validateUid(uid: string): string {
  const p = uidProblem(uid)
  if (p) throw new DirectoryError('invalid-uid', `invalid uid "${uid}": ${p}`, 'uid')
  return uid
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i

/** RFC 1035 §2.3.1 host/domain name (letters, digits, hyphens; dot-separated labels). */
export function isValidDomain(name: string): boolean {
  if (!name || name.length > 253) return false
  const labels = name.replace(/\.$/, '').split('.')
  return labels.length >= 1 && labels.every((l) => LABEL.test(l))
}

export function validateDomainName(name: string): string {
  const d = name.trim().toLowerCase().replace(/\.$/, '')
  if (!isValidDomain(d)) throw new DirectoryError('invalid-domain', `invalid domain name "${name}"`, 'domain')
  return d
}

// RFC 5321 §4.1.2 Dot-string local part (atext per RFC 5322 §3.2.3); quoted local parts are not provisioned.
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
const LOCAL = new RegExp(`^${ATEXT}(\\.${ATEXT})*$`)

/** Splits an address into local part and lower-case domain; undefined when it is not an RFC 5321 mailbox. */
export function splitAddress(address: string): { local: string; domain: string } | undefined {
  const a = address.trim()
  const at = a.lastIndexOf('@')
  if (at <= 0 || at === a.length - 1) return undefined
  const local = a.slice(0, at)
  const domain = a.slice(at + 1).toLowerCase()
  if (local.length > 64 || !LOCAL.test(local) || !isValidDomain(domain)) return undefined
  return { local, domain }
}

/** Validates a mailbox address; `@domain` is accepted where `allowCatchall` (a domain catch-all). */
export function validateAddress(address: string, field = 'mail', allowCatchall = false): string {
  const a = address.trim()
  if (allowCatchall && a.startsWith('@') && isValidDomain(a.slice(1))) return a.toLowerCase()
  const parts = splitAddress(a)
  if (!parts) throw new DirectoryError('invalid-address', `invalid address "${address}" in ${field}`, field)
  return `${parts.local}@${parts.domain}`
}

/** Lower-case lookup key of an address. */
export function addressKey(address: string): string {
  return address.trim().toLowerCase()
}

/** `YYYYMMDDHHMMSSZ` (GeneralizedTime, GMT) as vacationStartDate/vacationEndDate use (spec 01 §16). */
export function validateGeneralizedTime(value: string, field: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(value.trim())
  const ok = m && +m[2]! >= 1 && +m[2]! <= 12 && +m[3]! >= 1 && +m[3]! <= 31 && +m[4]! < 24 && +m[5]! < 60 && +m[6]! < 61
  if (!ok) throw new DirectoryError('invalid-value', `invalid ${field} "${value}": expected YYYYMMDDHHMMSSZ`, field)
  return value.trim()
}
