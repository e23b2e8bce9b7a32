// Output shapes of the admin API (issue 6 contract, /work/briefs/S2-console-contract.md). Plain JSON:
// no transformer, dates as ISO strings, -1 = unlimited for quota limits.

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
