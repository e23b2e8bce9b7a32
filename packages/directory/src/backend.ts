// The storage side of a provider: raw entries (attribute maps) in the Schema 2 model. The Directory
// logic (validation, defaults, statuses, caching, audit) is shared and lives in directory.ts.
import type { Attributes } from './types.js'
import type { EntryKind } from './attributes.js'

export interface Entry {
  kind: EntryKind
  /** Canonical domain (for a domain entry, its own name). */
  domain: string
  /** uid, cn, or the domain name. */
  name: string
  dn: string
  attrs: Attributes
}

export type PasswordCheck = 'ok' | 'bad' | 'none'

export interface ListOptions {
  domain?: string
  text?: string
  /** Entry-level status filter (the entry's own status attributes). */
  status?: string
  /** Exclusive lower bound of the sort key `domain \u0000 name` (cursor). */
  after?: { domain: string; name: string }
  limit: number
}

export interface Backend {
  readonly name: 'embedded' | 'ldap'
  /** A domain entry by canonical name or any associatedDomain. */
  domain(name: string): Promise<Entry | undefined>
  user(domain: string, uid: string): Promise<Entry | undefined>
  group(domain: string, cn: string): Promise<Entry | undefined>
  /** Users and groups whose mail, mailAlternateAddress or mailEquivalentAddress equals the address (case-insensitive). */
  byAddress(address: string): Promise<Entry[]>
  byDn(dn: string): Promise<Entry | undefined>
  /** Entries of a kind ordered by (domain, lower(name)). */
  list(kind: EntryKind, opts: ListOptions): Promise<Entry[]>
  /** Groups that list `dn` in uniqueMember. */
  groupsWithMember(dn: string): Promise<Entry[]>
  add(entry: Omit<Entry, 'dn'>, passwordHash?: string): Promise<Entry>
  /** Replaces the whole attribute map of an existing entry. */
  replace(entry: Entry, attrs: Attributes): Promise<Entry>
  setPassword(entry: Entry, password: string): Promise<void>
  checkPassword(entry: Entry, password: string): Promise<PasswordCheck>
  /** Removes an entry (a domain with everything under it). */
  remove(entry: Entry): Promise<void>
  close(): Promise<void>
}
