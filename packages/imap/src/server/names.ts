/**
 * Mailbox naming between the wire and the store. Personal namespace "" with "/" as separator;
 * other users' folders under "Shared Folders/User/<owner>/", public folders under
 * "Shared Folders/Public/" (spec 03 §9: clients see "Shared Folders/User" and "Shared Folders/Public").
 */
import type { MailboxListEntry, MailboxName } from '@wren/store'
import { encodeMutf7, mailboxFromWire } from '../protocol/mutf7.js'

export const SHARED_ROOT = 'Shared Folders'
export const OTHER_PREFIX = 'Shared Folders/User/'
export const PUBLIC_PREFIX = 'Shared Folders/Public/'

export class BadMailboxName extends Error {}

/** Wire name (modified UTF-7 or UTF-8) → store name. */
export function toStoreName(wire: string, publicUser: string): MailboxName {
  let name: string
  try {
    name = mailboxFromWire(wire)
  } catch (e) {
    throw new BadMailboxName(`Invalid mailbox name: ${(e as Error).message}`)
  }
  if (/[%*?]/.test(name) || /[\x00-\x1f\x7f]/.test(name)) throw new BadMailboxName('Invalid mailbox name: % * ? and control characters are not allowed')
  if (name.toUpperCase() === 'INBOX') return 'INBOX'
  if (name.startsWith(OTHER_PREFIX)) {
    const rest = name.slice(OTHER_PREFIX.length)
    const slash = rest.indexOf('/')
    if (slash <= 0 || slash === rest.length - 1) throw new BadMailboxName('Invalid shared mailbox name')
    return { owner: rest.slice(0, slash), folder: rest.slice(slash + 1) }
  }
  if (name.startsWith(PUBLIC_PREFIX)) {
    if (!publicUser) throw new BadMailboxName('There are no public folders')
    return { owner: publicUser, folder: name.slice(PUBLIC_PREFIX.length) }
  }
  if (name === SHARED_ROOT || name + '/' === OTHER_PREFIX || name + '/' === PUBLIC_PREFIX) {
    throw new BadMailboxName('Not a selectable mailbox')
  }
  return name
}

/** Client-visible (UTF-8) name of a list entry. */
export function visibleName(e: Pick<MailboxListEntry, 'owner' | 'folder' | 'own' | 'isPublic'>): string {
  if (e.own) return e.folder
  if (e.isPublic) return PUBLIC_PREFIX + e.folder
  return `${OTHER_PREFIX}${e.owner}/${e.folder}`
}

export function toWire(utf8Name: string): string {
  return encodeMutf7(utf8Name)
}

/** IMAP LIST pattern → RegExp (RFC 3501 §6.3.8: `*` any, `%` any but the delimiter). */
export function patternRegExp(pattern: string): RegExp {
  // INBOX is case-insensitive (RFC 3501 §5.1): the store always spells it INBOX.
  if (/^inbox(?=$|\/)/i.test(pattern)) pattern = 'INBOX' + pattern.slice(5)
  let re = ''
  for (const c of pattern) {
    if (c === '*') re += '.*'
    else if (c === '%') re += '[^/]*'
    else re += c.replace(/[.+^${}()|[\]\\?]/g, '\\$&')
  }
  return new RegExp('^' + re + '$')
}
