/**
 * @wren/store public contract (engineer H4). Consumers: IMAP (packages/imap), POP3 + store CLI tools,
 * the MTA's ims-ms channel. Stable: only additions after the first version; renamed things keep
 * their old name as an alias.
 *
 * Conventions
 * - A store user id is the LDAP `uid` in the default domain, `uid@domain` in hosted domains (spec 03 §1).
 * - Folder names are UTF-8, `/`-separated, relative to their owner: `INBOX`, `Sent`, `Archive/2024`.
 *   `INBOX` is the only case-insensitive name and is always returned as `INBOX`. Modified UTF-7 input is
 *   accepted wherever a folder name is taken (`&AOk-t&AOk-` ≡ `été`); use `mutf7Encode` for the wire.
 * - Full (admin) names are `user/<userid>/<folder>` (spec 03 §1), e.g. `user/joe/INBOX`.
 * - Reads of the index are synchronous (better-sqlite3); anything that touches message files or
 *   must be durable returns a Promise. A Promise that resolves means the change is on disk (fsync).
 * - Errors are thrown as `StoreError` subclasses carrying a product-style `message` and a `code`.
 */

// ---------------------------------------------------------------------------------------------
// Flags (RFC 3501 §2.3.2). System flags are kept as a bit mask in one integer column.
// ---------------------------------------------------------------------------------------------

export const FLAG_SEEN = 1
export const FLAG_ANSWERED = 2
export const FLAG_FLAGGED = 4
export const FLAG_DELETED = 8
export const FLAG_DRAFT = 16

/** System flag name → bit. `\Recent` is not stored: it is session state (see `MailboxView.claimRecent`). */
export const SYSTEM_FLAG_BITS: Readonly<Record<string, number>> = {
  '\\Seen': FLAG_SEEN,
  '\\Answered': FLAG_ANSWERED,
  '\\Flagged': FLAG_FLAGGED,
  '\\Deleted': FLAG_DELETED,
  '\\Draft': FLAG_DRAFT,
}

/** Flags of one message as the index holds them. */
export interface FlagEntry {
  uid: number
  modseq: number
  /** Bit mask of FLAG_* (for a non-owner with per-user \Seen this is already that user's view). */
  flags: number
  /** Keywords (RFC 3501 flag-keyword atoms, case preserved), [] when none (a shared frozen array: do not mutate). */
  keywords: string[]
}

/** A flag change request (STORE / UID STORE, RFC 3501 §6.4.6; CONDSTORE RFC 7162 §3.1.3). */
export interface StoreFlagsRequest {
  mode: 'add' | 'remove' | 'replace'
  /** Flag names as the client sent them: system flags (`\Seen`, case-insensitive) and keywords. */
  flags: string[]
  /** UNCHANGEDSINCE: messages whose modseq is greater are not changed and are reported in `modified`. */
  unchangedSince?: number
}

export interface StoreFlagsResult {
  /** The messages whose flags were changed (new modseq, new flags), ascending by uid. */
  updated: FlagEntry[]
  /** UIDs that failed the UNCHANGEDSINCE test (RFC 7162 `[MODIFIED ...]`). */
  modified: number[]
  /** The mailbox HIGHESTMODSEQ after the operation. */
  highestModseq: number
}

// ---------------------------------------------------------------------------------------------
// Mailboxes
// ---------------------------------------------------------------------------------------------

/** A mailbox anywhere in the store: owner store user id + folder name relative to the owner. */
export interface MailboxRef {
  owner: string
  folder: string
}

/** Where a session method accepts a mailbox: a plain string is a folder of the session's own user. */
export type MailboxName = string | MailboxRef

export type SpecialUse = '\\Sent' | '\\Drafts' | '\\Trash' | '\\Junk' | '\\Archive' | '\\All' | '\\Flagged'

export interface MailboxInfo {
  /** Per-owner numeric id, stable across renames. */
  id: number
  owner: string
  /** Folder name relative to the owner (UTF-8). */
  folder: string
  /** `user/<owner>/<folder>` */
  fullName: string
  partition: string
  uidValidity: number
  uidNext: number
  highestModseq: number
  specialUse: SpecialUse | null
  /** Creation time (ms). */
  created: number
  /** Messages in the mailbox (as of this snapshot). */
  messages: number
  /** Total octets of its messages. */
  size: number
  /** Time of the last append (ms), 0 when none. */
  lastAppend: number
  /** Messages expunged since creation (imcheck "Bytes Expunged"/cleanup counters). */
  expunged: number
}

/** STATUS items (RFC 3501 §6.3.10, RFC 7162 HIGHESTMODSEQ, RFC 8438 SIZE). */
export interface MailboxStatus {
  messages: number
  recent: number
  uidNext: number
  uidValidity: number
  unseen: number
  highestModseq: number
  /** Total octets of the messages (RFC 8438 STATUS=SIZE). */
  size: number
  /** Messages flagged \Deleted. */
  deleted: number
}

/** One LIST result (RFC 3501 §6.3.8, RFC 5258 LIST-EXTENDED, RFC 6154 SPECIAL-USE). */
export interface MailboxListEntry {
  owner: string
  folder: string
  fullName: string
  /** True when the mailbox belongs to the listing user. */
  own: boolean
  /** Public folder (owner is `store.publicsharedfolders.user`). */
  isPublic: boolean
  /** `\NonExistent` placeholder for a parent that only exists because of its children (RFC 5258). */
  nonExistent: boolean
  hasChildren: boolean
  subscribed: boolean
  specialUse: SpecialUse | null
  /** The listing user's effective rights (product letters). */
  rights: string
}

export interface ListOptions {
  /** IMAP LIST pattern relative to the user's folders: `*` any, `%` any except `/` (RFC 3501 §6.3.8). */
  pattern: string
  /** Only subscribed mailboxes (LSUB / LIST (SUBSCRIBED)). */
  subscribedOnly?: boolean
  /** Also return other users' and public mailboxes the user has `l` on (`store.sharedfolders`). */
  includeShared?: boolean
  /** IMAP pattern applied to shared mailboxes' `<owner>/<folder>`; default `*` (all visible ones). */
  sharedPattern?: string
}

// ---------------------------------------------------------------------------------------------
// Messages, envelope, MIME tree
// ---------------------------------------------------------------------------------------------

/** An address in ENVELOPE form (RFC 3501 §7.4.2). Group start: mailbox=group name, host=null; group end: both null. */
export interface EnvelopeAddress {
  name: string | null
  adl: string | null
  mailbox: string | null
  host: string | null
}

/** ENVELOPE fields; strings are the raw (unfolded, still MIME-encoded) header values. */
export interface Envelope {
  date: string | null
  subject: string | null
  from: EnvelopeAddress[] | null
  sender: EnvelopeAddress[] | null
  replyTo: EnvelopeAddress[] | null
  to: EnvelopeAddress[] | null
  cc: EnvelopeAddress[] | null
  bcc: EnvelopeAddress[] | null
  inReplyTo: string | null
  messageId: string | null
}

/**
 * One node of the MIME part tree (RFC 2045/2046), enough for BODYSTRUCTURE and BODY[section]
 * without re-parsing. Offsets are absolute byte offsets in the message file.
 */
export interface MimePart {
  /** IMAP section number: '' for the top level, '1', '1.2', … (RFC 3501 §6.4.5). */
  section: string
  /** Lower-case type/subtype; defaults per RFC 2045 §5.2 (`text/plain; charset=us-ascii`). */
  type: string
  subtype: string
  /** Content-Type parameters, lower-case names, decoded RFC 2231 continuations joined. */
  params: Record<string, string>
  id: string | null
  description: string | null
  /** Content-Transfer-Encoding as written (default `7BIT`). */
  encoding: string
  disposition: string | null
  dispositionParams: Record<string, string> | null
  language: string[] | null
  location: string | null
  md5: string | null
  headerStart: number
  headerSize: number
  bodyStart: number
  bodySize: number
  /** Lines in the body (text/* and message/rfc822). */
  bodyLines: number
  /** multipart/*: the children. */
  parts?: MimePart[]
  /** message/rfc822 (and message/global): the encapsulated message's envelope and top part. */
  message?: { envelope: Envelope; body: MimePart }
}

/** Everything the index knows about a message (FETCH without opening the file). */
export interface MessageMeta extends FlagEntry {
  /** INTERNALDATE (ms since epoch). */
  internalDate: number
  /** SAVEDATE (RFC 8514), ms. */
  saveDate: number
  /** RFC822.SIZE */
  size: number
  /** Octets of the header block including the blank line. */
  headerSize: number
  messageId: string | null
  envelope: Envelope
  /** Top of the MIME tree. */
  structure: MimePart
}

/** The compact per-message row (no JSON decoding). */
export interface MessageSummary extends FlagEntry {
  size: number
  headerSize: number
  internalDate: number
  saveDate: number
  messageId: string | null
}

export interface AppendOptions {
  flags?: string[]
  internalDate?: Date | number
  /** Skip quota enforcement (admin tools, `deliver -q`, imsimport; spec 03 §4). */
  bypassQuota?: boolean
}

export interface AppendResult {
  mailbox: MailboxInfo
  uidValidity: number
  uid: number
  modseq: number
  size: number
}

export interface CopyResult {
  uidValidity: number
  /** Source and destination UIDs in matching order (RFC 4315 COPYUID). */
  sourceUids: number[]
  destUids: number[]
}

/** Result of `changesSince` (RFC 7162 CONDSTORE/QRESYNC). */
export interface MailboxChanges {
  highestModseq: number
  uidNext: number
  /** Messages with modseq > since (new ones included), ascending uid. */
  changed: FlagEntry[]
  /** UIDs expunged with modseq > since, ascending. */
  vanished: number[]
}

/** A change notice; the receiver reads the details with `changesSince`. */
export interface MailboxChangeNotice {
  owner: string
  mailboxId: number
  highestModseq: number
  uidNext: number
  /** Number of messages in the mailbox after the change. */
  messages: number
}

// ---------------------------------------------------------------------------------------------
// ACL (RFC 4314 + product rights, spec 03 §9)
// ---------------------------------------------------------------------------------------------

/** Product right letters in canonical order. `c`/`d` (RFC 2086 legacy) are accepted and mapped. */
export const ACL_RIGHTS = 'lrswipkxtean'
/** Rights an owner always has on her own mailboxes (RFC 4314 §2 "implicit rights"). */
export const OWNER_RIGHTS = 'lrswipkxtean'

export interface AclEntry {
  /** `uid`, `uid@domain`, `anyone`, `anyone@domain`, `group=<addr>`; a leading `-` = negative entry. */
  identifier: string
  rights: string
}

// ---------------------------------------------------------------------------------------------
// Quotas (spec 03 §4)
// ---------------------------------------------------------------------------------------------

/** What the directory says about a user (LDAP attributes), returned by the quota resolver. */
export interface QuotaSource {
  /** `mailQuota`: bytes, `2M`/`2G` suffixes, `-1` unlimited, `-2`/absent = default; compound `2G;Archive%100M`. */
  mailQuota?: string | number | null
  /** `mailMsgQuota`: count, same syntax. */
  mailMsgQuota?: string | number | null
  /** `mailUserStatus` (active|inactive|deleted|hold|overquota). */
  status?: string | null
  /** The user's domain and its totals (`mailDomainDiskQuota`, `mailDomainMsgQuota`). */
  domain?: string | null
  domainDiskQuota?: string | number | null
  domainMsgQuota?: string | number | null
  /** `aclGroupAddr` values (for `group=` ACL identifiers). */
  aclGroupAddr?: string[]
}

export type QuotaResolver = (userid: string) => QuotaSource | undefined | Promise<QuotaSource | undefined>

/** A quota root as IMAP QUOTA shows it (RFC 9208); limits in bytes / messages, -1 = none. */
export interface QuotaRootUsage {
  /** `user/joe`, `user/joe/Archive`, `user/joe/#voice` */
  root: string
  storageUsed: number
  storageLimit: number
  messagesUsed: number
  messagesLimit: number
}

export interface UserQuotaReport {
  userid: string
  /** Bytes, -1 unlimited. */
  diskLimit: number
  diskUsed: number
  /** Messages, -1 unlimited. */
  msgLimit: number
  msgUsed: number
  /** Over-quota since (ms) or null; the grace period runs from here. */
  overSince: number | null
  /** Last time the usage crossed the warning threshold (ms) or null. */
  warnSince: number | null
  /** Per folder usage. */
  folders: Array<{ folder: string; bytes: number; messages: number }>
}

/** The outcome of a quota check. */
export type QuotaVerdict =
  | { ok: true; warn: boolean }
  | {
      ok: false
      /** true → temporary failure (4.2.2, within the grace period); false → permanent (5.2.2). */
      temporary: boolean
      reason: 'disk' | 'messages' | 'domain-disk' | 'domain-messages' | 'message-too-large' | 'status-overquota'
    }

// ---------------------------------------------------------------------------------------------
// Delivery (MTA ims-ms channel, `deliver` CLI)
// ---------------------------------------------------------------------------------------------

export interface DeliverRequest {
  userid: string
  /** Target folder (default INBOX). Falls back to INBOX when missing (unless `createFolder`). */
  folder?: string
  /** Create the folder when missing (`deliver -c`). */
  createFolder?: boolean
  /** Flags to set (`deliver -g`). */
  flags?: string[]
  internalDate?: Date | number
  /** Skip quota (`deliver -q`). */
  bypassQuota?: boolean
  /** Identity posting into a shared folder: needs `p` there, else INBOX (spec 03 §14). */
  poster?: string
  /**
   * Idempotency key (the MTA passes `<message id>/<channel>/<recipient index>`): a second delivery with
   * the same key to the same user stores nothing and answers the first delivery's folder and UID.
   * Makes delivery exactly-once across a crash between the store's commit and the queue's done-mark.
   */
  deliveryId?: string
}

/**
 * Message bytes for delivery: a Buffer, or a file whose message starts at `offset` (the MTA's queue
 * file with its envelope prefix). The store never modifies the source file.
 */
export type MessageSource = Buffer | { path: string; offset?: number; length?: number }

export type DeliverOutcome =
  | {
      ok: true
      userid: string
      folder: string
      uidValidity: number
      uid: number
      size: number
    }
  | {
      ok: false
      userid: string
      /** Machine code: overquota | nosuchuser | invalid | ioerror | toolarge | maxmessages */
      code: DeliverFailureCode
      /** true → the MTA keeps the message queued (4.x.x); false → bounce (5.x.x). */
      temporary: boolean
      /** RFC 3463 enhanced status: 4.2.2 / 5.2.2 mailbox full, 5.1.1 no such user, 4.3.0 I/O … */
      enhancedStatus: string
      text: string
    }

export type DeliverFailureCode = 'overquota' | 'nosuchuser' | 'invalid' | 'ioerror' | 'maxmessages'

// ---------------------------------------------------------------------------------------------
// Reconstruct (spec 03 §13)
// ---------------------------------------------------------------------------------------------

export interface ReconstructOptions {
  /** Rebuild even when no problem is found (`-f`). */
  rebuild?: boolean
  /** Only report (`-n`). */
  reportOnly?: boolean
}

export interface ReconstructReport {
  /** Mailboxes examined (full names). */
  mailboxes: string[]
  /** Index entries whose file is missing (removed unless reportOnly). */
  missingFiles: Array<{ mailbox: string; uid: number }>
  /** Message files not in the index (adopted unless reportOnly). */
  orphanFiles: Array<{ mailbox: string; uid: number }>
  /** Folders found on disk but not in the index (re-created unless reportOnly). */
  recoveredMailboxes: string[]
  /** Quota usage differences corrected. */
  quotaFixed: boolean
  /** Human-readable lines in the product's style. */
  messages: string[]
}

// ---------------------------------------------------------------------------------------------
// The API
// ---------------------------------------------------------------------------------------------

/** A selected (or examined) mailbox. Obtained from `MailSession.open`. */
export interface MailboxView {
  readonly info: MailboxInfo
  readonly readOnly: boolean
  /** The session user's rights on this mailbox (product letters). */
  readonly rights: string
  /** Re-read counters (uidNext, highestModseq…) from the index. */
  refresh(): MailboxInfo
  /** All UIDs in ascending order (the current index state). */
  uids(): Uint32Array
  /** Fast (uid, modseq, flags, keywords) scan in uid order, optionally from a uid range. */
  flags(range?: { from?: number; to?: number }): FlagEntry[]
  /** Flags of specific uids (missing uids are skipped). */
  flagsOf(uids: readonly number[]): FlagEntry[]
  /**
   * Cheap per-message facts for every message (or a uid range) in uid order, without envelope or MIME
   * tree (POP3 STAT/LIST/UIDL, RFC822.SIZE, INTERNALDATE, SORT by size/date).
   */
  summaries(range?: { from?: number; to?: number }): MessageSummary[]
  /** Full metadata (envelope, MIME tree…) or null when expunged. */
  meta(uid: number): MessageMeta | null
  /** Metadata for many uids, in the given order, expunged ones skipped. */
  metas(uids: readonly number[]): MessageMeta[]
  /** Raw header block (headers + blank line). */
  header(uid: number): Promise<Buffer>
  /** Message bytes [start, end) (whole message by default). */
  read(uid: number, start?: number, end?: number): Promise<Buffer>
  /** Path of the message file (read-only use; for streaming by the caller). */
  filePath(uid: number): string
  /**
   * Claim \Recent atomically (RFC 3501 §2.3.2): returns the uids nobody claimed before. Call on SELECT
   * and when new messages appear; only one session ever gets a given uid. EXAMINE must not call it.
   */
  claimRecent(): number[]
  /** The lowest uid ≥ fromUid without \Seen (for this user), or 0: one index walk, no rows into JS (SELECT's [UNSEEN n]). */
  firstUnseenUid(fromUid?: number): number
  /** `claimRecent` as an ascending Uint32Array (no per-uid conversion: a first SELECT may claim 100k). */
  claimRecentUids(): Uint32Array
  storeFlags(uids: readonly number[], req: StoreFlagsRequest): StoreFlagsResult
  /** Expunge the given uids that are \Deleted, or all \Deleted when uids is omitted. Returns expunged uids. */
  expunge(uids?: readonly number[]): Promise<number[]>
  copy(uids: readonly number[], dest: MailboxName): Promise<CopyResult>
  /** MOVE (RFC 6851): copy + expunge of the source uids, atomic per user. */
  move(uids: readonly number[], dest: MailboxName): Promise<CopyResult>
  changesSince(modseq: number): MailboxChanges
  /**
   * Substring search of a message's text (case-insensitive, product brute-force semantics spec 03 §25):
   * `where` = 'body' (decoded text parts' bodies), 'text' (headers + bodies).
   */
  search(uid: number, needle: string, where: 'body' | 'text'): Promise<boolean>
  /** The same over many uids (fast path for SEARCH BODY/TEXT on big mailboxes); returns matching uids ascending. */
  searchMany(uids: readonly number[], needle: string, where: 'body' | 'text'): Promise<number[]>
  /** Notified (debounced) when another session or process changes this mailbox. */
  watch(cb: (notice: MailboxChangeNotice) => void): () => void
  close(): void
}

/** Operations on behalf of one authenticated user (ACLs apply; `store.admins` bypass them). */
export interface MailSession {
  readonly userid: string
  readonly isAdmin: boolean
  /** Turn this session's ENS events off/on (IMAP XNOTNOTIFY; POP3 sessions publish none, spec 01 §19). */
  setNotify(enabled: boolean): void
  list(opts: ListOptions): MailboxListEntry[]
  /** Mailbox info or null when it does not exist or the user may not see it (`l`). */
  get(name: MailboxName): MailboxInfo | null
  create(name: MailboxName, opts?: { specialUse?: SpecialUse }): MailboxInfo
  /**
   * Delete a mailbox (RFC 3501 §6.3.4). Only that mailbox goes; its children stay, and LIST then shows
   * the vanished parent as a `nonExistent` placeholder. INBOX cannot be deleted (`CANNOT`).
   */
  delete(name: MailboxName): Promise<void>
  /** Rename with children; renaming INBOX moves its messages to a new folder and leaves INBOX empty (RFC 3501 §6.3.5). */
  rename(from: MailboxName, to: MailboxName): Promise<void>
  subscribe(name: MailboxName): void
  unsubscribe(name: MailboxName): void
  status(name: MailboxName): MailboxStatus
  /** SELECT (readOnly false) / EXAMINE (readOnly true). */
  open(name: MailboxName, opts?: { readOnly?: boolean }): MailboxView
  append(name: MailboxName, message: Buffer, opts?: AppendOptions): Promise<AppendResult>
  /**
   * MULTIAPPEND (RFC 3502): all messages or none, in one index transaction (consecutive UIDs).
   * Throws like `append` (OverQuotaError, …) when any one of them is refused; nothing is stored then.
   */
  appendMany(name: MailboxName, messages: Array<{ message: Buffer; opts?: AppendOptions }>): Promise<AppendResult[]>
  getAcl(name: MailboxName): AclEntry[]
  /** SETACL with RFC 4314 `+`/`-` prefix semantics on `rights`; `""` deletes the entry. */
  setAcl(name: MailboxName, identifier: string, rights: string): void
  deleteAcl(name: MailboxName, identifier: string): void
  myRights(name: MailboxName): string
  /** LISTRIGHTS data: [required, ...optional groups] (RFC 4314 §3.7). */
  listRights(name: MailboxName, identifier: string): string[]
  /**
   * GETQUOTAROOT: the roots governing a mailbox with their usage. Synchronous: uses the owner's limits as
   * last resolved (APPEND, delivery or `getQuotaRoots` within a few seconds), else the system defaults.
   */
  quotaRoots(name: MailboxName): QuotaRootUsage[]
  /** GETQUOTAROOT with the limits freshly resolved through the quota resolver. */
  getQuotaRoots(name: MailboxName): Promise<QuotaRootUsage[]>
  close(): void
}

export interface MailStore {
  readonly dataRoot: string
  /** Open a session as `userid`. `autoCreate` (default true) provisions INBOX + special-use folders on first use; with false an unknown user throws NONEXISTENT (admins excepted). */
  session(userid: string, opts?: { autoCreate?: boolean; groups?: string[] }): MailSession
  /** Provision a user (INBOX + Sent, Drafts, Trash, Junk, Archive). Idempotent. */
  ensureUser(userid: string, opts?: { partition?: string }): void
  userExists(userid: string): boolean
  /** Store user ids, sorted. */
  listUsers(): string[]
  /** Delete a user's every mailbox and files (`mboxutil -d user/x/INBOX`). */
  deleteUser(userid: string): Promise<void>
  /** All mailboxes matching an admin pattern over full names (`user/%/INBOX`, `user/joe/*`). */
  listAll(pattern?: string): MailboxInfo[]
  deliver(req: DeliverRequest, message: MessageSource): Promise<DeliverOutcome>
  /** One message to many users: written once, hard-linked (single copy); one fsync group. */
  deliverMany(reqs: DeliverRequest[], message: MessageSource): Promise<DeliverOutcome[]>
  /** Group commit: many (request, message) pairs made durable together. Outcomes in input order. */
  deliverBatch(items: Array<{ req: DeliverRequest; message: MessageSource }>): Promise<DeliverOutcome[]>
  /**
   * Totals over a hosted domain's users (`uid@domain`), from the mboxlist's usage cache (updated after
   * every commit). Domain quotas are not enforced per delivery (spec 03 §4: `imquotacheck -f` sets status).
   */
  domainUsage(domain: string): { users: number; bytes: number; messages: number }
  /** Move a user's mailboxes to another partition (`mboxutil -r user/x/INBOX user/x/INBOX p2`); UIDs and flags kept. */
  moveUser(userid: string, partition: string): void
  /**
   * Restore expunged messages whose files are not cleaned up yet (`mboxutil -R [-m dest] [-U uids]`;
   * needs `store.cleanupage` > 0). Returns the new UIDs in `dest` (default: the same folder).
   */
  restoreExpunged(mailbox: MailboxRef, opts?: { uids?: number[]; dest?: string }): number[]
  /** Quota check without delivering (the MTA may ask before accepting RCPT); `folder` selects its quota root. */
  checkQuota(userid: string, size: number, folder?: string): Promise<QuotaVerdict>
  quotaReport(userid: string): Promise<UserQuotaReport>
  reconstruct(target: string, opts?: ReconstructOptions): Promise<ReconstructReport>
  /** `hashdir` path for a user id (`64/b1/`). */
  hashdir(userid: string): string
  /** The user's directory on disk. */
  userPath(userid: string): string
  /**
   * Remove files of expunged messages older than `store.cleanupage` hours. Returns files removed.
   * `mailboxes` limits it to those (by owner and folder); `minExpunged` to mailboxes holding at least
   * that many expunged, not yet purged messages (`mboxutil -C -g`).
   */
  cleanup(opts?: { mailboxes?: MailboxRef[]; minExpunged?: number }): Promise<number>
  close(): void
}

export interface OpenStoreOptions {
  dataRoot: string
  config: import('@wren/kernel').ConfigView
  bus?: import('@wren/kernel').EventBus
  logger?: import('@wren/kernel').Logger
  quotaResolver?: QuotaResolver
  /** Host name for ENS events (default os.hostname()). */
  hostname?: string
  /** Process name for ENS events (`imapd`, `imta`, `deliver`…; default `stored`). */
  processName?: string
}

// ---------------------------------------------------------------------------------------------
// Errors (product texts)
// ---------------------------------------------------------------------------------------------

export type StoreErrorCode =
  | 'NONEXISTENT' | 'ALREADYEXISTS' | 'INVALIDNAME' | 'NOPERM' | 'OVERQUOTA' | 'PINNED'
  | 'NOUSER' | 'INUSE' | 'IOERROR' | 'LIMIT' | 'CANNOT'

/** Base class; `code` doubles as the IMAP response code (RFC 5530) where one exists. */
export class StoreError extends Error {
  constructor(public readonly code: StoreErrorCode, message: string) {
    super(message)
    this.name = 'StoreError'
  }
}
export class MailboxNotFoundError extends StoreError {
  constructor(name = '') { super('NONEXISTENT', name ? `Mailbox does not exist: ${name}` : 'Mailbox does not exist') }
}
export class MailboxExistsError extends StoreError {
  constructor() { super('ALREADYEXISTS', 'Mailbox already exists') }
}
export class InvalidMailboxNameError extends StoreError {
  constructor(detail = 'Invalid mailbox name') { super('INVALIDNAME', detail) }
}
export class PermissionDeniedError extends StoreError {
  constructor(detail = 'Permission denied') { super('NOPERM', detail) }
}
export class OverQuotaError extends StoreError {
  constructor(public readonly verdict: Extract<QuotaVerdict, { ok: false }>) {
    super('OVERQUOTA', 'Mailbox is over quota')
  }
}
export class MailboxPinnedError extends StoreError {
  constructor() { super('PINNED', 'mailbox is pinned') }
}
export class InvalidUserError extends StoreError {
  constructor(userid: string) { super('NOUSER', `Invalid user id: ${userid}`) }
}
export class StoreIOError extends StoreError {
  constructor(detail?: string) {
    super('IOERROR', 'System I/O error. Administrator, check server log for details.')
    if (detail) this.detail = detail
  }
  detail?: string
}
export class StoreLimitError extends StoreError {
  constructor(detail: string) { super('LIMIT', detail) }
}
