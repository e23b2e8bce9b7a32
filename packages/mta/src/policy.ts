// Public API of the MTA policy layer (owner: H6): mapping tables and access probes, rewrite rules
// and channels, mail.log / connection.log. packages/mta/src/index.ts re-exports this file.
//
// Quick use from the SMTP server / job controller:
//   const policy = createPolicy({ config, hostname })
//   const conn = await policy.portAccess({ localIp, localPort, remoteIp, remotePort, dispatcher: true })
//   const src  = await policy.sourceChannel({ listenerChannel: 'tcp_local', remoteIp, authenticated })
//   const rw   = policy.rewriteAddress('joe@example.org')          // → { channel, address, host, routeTag }
//   const acc  = await policy.recipientAccess({ ... })            // ORIG_SEND_ACCESS + ORIG_MAIL_ACCESS
//   if (!acc.accept) reply(acc.reply!)                            // e.g. '530 5.7.1 Relaying not permitted: x@y'
//   const log  = openMailLog({ dataRoot, config, channelLogging: (c) => policy.channelConfig(c)?.logging ?? false })
//   log.message({ action: 'E', modifiers: 'E', source: src, destination: rw.channel, … })

// ---- mapping tables (spec 01 §12) -------------------------------------------------------------
export type {
  MappingEntry, MappingTable, MappingResult, InputFlags, CalloutFn, CalloutResult, CalloutContext,
} from './mapping/types.js'
/** Parse the product's mapping file text (`TABLE` line, indented `pattern template` lines, `!` comments, `\` continuation). */
export { parseMappingText, tableFromLines, formatMappingTable } from './mapping/table.js'
/** Compile/match one pattern (exposed for `imsimta test -match`). */
export { compilePattern, matchPattern } from './mapping/pattern.js'
/** The engine: `new MappingEngine(tables).lookup('PORT_ACCESS', probe, 'A')`. */
export { MappingEngine } from './mapping/engine.js'
/** Callout registry: `registerCallout('check_metermaid', (routine, args) => …)`. */
export { registerCallout, unregisterCallout, findCallout } from './mapping/callouts.js'
/** Probe string builders for PORT_ACCESS, FROM_ACCESS, ORIG_SEND_ACCESS, SEND_ACCESS, ORIG_MAIL_ACCESS, MAIL_ACCESS. */
export {
  portAccessProbe, fromAccessProbe, sendAccessProbe, mailAccessProbe, normalizeIp,
  type PortInfo, type FromAccessInfo, type SendAccessInfo, type MailAccessInfo,
} from './mapping/probes.js'
/** Default (closed-relay) tables and loading tables from `mapping:<TABLE>.rule` options. */
export { defaultMappingTables, mappingTablesFromConfig, hostAddresses } from './mapping/defaults.js'
/** Turning a mapping answer into an SMTP reply (530/550 5.7.1 relay rule). */
export { accessReply, type AccessDecision, type AccessStage } from './mapping/access.js'
/** `imsimta test -mapping` and `imsimta test -match` */
export { runTestMapping } from './mapping/test-mapping-command.js'
export { runTestMatch } from './mapping/test-match-command.js'

// ---- channels and rewrite rules (spec 01 §9) --------------------------------------------------
export {
  type ChannelConfig, ChannelSet, DEFAULT_CHANNEL_BLOCKS, channelsFromConfig, parseDuration,
} from './channels/channels.js'
export {
  type RewriteRule, type RewriteResult, type RewriteOptions, Rewriter, parseRewriteRule,
  defaultRewriteRules, rewriteRulesFromConfig, splitAddress, localDomainsFromConfig, buildRewriter, type MappingLookup,
} from './rewrite/rewrite.js'
/** `imsimta test -rewrite [-debug] address` */
export { runTestRewrite } from './rewrite/test-rewrite-command.js'

// ---- mail.log (spec 01 §22) -------------------------------------------------------------------
export {
  type LogRecord, type MessageLogRecord, type ConnectionLogRecord, type HeaderLogRecord, type ActionCode,
  type ConnectionAction, ACTION_CODES, MODIFIER_CODES, CONNECTION_CODES,
} from './maillog/record.js'
export { type LogOptions, logOptionsFromConfig, DEFAULT_LOG_OPTIONS } from './maillog/options.js'
export { formatLogRecord, formatLogTime, formatXmlTime } from './maillog/format.js'
export { parseLogLine, parseLogText, type ParsedLogLine } from './maillog/parse.js'
export { readMailLog } from './maillog/read.js'
export { MailLog, openMailLog, type MailLogInit } from './maillog/writer.js'
export { rolloverMailLogs, msUntilMidnight, startDailyRollover } from './maillog/rollover.js'

// ---- the facade the SMTP server and job controller use ---------------------------------------
import { hostname as osHostname } from 'node:os'
import type { ConfigView } from '@wren/kernel'
import { MappingEngine as Engine } from './mapping/engine.js'
import { mappingTablesFromConfig as tablesFromConfig } from './mapping/defaults.js'
import {
  portAccessProbe as portProbe, fromAccessProbe as fromProbe, sendAccessProbe as sendProbe,
  mailAccessProbe as mailProbe, normalizeIp as normIp, type PortInfo as Port, type FromAccessInfo as FromInfo,
} from './mapping/probes.js'
import { refuse, extraFlags, type AccessDecision as Decision, type AccessStage as Stage } from './mapping/access.js'
import type { MappingTable as Table } from './mapping/types.js'
import { channelsFromConfig as loadChannels, type ChannelConfig as Channel, type ChannelSet as Channels } from './channels/channels.js'
import {
  Rewriter as RewriterImpl, defaultRewriteRules as defaultRules, rewriteRulesFromConfig as configuredRules, localDomainsFromConfig,
  type RewriteOptions as RwOptions, type RewriteResult as RwResult,
} from './rewrite/rewrite.js'

export interface PolicyInit {
  config: ConfigView
  /** Official host name: tag of the `l` channel (default `base.hostname`, then the machine's name). */
  hostname?: string
  /** Domains whose addresses go to the `l` channel (default `base.defaultdomain` / `mta.local_domains`). */
  localDomains?: string[]
  /** Addresses of this host for the default INTERNAL_IP table (default: the interfaces'). */
  hostAddresses?: string[]
  /** Replace the mapping tables entirely (tests, `imsimta test -mapping -mapping_file`). */
  mappingTables?: Table[]
}

/** Everything a recipient-stage check needs; `stage: 'original'` (RCPT, before alias expansion) is the default. */
export interface RecipientCheck extends Partial<Port> {
  stage?: 'original' | 'expanded'
  sourceChannel: string
  sender: string
  /** Destination channel from the rewrite (`l` for local recipients). */
  destinationChannel: string
  recipient: string
  authenticated?: boolean
  tls?: boolean
  /** SMTP AUTH is offered on this session (decides 530 vs 550). */
  authAvailable?: boolean
  application?: string
  spares?: string[]
}

export interface Policy {
  readonly mapping: Engine
  readonly channels: Channels
  readonly rewriter: RewriterImpl
  readonly hostname: string
  /** Rewrite an address and choose its channel. */
  rewriteAddress(address: string, opts?: RwOptions): RwResult
  /** The same, also applying rules whose templates look up mapping tables (`${TABLE,$U}`). */
  rewriteAddressAsync(address: string, opts?: RwOptions): Promise<RwResult>
  channelConfig(name: string): Channel | undefined
  /** INTERNAL_IP says yes. */
  isInternal(ip: string): Promise<boolean>
  /**
   * PORT_ACCESS at connect. `dispatcher: true` sets input flag A (spec 01 §10) — call it so exactly
   * once per connection. An accepted answer's text (`EXTERNAL`) is returned as `tag`.
   */
  portAccess(p: Port & { dispatcher?: boolean }): Promise<Decision>
  /**
   * The channel a session's messages come from: `saslswitchchannel` after AUTH (tcp_local → tcp_auth),
   * `tcp_intranet` for INTERNAL_IP clients of a `switchchannel` listener, else the listener's channel.
   */
  sourceChannel(p: { listenerChannel: string; remoteIp: string; authenticated?: boolean }): Promise<string>
  /** FROM_ACCESS at MAIL FROM. */
  fromAccess(p: FromInfo & { authenticated?: boolean; tls?: boolean; authAvailable?: boolean }): Promise<Decision>
  /** ORIG_SEND_ACCESS + ORIG_MAIL_ACCESS (stage original) or SEND_ACCESS + MAIL_ACCESS (expanded). */
  recipientAccess(p: RecipientCheck): Promise<Decision>
  /** `mta.delivery_options` and the default domain, for the local recipient expansion (spec 01 §16). */
  expansionSettings(): { deliveryOptions?: string; defaultDomain?: string }
  /** Re-read tables, rules and channels from the configuration (done automatically on config changes). */
  reload(): void
  /** Stop following configuration changes. */
  close(): void
}

/** Build the policy layer from the configuration. */
export function createPolicy(init: PolicyInit): Policy {
  const config = init.config
  const hostname = init.hostname ?? (String(config.find('base.hostname') ?? '') || osHostname())
  let mapping!: Engine
  let channels!: Channels
  let rewriter!: RewriterImpl
  const build = () => {
    mapping = new Engine(init.mappingTables ?? tablesFromConfig(config, init.hostAddresses))
    channels = loadChannels(config, { hostname })
    const domains = init.localDomains ?? localDomainsFromConfig(config, hostname)
    rewriter = new RewriterImpl([...configuredRules(config), ...defaultRules({ hostname, localDomains: domains })], channels, domains[0] ?? hostname)
  }
  build()

  const flagsOf = (p: { authenticated?: boolean; tls?: boolean }) => `${p.authenticated ? 'S' : ''}${p.tls ? 'T' : ''}`

  const policy: Policy = {
    get mapping() { return mapping },
    get channels() { return channels },
    get rewriter() { return rewriter },
    hostname,
    rewriteAddress: (address, opts) => rewriter.rewrite(address, opts),
    rewriteAddressAsync: (address, opts) => rewriter.rewriteAsync(address, mapping, opts),
    channelConfig: (name) => channels.get(name),
    async isInternal(ip) {
      const r = await mapping.lookup('INTERNAL_IP', normIp(ip))
      return r.matched && r.accept
    },
    async portAccess(p) {
      const r = await mapping.lookup('PORT_ACCESS', portProbe(p), p.dispatcher ? 'A' : '')
      if (r.matched && r.reject) return refuse('PORT_ACCESS', r)
      return { accept: true, table: 'PORT_ACCESS', ...(r.matched ? { result: r, tag: r.text } : {}), flags: extraFlags(r.flags) }
    },
    async sourceChannel(p) {
      const listener = channels.get(p.listenerChannel)
      if (p.authenticated && listener?.saslswitchchannel && channels.get(listener.saslswitchchannel)) return listener.saslswitchchannel
      const intranet = channels.get('tcp_intranet')
      if (listener?.has('switchchannel') && intranet?.has('allowswitchchannel') && await policy.isInternal(p.remoteIp)) return intranet.name
      return p.listenerChannel
    },
    async fromAccess(p) {
      const r = await mapping.lookup('FROM_ACCESS', fromProbe(p), flagsOf(p))
      if (r.matched && r.reject) return refuse('FROM_ACCESS', r, { address: p.sender, authAvailable: p.authAvailable, authenticated: p.authenticated })
      return { accept: true, table: 'FROM_ACCESS', ...(r.matched ? { result: r } : {}), flags: extraFlags(r.flags) }
    },
    async recipientAccess(p) {
      const original = (p.stage ?? 'original') === 'original'
      const sendTable: Stage = original ? 'ORIG_SEND_ACCESS' : 'SEND_ACCESS'
      const mailTable: Stage = original ? 'ORIG_MAIL_ACCESS' : 'MAIL_ACCESS'
      const flags = flagsOf(p)
      const ctx = { address: p.recipient, authAvailable: p.authAvailable, authenticated: p.authenticated }
      let extra = ''
      const send = await mapping.lookup(sendTable, sendProbe(p), flags)
      if (send.matched && send.reject) return refuse(sendTable, send, ctx)
      extra += extraFlags(send.flags)
      const mail = await mapping.lookup(mailTable, mailProbe(p), flags)
      if (mail.matched && mail.reject) return refuse(mailTable, mail, ctx)
      extra += extraFlags(mail.flags)
      const decided = mail.matched ? mail : send.matched ? send : undefined
      return { accept: true, table: mail.matched ? mailTable : sendTable, ...(decided ? { result: decided } : {}), flags: extra }
    },
    expansionSettings: () => ({
      deliveryOptions: (config.find<string>('mta.delivery_options') ?? undefined) || undefined,
      defaultDomain: config.find<string>('base.defaultdomain') ?? undefined,
    }),
    reload: build,
    close: () => unsubscribe(),
  }
  // `refresh`: rebuild when a mapping table, rewrite rule, channel or the host's domains change.
  const unsubscribe = config.onChange((changed) => {
    if (changed.some((n) => /^(mapping:|rewrite\.rule$|channel:|base\.(defaultdomain|hostname)$|mta\.local_domains$)/i.test(n))) build()
  })
  return policy
}
