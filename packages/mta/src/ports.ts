// Ports: what the MTA transport needs from its neighbours, kept small so that the real
// implementations (H6 policy, H3 directory, H4 store) are wired at integration without changes here.
import type { MailStore } from '@wren/store/types'

/** Directory answer for one address (spec 01 §16; aliases/groups expanded by the provider). */
export type AddressResolution =
  | {
      kind: 'user'
      /** Store user id (`joe` in the default domain, `joe@domain` elsewhere, as the store names it). */
      uid: string
      /** The user's primary address. */
      mail: string
      /** `inetUserStatus` / `mailUserStatus`: active | inactive | deleted | hold | overquota | removed. */
      status?: string
      /** `mailDeliveryOption` values (mailbox, forward, autoreply, hold, nomail…). */
      deliveryOptions?: string[]
      /** `mailForwardingAddress` values (used when deliveryOptions has `forward`). */
      forwardingAddresses?: string[]
      /** `mailHost`: when not this host, the message is routed by LMTP/SMTP to it. */
      mailHost?: string
      /** `+detail` sub-address (a folder), when the address carried one. */
      detail?: string
      /** The user's canonical domain (`$D` of delivery_options when the address is an alias). */
      domain?: string
      /** `cn`: the personal name on vacation replies (`mta.ldap_personal_name`). */
      cn?: string
      /** Other addresses of the user (mailAlternateAddress, mailEquivalentAddress): vacation's `:addresses`. */
      addresses?: string[]
      /** Vacation / autoreply attributes (spec 01 §16). */
      vacation?: VacationAttributes
      /** `preferredLanguage`: the language of replies to this user when they are the sender (spec 01 §7). */
      preferredLanguage?: string
    }
  | { kind: 'group'; mail: string; members: string[]; status?: string; /** members | members_offline | file */ deliveryOptions?: string[] }
  | { kind: 'none' }

/** LDAP vacation attributes (spec 01 §16), as the directory holds them. */
export interface VacationAttributes {
  /** `vacationStartDate` / `vacationEndDate`: `YYYYMMDDHHMMSSZ` (GMT). */
  start?: string
  end?: string
  /** `mailAutoReplyMode`: echo | reply | (anything else: MDN with the original headers). */
  mode?: string
  subject?: string
  /** For external senders; without it, externals get no reply. */
  text?: string
  /** For senders in the user's domain; falls back to `text`. */
  textInternal?: string
  /** `mailAutoReplyTimeOut` in hours (0 = every message). */
  timeout?: number
  /**
   * Language-tagged values (`mailAutoReplySubject;lang-fr`, `mailAutoReplyText;lang-fr`,
   * `mailAutoReplyTextInternal;lang-fr`), keyed by the lower-case tag after `lang-` (`fr`, `fr-ca`).
   */
  variants?: Record<string, { subject?: string; text?: string; textInternal?: string }>
}

export interface RecipientDirectory {
  resolveAddress(address: string): Promise<AddressResolution>
  /** SMTP AUTH (PLAIN/LOGIN). Resolves the authenticated identity or null. */
  authenticate(user: string, password: string): Promise<{ uid: string; mail?: string } | null>
}

/** A directory for tests/tools: a fixed user/group list. Real lookups come from @wren/directory. */
export function staticDirectory(entries: {
  users?: Array<{ uid: string; mail: string; password?: string; aliases?: string[]; status?: string; forward?: string[]; deliveryOptions?: string[]; cn?: string; vacation?: VacationAttributes; preferredLanguage?: string }>
  groups?: Array<{ mail: string; members: string[]; deliveryOptions?: string[] }>
}): RecipientDirectory {
  const byAddr = new Map<string, AddressResolution>()
  const pw = new Map<string, { uid: string; mail: string; password?: string }>()
  for (const u of entries.users ?? []) {
    const r: AddressResolution = {
      kind: 'user', uid: u.uid, mail: u.mail, status: u.status,
      forwardingAddresses: u.forward, deliveryOptions: u.deliveryOptions ?? (u.forward ? ['forward'] : ['mailbox']),
      domain: u.mail.slice(u.mail.lastIndexOf('@') + 1).toLowerCase(), cn: u.cn, addresses: u.aliases, vacation: u.vacation, preferredLanguage: u.preferredLanguage,
    }
    byAddr.set(u.uid.includes('@') ? u.uid.toLowerCase() : `${u.uid}@${u.mail.slice(u.mail.lastIndexOf('@') + 1)}`.toLowerCase(), r)
    for (const a of [u.mail, ...(u.aliases ?? [])]) byAddr.set(a.toLowerCase(), r)
    pw.set(u.uid.toLowerCase(), u)
    pw.set(u.mail.toLowerCase(), u)
  }
  for (const g of entries.groups ?? []) byAddr.set(g.mail.toLowerCase(), { kind: 'group', mail: g.mail, members: g.members, deliveryOptions: g.deliveryOptions })
  return {
    async resolveAddress(address) { return byAddr.get(address.toLowerCase()) ?? { kind: 'none' } },
    async authenticate(user, password) {
      const u = pw.get(user.toLowerCase())
      return u && u.password !== undefined && u.password === password ? { uid: u.uid, mail: u.mail } : null
    },
  }
}

/** Result of routing one address through the rewrite rules (spec 01 §9). */
export interface RouteResult {
  /** Destination channel (`ims-ms`, `tcp_local`, `l`, `bitbucket`, `hold`, `tcp_lmtpcs`…). */
  channel: string
  /** The rewritten envelope address. */
  address: string
  /** Destination host for SMTP/LMTP channels (domain or `[ip]`), when the rule gives one. */
  host?: string
}

/** An access-check verdict from a mapping table (spec 01 §12). */
export interface AccessVerdict {
  accept: boolean
  /** SMTP reply code and enhanced status to use on rejection (e.g. 530, '5.7.1'). */
  code?: number
  enhanced?: string
  text?: string
}

/** What one SMTP transaction looks like to the access probes. */
export interface ProbeContext {
  localIp: string
  localPort: number
  remoteIp: string
  remotePort: number
  /** `$:A` dispatcher, `$:S` authenticated (SASL), `$:T` TLS. */
  authenticated: boolean
  tls: boolean
  /** Source channel after switchchannel (`tcp_local`, `tcp_intranet`, `tcp_auth`, `tcp_submit`…). */
  sourceChannel: string
  /** Application string for ORIG_MAIL_ACCESS (`SMTP`, `ESMTP`, `LMTP`). */
  application: string
}

/**
 * Policy port: rewrite rules + mapping-table probes. H6's engine (packages/mta/src/policy.ts) is
 * adapted to this in policy-adapter.ts.
 */
export interface MtaPolicy {
  route(address: string): Promise<RouteResult>
  /** Is the domain one of ours (its mail goes to the store / local channels)? */
  isLocalChannel(channel: string): boolean
  /**
   * Settings of the local recipient expansion (spec 01 §16): `mta.delivery_options` and the default
   * domain (`$I` is the hosted domain of store ids outside it). Absent → the product's defaults.
   */
  expansionSettings?(): { deliveryOptions?: string; defaultDomain?: string }
  /** INTERNAL_IP → the source channel switch (tcp_local vs tcp_intranet), `$:A` PORT_ACCESS. */
  portAccess(ctx: ProbeContext): Promise<AccessVerdict>
  /** Source channel for a connection (tcp_intranet for INTERNAL_IP, tcp_auth after AUTH…). */
  sourceChannel(ctx: ProbeContext, listenerChannel: string): Promise<string>
  fromAccess(ctx: ProbeContext, sender: string): Promise<AccessVerdict>
  /**
   * One recipient's access check (spec 01 §12): stage `original` (default) probes ORIG_SEND_ACCESS and
   * ORIG_MAIL_ACCESS with the address given in RCPT TO; stage `expanded` probes SEND_ACCESS and
   * MAIL_ACCESS with each address it expanded to (aliases, groups, forwarding) and its channel.
   */
  recipientAccess(ctx: ProbeContext, sender: string, recipient: string, route: RouteResult, stage?: 'original' | 'expanded'): Promise<AccessVerdict>
}

/** Delivery into the message store: the MailStore subset the ims-ms channel uses. */
export type LocalStore = Pick<MailStore, 'deliverBatch' | 'userExists'>

/** One mail.log message record as the transport emits it (adapted to H6's MailLog). */
export interface TransportLogMessage {
  /** E D Q R J K W Z V B S (spec 01 §22). */
  action: string
  /** A SASL, E ESMTP, L LMTP, Q PIPELINING, S TLS … */
  modifiers?: string
  source: string
  destination?: string
  /** Bytes; the writer converts to blocks. */
  size: number
  from: string
  origTo?: string
  to?: string
  status?: string
  messageId?: string
  filename?: string
  username?: string
  /** Transport info `dns;host (TCP|lip|lport|rip|rport)` for SMTP lines. */
  transport?: string
  /** Seconds in queue (LOG_QUEUE_TIME). */
  queueTime?: number
  /**
   * Not the first record of its message in this batch of records (its second, third … recipient):
   * the channel counters count it as a recipient, not as another message (spec 02 §2). Not logged.
   */
  sameMessage?: boolean
}

export interface TransportLogConnection {
  /** O C T U X Y (spec 01 §22). */
  action: string
  direction: '+' | '-'
  channel: string
  /** `TCP|lip|lport|rip|rport` */
  transport: string
  application: string
  diagnostic?: string
  username?: string
}

export interface TransportLog {
  message(r: TransportLogMessage): void
  connection(r: TransportLogConnection): void
  flush?(): Promise<void> | void
  /**
   * Writes the buffered lines to the file now: called before the state they record is committed
   * (an SMTP 250, a delivered entry removed), so that a killed process has not lost them.
   */
  sync?(): void
  close?(): Promise<void> | void
}

export const nullTransportLog: TransportLog = { message() {}, connection() {} }
