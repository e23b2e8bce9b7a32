// Output shapes of the admin API (issue 6 contract, /work/briefs/S2-console-contract.md). Plain JSON:
// no transformer, dates as ISO strings, -1 = unlimited for quota limits.
import type { QueueFilter } from '@wren/mta/queue/filter'
import type { LogQuery } from '@wren/mta/maillog/search'

export type Role = 'global' | 'domain' | 'auditor'

export interface Me {
  username: string
  role: Role
  domains: string[]
  csrfToken: string
  /** Session expiry (sliding), ISO. */
  expiresAt: string
}

export interface DomainRow {
  name: string
  aliases: string[]
  status: string
  userCount?: number
  diskQuota?: string
  msgQuota?: string
}

export interface DomainDetail extends DomainRow {
  attributes: Record<string, string[]>
  version: string
}

export interface UserRow {
  uid: string
  domain: string
  mail: string
  cn: string
  status: string
  mailQuota?: string
  mailMsgQuota?: string
}

export interface Vacation {
  mode: string
  subject: string
  text: string
  start: string
  end: string
}

export interface UserDetail extends UserRow {
  storeId: string
  sn: string
  givenName: string
  aliases: string[]
  equivalentAddresses: string[]
  forwarding: string[]
  deliveryOptions: string[]
  vacation: Vacation
  groups: string[]
  version: string
}

export interface GroupRow {
  cn: string
  domain: string
  mail: string
  status: string
  memberCount: number
}

export interface GroupDetail extends GroupRow {
  aliases: string[]
  /** Member addresses (users and groups resolved to their mail) and external addresses. */
  members: string[]
  version: string
}

export type QuotaStateName = 'ok' | 'warning' | 'over' | 'grace'

export interface QuotaState {
  diskLimit: number
  diskUsed: number
  msgLimit: number
  msgUsed: number
  diskPercent: number
  msgPercent: number
  state: QuotaStateName
  graceEndsAt?: string
}

export interface ImportRow {
  line: number
  key: string
  ok: boolean
  error?: string
}

export interface ConfigOptionRow {
  name: string
  type: string
  default: unknown
  value: unknown
  isDefault: boolean
  description: string
  restricted: boolean
  restart: string | null
  password: boolean
  enumValues?: string[]
  group: string
}

export interface AuditRow {
  id: number
  createdAt: string
  actor: string
  role: string
  action: string
  target: string
  domain: string
  source: string
  sourceIp: string
  diff: Array<{ field: string; before: unknown; after: unknown }>
}

export interface ServiceRow {
  name: string
  state: string
  pid?: number
  restarts?: number
  since?: string
  enabled?: boolean
  listeners?: Array<{ name: string; host: string; port: number; tls: string }>
  error?: string
}

export interface ServicesStatus {
  daemon: { pid: number; startedAt: string; uptime: number; hostname: string }
  services: ServiceRow[]
  events: Array<{ at: string; text: string }>
}

export interface AdminRow {
  username: string
  role: Role
  domains: string[]
  directoryUid: string
  hasPassword: boolean
  createdAt: string
  version: string
}

// ---- Queue and log viewers (issue 6 §2 "queue entries and log lines", issue 5 §4/§8) ----

/** Per-channel totals (`imsimta qm summarize -held`). Times ISO. */
export interface QueueChannelSummary {
  channel: string
  stopped: boolean
  messages: number
  bytes: number
  oldest: string | null
  held: number
  heldBytes: number
  oldestHeld: string | null
  active: number
  delayed: number
}

export interface QueueEntryRow {
  /** Queue key `<id>.<nn>`. */
  key: string
  /** The file name as `qm directory` shows it (`ZY<key>[.HELD]`). */
  file: string
  channel: string
  sender: string
  /** First recipients (up to 3) and how many there are. */
  recipients: string[]
  recipientCount: number
  size: number
  created: string
  attempts: number
  nextAttempt: string | null
  lastError: string | null
  held: boolean
  /** Being delivered now (a job has claimed it). */
  active: boolean
}

export interface QueueEntryDetail extends QueueEntryRow {
  messageId: string | null
  sourceChannel: string
  envid: string | null
  ret: string | null
  authenticatedAs: string | null
  peer: string | null
  recipientDetails: Array<{ address: string; originalAddress: string; orcpt: string | null; notify: string[] | null; done: boolean }>
  /** Subject, From, To, Cc, Date, Message-ID of the message (never the body). */
  headers: Array<{ name: string; value: string }>
}

export interface QueueBulkResult {
  matched: number
  changed: number
  skipped: number
}

export interface LogRecordRow {
  /** Stable within a search: `<inode>:<offset>`. */
  id: string
  time: string
  kind: 'message' | 'connection'
  action: string
  modifiers: string
  label: string
  source: string
  destination: string
  from: string
  originalTo: string
  to: string
  /** Blocks (BLOCK_SIZE bytes, 1 KB by default). */
  size: number | null
  messageId: string | null
  diagnostic: string
  raw: string
}

/** Selection of queue entries: the MTA's own `imsimta qm` filters (queue/filter.ts), without raw keys. */
export type QueueFilterInput = Omit<QueueFilter, 'keys'>

/**
 * The daemon's queue as the API sees it (apps/server/src/admin/api-deps.ts builds it with
 * `openQueuePort`, queue-port.ts): every call takes the caller's scope — `null` for every entry, or
 * the lower-case domains of a delegated administrator (sender or a recipient in one of them).
 */
export interface QueuePort {
  summary(scope: string[] | null): QueueChannelSummary[]
  list(filter: QueueFilterInput, scope: string[] | null, page: { cursor?: string; limit: number; order: 'oldest' | 'newest' }): { items: QueueEntryRow[]; nextCursor?: string; total: number; totalCapped: boolean }
  count(filter: QueueFilterInput, scope: string[] | null): number
  get(key: string, scope: string[] | null): Promise<QueueEntryDetail | undefined>
  /** Keys among `keys` that exist and are in scope. */
  inScope(keys: string[], scope: string[] | null): Set<string>
  act(action: QueueAction, sel: { keys?: string[]; filter?: QueueFilterInput }, scope: string[] | null): Promise<QueueBulkResult>
  close(): void
}

export type QueueAction = 'hold' | 'release' | 'retry' | 'delete' | 'return'

/** mail.log search: the MTA's log query (maillog/search.ts); the scope is the caller's, never the client's. */
export type LogSearchInput = Omit<LogQuery, 'scope'>

/** mail.log (and connection.log) search through the MTA parser (maillog/search.ts). */
export interface MailLogPort {
  search(query: LogSearchInput, scope: string[] | null, page: { cursor?: string; limit: number; maxBytes: number; file: 'mail' | 'connection' }): Promise<{ items: LogRecordRow[]; nextCursor?: string; scanned: number; budgetExhausted: boolean }>
  /** Whether connection records go to their own file (LOG_CONNECTION with SEPARATE_CONNECTION_LOG). */
  separateConnectionLog(): boolean
}
