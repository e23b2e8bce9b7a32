// The Directory contract: users, groups (mailing lists) and domains as the product keeps them in LDAP
// (spec 04 B.6; Communications Suite Schema Reference attribute names). Two providers implement it:
// `embedded` (control-plane database) and `ldap` (ldapts against a real directory server).
// Consumers: IMAP/POP/SMTP AUTH (authenticate), the MTA (resolveAddress, expandGroup,
// isLocalMailHost), the store (quotaSource), the console and commadmin (provisioning, search, import).

/**
 * Status values (Schema Reference: inetUserStatus, mailUserStatus, inetDomainStatus, mailDomainStatus,
 * inetMailGroupStatus). Absent means active; an illegal value is treated as inactive.
 */
export const STATUSES = ['active', 'inactive', 'deleted', 'removed', 'disabled', 'hold', 'overquota'] as const
export type Status = (typeof STATUSES)[number]

/** Multi-valued attribute map as stored (`attr` or `attr;lang-xx` → values). */
export type Attributes = Record<string, string[]>

export interface DirectoryDomain {
  /** Canonical domain name (lower case): `sunPreferredDomain` / the org node's `o`. */
  name: string
  /** Other names of the domain (`associatedDomain` values other than `name`). */
  aliases: string[]
  inetDomainStatus?: string
  mailDomainStatus?: string
  /** Effective status: inetDomainStatus, then mailDomainStatus (first non-active wins). */
  status: Status
  /** Raw `mailDomainDiskQuota` (bytes, suffixes allowed, -1 unlimited). */
  mailDomainDiskQuota?: string
  mailDomainMsgQuota?: string
  preferredMailHost?: string
  preferredLanguage?: string
  /** LDAP DN (ldap provider) or the equivalent Schema 2 DN (embedded provider). */
  dn: string
  /** Every attribute of the entry, including ones Wren does not interpret. */
  attributes: Attributes
}

export interface DirectoryUser {
  uid: string
  /** Canonical domain of the user. */
  domain: string
  /** Store user id (spec 03 §1): `uid` in the default domain, `uid@domain` in hosted domains. */
  storeId: string
  mail?: string
  mailAlternateAddress: string[]
  mailEquivalentAddress: string[]
  mailHost?: string
  mailDeliveryOption: string[]
  mailForwardingAddress: string[]
  mailQuota?: string
  mailMsgQuota?: string
  mailMessageStore?: string
  inetUserStatus?: string
  mailUserStatus?: string
  /** Effective status (domain statuses first, then inetUserStatus, then mailUserStatus). */
  status: Status
  preferredLanguage?: string
  cn?: string
  sn?: string
  givenName?: string
  // Vacation / autoreply (spec 01 §16). Language-tagged variants are in `attributes` (`mailAutoReplyText;lang-fr`).
  vacationStartDate?: string
  vacationEndDate?: string
  mailAutoReplyMode?: string
  mailAutoReplySubject?: string
  mailAutoReplyText?: string
  mailAutoReplyTextInternal?: string
  mailAutoReplyTimeOut?: number
  mailSieveRuleSource: string[]
  dn: string
  attributes: Attributes
}

export interface DirectoryGroup {
  cn: string
  domain: string
  mail?: string
  mailAlternateAddress: string[]
  mailEquivalentAddress: string[]
  /** DNs of member users and groups (Schema 2 DNs in both providers). */
  uniqueMember: string[]
  /** Member addresses outside the directory. */
  mgrpRFC822MailMember: string[]
  /** `members` (default), `members_offline`, `file`. */
  mailDeliveryOption: string[]
  mgrpModerator: string[]
  mgrpAllowedBroadcaster: string[]
  mgrpErrorsTo?: string
  inetMailGroupStatus?: string
  status: Status
  dn: string
  attributes: Attributes
}

/** How an address resolved (the MTA's view of a local-domain recipient). */
export type Resolution =
  | {
      kind: 'user'
      user: DirectoryUser
      domain: DirectoryDomain
      /** `+detail` sub-address, when the address carried one. */
      detail?: string
      /** Which attribute matched. */
      matched: 'mail' | 'mailAlternateAddress' | 'mailEquivalentAddress' | 'uid' | 'catchall'
      /** Effective status (domain overrides user). */
      status: Status
    }
  | {
      kind: 'group'
      group: DirectoryGroup
      domain: DirectoryDomain
      detail?: string
      matched: 'mail' | 'mailAlternateAddress' | 'mailEquivalentAddress' | 'catchall'
      status: Status
    }
  | {
      kind: 'none'
      /** `unknown-domain`: not a local domain; `unknown-address`: local domain, no such recipient; `invalid`: unparseable. */
      reason: 'unknown-domain' | 'unknown-address' | 'invalid'
      /** The local domain when it exists (its status matters for a catch-all policy). */
      domain?: DirectoryDomain
    }

/** What the MTA should do with mail for a recipient in this effective status (Schema Reference status tables). */
export type DeliveryDisposition = 'deliver' | 'tempfail' | 'reject' | 'hold' | 'overquota'

export interface AuthContext {
  /** `imap`, `pop`, `smtp`, `http`, `console`… */
  service: string
  remoteIp?: string
}

export type AuthFailure =
  | 'invalid-login' // empty or malformed login name
  | 'unknown-user'
  | 'bad-password'
  | 'no-password' // the entry has no password: it cannot log in
  | 'inactive'
  | 'disabled'
  | 'hold'
  | 'deleted'
  | 'removed'
  | 'unavailable' // the directory could not be reached

export type AuthResult =
  | { ok: true; user: DirectoryUser; domain: DirectoryDomain }
  | { ok: false; reason: AuthFailure; user?: DirectoryUser; message: string }

export interface GroupExpansion {
  /** Users reached, de-duplicated, with the chain of groups that led to them. */
  users: Array<{ user: DirectoryUser; via: string[] }>
  /** External addresses (`mgrpRFC822MailMember`), de-duplicated. */
  addresses: Array<{ address: string; via: string[] }>
  /** Members not expanded: a loop back to a group on the path, an unknown DN, too deep, a nested group not active. */
  problems: Array<{ member: string; reason: 'loop' | 'unknown' | 'depth' | 'status'; via: string[] }>
}

/** A parsed `mailQuota` / `mailMsgQuota` value (spec 03 §4: `default;#type%q;folder%q`). */
export interface QuotaSpec {
  /** Limit in bytes (or messages); -1 = unlimited; undefined = system default (absent or -2). */
  limit?: number
  /** `#type` roots, keyed without the `#`. */
  types: Record<string, number>
  /** Folder roots (cover their subfolders). */
  folders: Record<string, number>
}

/** Shape the store's QuotaResolver expects (packages/store QuotaSource). */
export interface UserQuotaSource {
  mailQuota?: string | null
  mailMsgQuota?: string | null
  status?: string | null
  domain?: string | null
  domainDiskQuota?: string | null
  domainMsgQuota?: string | null
  aclGroupAddr?: string[]
}

/** Who makes a change: recorded in the audit log. */
export interface Actor {
  actor: string
  role?: string
  /** `cli`, `console`, `api`, `configure`, `import` */
  source?: string
  sourceIp?: string
}

/** LDAP-style modification: add values, replace all values, or delete values (all when `values` is empty). */
export interface Modification {
  op: 'add' | 'replace' | 'delete'
  attr: string
  values: string[]
}

export interface DomainInput {
  name: string
  aliases?: string[]
  /** Further attributes (`mailDomainDiskQuota`, `preferredMailHost`, `preferredLanguage`, statuses…). */
  attributes?: Record<string, string | string[]>
}

export interface UserInput {
  uid: string
  domain?: string // default: base.defaultdomain
  /** Clear-text password; stored hashed (scrypt for embedded, {SSHA} for ldap). */
  password?: string
  /** Default `mail` is `uid@domain`; default `mailHost` the domain's preferredMailHost or this host. */
  attributes?: Record<string, string | string[]>
}

export interface GroupInput {
  cn: string
  domain?: string
  /** Member users/groups by address or DN, and external addresses (those that resolve to nothing local). */
  members?: string[]
  attributes?: Record<string, string | string[]>
}

export interface SearchQuery {
  domain?: string
  /** Case-insensitive substring matched against uid/cn, mail and alternate addresses. */
  text?: string
  /** Effective status filter. */
  status?: Status
  /** Opaque cursor from a previous page. */
  cursor?: string
  /** Page size, default 100, at most 1000. */
  limit?: number
}

export interface Page<T> {
  items: T[]
  /** Pass back as `cursor` for the next page; absent on the last page. */
  nextCursor?: string
}

export type DirectoryErrorCode =
  | 'invalid-uid'
  | 'invalid-address'
  | 'invalid-domain'
  | 'invalid-value'
  | 'invalid-quota'
  | 'invalid-attribute'
  | 'address-taken'
  | 'unknown-domain'
  | 'domain-exists'
  | 'user-exists'
  | 'group-exists'
  | 'not-found'
  | 'not-deleted'
  | 'domain-not-empty'
  | 'unavailable'

/** A provisioning or lookup failure with a precise, user-presentable message. */
export class DirectoryError extends Error {
  constructor(
    readonly code: DirectoryErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message)
    this.name = 'DirectoryError'
  }
}

export interface ImportRowResult {
  /** 1-based line (CSV) or entry number (LDIF). */
  row: number
  /** `user`, `group`, `domain`. */
  kind: string
  target: string
  ok: boolean
  action?: 'created' | 'modified' | 'deleted' | 'skipped'
  error?: { code: DirectoryErrorCode | 'parse-error'; message: string }
}

export interface ImportReport {
  rows: ImportRowResult[]
  ok: number
  failed: number
}

export interface Directory {
  readonly provider: 'embedded' | 'ldap'
  readonly defaultDomain: string
  /** This host's name: users whose `mailHost` equals it are local. */
  readonly hostname: string

  // ---- lookups (cached with a short TTL) ----
  /** Address → recipient: `mail`, `mailAlternateAddress`, `mailEquivalentAddress`, domain aliases, `+detail`, bare uid. */
  resolveAddress(address: string): Promise<Resolution>
  /** Login by `uid` (default domain), `uid@domain` or `mail`. */
  authenticate(login: string, password: string, ctx: AuthContext): Promise<AuthResult>
  /** A user by store id (`uid` / `uid@domain`) or by any address. */
  findUser(idOrAddress: string): Promise<DirectoryUser | undefined>
  /** A domain by canonical name or alias. */
  getDomain(name: string): Promise<DirectoryDomain | undefined>
  /** A group by address (`mail`/alternate) or `cn@domain`. */
  findGroup(addressOrCn: string): Promise<DirectoryGroup | undefined>
  /** Nested expansion with loop protection. */
  expandGroup(group: DirectoryGroup, opts?: { maxDepth?: number }): Promise<GroupExpansion>
  /** True when the user's `mailHost` (else the domain's `preferredMailHost`) names this host. */
  isLocalMailHost(user: DirectoryUser): boolean
  /** The user's quota attributes and domain totals (store QuotaResolver shape); undefined if unknown. */
  quotaSource(storeId: string): Promise<UserQuotaSource | undefined>

  // ---- provisioning (each change is an audit event) ----
  createDomain(input: DomainInput, actor: Actor): Promise<DirectoryDomain>
  modifyDomain(name: string, mods: Modification[], actor: Actor): Promise<DirectoryDomain>
  /** Marks the domain deleted (`inetDomainStatus: deleted`), as `commadmin domain delete`. */
  deleteDomain(name: string, actor: Actor): Promise<DirectoryDomain>
  /** Removes a domain marked deleted, with its users and groups (`commadmin domain purge`). */
  purgeDomain(name: string, actor: Actor): Promise<void>
  listDomains(query?: { cursor?: string; limit?: number; text?: string }): Promise<Page<DirectoryDomain>>

  createUser(input: UserInput, actor: Actor): Promise<DirectoryUser>
  modifyUser(storeId: string, mods: Modification[], actor: Actor): Promise<DirectoryUser>
  /** Sets a new password (hashed). */
  setPassword(storeId: string, password: string, actor: Actor): Promise<void>
  /** Marks the user deleted (`inetUserStatus: deleted`). */
  deleteUser(storeId: string, actor: Actor): Promise<DirectoryUser>
  /** Removes a user marked deleted (or removed) for good. */
  purgeUser(storeId: string, actor: Actor): Promise<void>
  searchUsers(query: SearchQuery): Promise<Page<DirectoryUser>>

  createGroup(input: GroupInput, actor: Actor): Promise<DirectoryGroup>
  modifyGroup(address: string, mods: Modification[], actor: Actor): Promise<DirectoryGroup>
  addGroupMembers(address: string, members: string[], actor: Actor): Promise<DirectoryGroup>
  removeGroupMembers(address: string, members: string[], actor: Actor): Promise<DirectoryGroup>
  /** Marks the group deleted (`inetMailGroupStatus: deleted`). */
  deleteGroup(address: string, actor: Actor): Promise<DirectoryGroup>
  purgeGroup(address: string, actor: Actor): Promise<void>
  searchGroups(query: SearchQuery): Promise<Page<DirectoryGroup>>

  /** Drops cached lookups (after an outside change; the TTL does it otherwise). */
  invalidate(): void
  close(): Promise<void>
}
