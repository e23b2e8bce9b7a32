// Store identities and mailbox names (spec 03 §1; RFC 3501 §5.1.3 modified UTF-7).
import { InvalidMailboxNameError, InvalidUserError } from './types.js'

/** Characters invalid in a store user id (spec 03 §1: store list ∪ MTA `ldap_uid_invalid_chars`, minus `@`). */
const UID_INVALID = new Set([...'%?*&/:\\ $~=#+!,{}()<>;"`[]'])
const UID_RESERVED = new Set(['anonymous', 'anybody', 'anyone'])

/** True when `userid` is a valid store user id (`uid` or `uid@domain`). */
export function isValidUserId(userid: string): boolean {
  if (!userid || Buffer.byteLength(userid) > 127) return false
  if (userid.startsWith('-') || userid.toLowerCase().startsWith('group=')) return false
  const lower = userid.toLowerCase()
  if (UID_RESERVED.has(lower) || lower.startsWith('anyone@')) return false
  const at = userid.indexOf('@')
  if (at === 0 || userid.indexOf('@', at + 1) !== -1 || at === userid.length - 1) return false
  for (const ch of userid) {
    const c = ch.charCodeAt(0)
    if (c < 0x21 || c > 0x7e || UID_INVALID.has(ch)) return false
  }
  return true
}

export function validateUserId(userid: string): string {
  if (!isValidUserId(userid)) throw new InvalidUserError(userid)
  return userid
}

// ---- modified UTF-7 (RFC 3501 §5.1.3) ----

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,'

/** UTF-8 (JS string) → modified UTF-7. */
export function mutf7Encode(s: string): string {
  let out = ''
  let i = 0
  while (i < s.length) {
    const c = s.charCodeAt(i)
    if (c >= 0x20 && c <= 0x7e) {
      out += c === 0x26 ? '&-' : s[i]
      i++
      continue
    }
    let j = i
    while (j < s.length && (s.charCodeAt(j) < 0x20 || s.charCodeAt(j) > 0x7e)) j++
    const units = s.slice(i, j)
    const bytes = Buffer.alloc(units.length * 2)
    for (let k = 0; k < units.length; k++) bytes.writeUInt16BE(units.charCodeAt(k), k * 2)
    out += '&' + bytes.toString('base64').replace(/=+$/, '').replace(/\//g, ',') + '-'
    i = j
  }
  return out
}

/** Modified UTF-7 → UTF-8; returns null when `s` is not valid modified UTF-7. */
export function mutf7Decode(s: string): string | null {
  let out = ''
  let i = 0
  while (i < s.length) {
    const c = s.charCodeAt(i)
    if (c < 0x20 || c > 0x7e) return null
    if (s[i] !== '&') { out += s[i]; i++; continue }
    const end = s.indexOf('-', i + 1)
    if (end === -1) return null
    const run = s.slice(i + 1, end)
    if (run === '') { out += '&'; i = end + 1; continue }
    for (const ch of run) if (!B64.includes(ch)) return null
    const bytes = Buffer.from(run.replace(/,/g, '/'), 'base64')
    if (bytes.length % 2 !== 0 || bytes.length === 0) return null
    let decoded = ''
    for (let k = 0; k < bytes.length; k += 2) decoded += String.fromCharCode(bytes.readUInt16BE(k))
    // RFC 3501: printable US-ASCII must not be encoded.
    for (let k = 0; k < decoded.length; k++) {
      const d = decoded.charCodeAt(k)
      if (d >= 0x20 && d <= 0x7e) return null
    }
    out += decoded
    i = end + 1
  }
  return out
}

/**
 * Normalize a folder name (relative to its owner) to the canonical UTF-8 form, or throw
 * InvalidMailboxNameError. ASCII input with `&…-` runs is read as modified UTF-7; other input as UTF-8.
 * Rules (spec 03 §1): no `%` `*` `?`, no control characters, no empty hierarchy levels, NFC.
 */
export function normalizeFolderName(input: string): string {
  if (typeof input !== 'string' || input.length === 0) throw new InvalidMailboxNameError()
  let name = input
  // eslint-disable-next-line no-control-regex
  if (/^[\x20-\x7e]*$/.test(name) && name.includes('&')) {
    const d = mutf7Decode(name)
    if (d !== null) name = d
  }
  name = name.normalize('NFC')
  if (/[%*?]/.test(name)) throw new InvalidMailboxNameError('Invalid mailbox name: wildcard characters are not allowed')
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name)) throw new InvalidMailboxNameError()
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) throw new InvalidMailboxNameError()
  if (Buffer.byteLength(name) > 1000) throw new InvalidMailboxNameError('Invalid mailbox name: too long')
  // INBOX is the only case-insensitive name (spec 03 §1), also as a hierarchy root.
  const first = name.split('/', 1)[0]
  if (first.toUpperCase() === 'INBOX') name = 'INBOX' + name.slice(5)
  return name
}

/** Full admin name `user/<owner>/<folder>` (spec 03 §1). */
export function fullName(owner: string, folder: string): string {
  return `user/${owner}/${folder}`
}

/**
 * Parse an admin name `user/<userid>/<folder>` (or `user/<userid>` → INBOX). Returns null when it is not one.
 */
export function parseFullName(name: string): { owner: string; folder: string } | null {
  const m = /^user\/([^/]+)(?:\/(.+))?$/.exec(name)
  if (!m) return null
  return { owner: m[1], folder: normalizeFolderName(m[2] ?? 'INBOX') }
}

/**
 * IMAP LIST pattern → RegExp (RFC 3501 §6.3.8): `*` matches anything, `%` anything but the `/`
 * separator. The INBOX prefix is matched case-insensitively.
 */
export function listPatternToRegExp(pattern: string): RegExp {
  let body = ''
  for (const ch of pattern) {
    if (ch === '*') body += '.*'
    else if (ch === '%') body += '[^/]*'
    else body += ch.replace(/[.+^${}()|[\]\\?]/g, '\\$&')
  }
  return new RegExp(`^${body}$`, 'su')
}

/** True when `folder` matches a LIST pattern (INBOX case-insensitively). */
export function matchesListPattern(re: RegExp, folder: string, pattern: string): boolean {
  if (re.test(folder)) return true
  if (folder === 'INBOX' || folder.startsWith('INBOX/')) {
    const p = pattern.slice(0, 5).toUpperCase() === 'INBOX' ? 'INBOX' + pattern.slice(5) : pattern
    return p !== pattern && listPatternToRegExp(p).test(folder)
  }
  return false
}

/** Parent folder names of `folder` (`a/b/c` → [`a`, `a/b`]). */
export function parentsOf(folder: string): string[] {
  const parts = folder.split('/')
  const out: string[] = []
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'))
  return out
}
