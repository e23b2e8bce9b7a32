// Channel definitions (spec 01 §9): a block is `name keyword [args]…` (`\` continues the line),
// then the channel tag (official host name) on the next line; blocks are separated by one blank
// line and `!` starts a comment. A first block named `defaults` supplies keywords to every channel.
// In unified configuration each keyword is an option `channel:<name>.<keyword> [value]` and the tag is
// `channel:<name>.official_host_name`; those options overlay the default channel set below.
import type { ConfigView, OptionValue } from '@wren/kernel'

export interface ChannelBlock {
  name: string
  officialHostName: string
  /** keyword → arguments (empty for a flag keyword), in written order. */
  keywords: Map<string, string[]>
}

export interface ChannelConfig {
  readonly name: string
  readonly officialHostName: string
  readonly keywords: ReadonlyMap<string, readonly string[]>
  has(keyword: string): boolean
  /** First argument of a keyword, if set with one. */
  arg(keyword: string): string | undefined
  readonly smtp: boolean
  readonly lmtp: boolean
  /** `mx` (default for smtp channels) vs `nomx`. */
  readonly mx: boolean
  readonly singleSys: boolean
  readonly maxjobs: number
  readonly pool?: string
  /** Retry intervals in seconds (`backoff "pt5m" "pt10m" …`); empty when not set. */
  readonly backoff: number[]
  /** `notices` in days: warnings at each but the last, return after the last. */
  readonly notices: number[]
  readonly logging: boolean
  readonly maytlsserver: boolean
  readonly musttlsserver: boolean
  readonly maysaslserver: boolean
  readonly mustsaslserver: boolean
  readonly saslswitchchannel?: string
  readonly port: number
  readonly daemon?: string
  readonly subdirs: number
}

/** How many arguments a keyword takes ('list' = every following number or quoted string). */
const ARGS: Record<string, number | 'list'> = {
  maxjobs: 1, subdirs: 1, port: 1, pool: 1, saslswitchchannel: 1, tlsswitchchannel: 1,
  daemon: 1, fileinto: 1, charset7: 1, charset8: 1, charsetesc: 1, defaulthost: 'list',
  notices: 'list', backoff: 'list', threaddepth: 1, filesperjob: 1, maxblocks: 1, maxlines: 1,
  blocklimit: 1, linelimit: 1, sourceblocklimit: 1, holdlimit: 1, recipientlimit: 1, futurerelease: 1,
  max_b_entries: 1, mtprioritiesallowed: 'list', mtprioritiesrequired: 'list', after: 1, lastresort: 1,
  alternatechannel: 1, alternateblocklimit: 1, alternatelinelimit: 1, alternaterecipientlimit: 1,
  addrsperfile: 1, addrsperjob: 1, maxprocchars: 1, deferredrecipientlimit: 1, missingrecipientpolicy: 1,
  disconnectbadauthlimit: 1, disconnectbadcommandlimit: 1, disconnectrecipientlimit: 1,
  disconnecttransactionlimit: 1, transactionlimit: 1, urlauthtimeout: 1, deliveryflags: 1,
  headerlabelalign: 1, headerlinelength: 1, maxheaderaddrs: 1, maxheaderchars: 1,
}

/** Keywords that exclude each other: setting one removes the others (spec 01 §1: `mx` removes `nomx`). */
const GROUPS: string[][] = [
  ['mx', 'nomx', 'randommx', 'nonrandommx', 'defaultmx'],
  ['single_sys', 'single', 'multiple'],
  ['logging', 'nologging'],
  ['maytlsserver', 'musttlsserver', 'notlsserver'],
  ['maytlsclient', 'musttlsclient', 'notlsclient', 'maytls', 'musttls', 'notls'],
  ['maysaslserver', 'mustsaslserver', 'nosasl', 'nosaslserver'],
  ['switchchannel', 'noswitchchannel', 'allowswitchchannel', 'noallowswitchchannel'],
  ['smtp', 'smtp_cr', 'smtp_crlf', 'smtp_crorlf', 'smtp_lf'],
  ['master_debug', 'nomaster_debug'],
  ['slave_debug', 'noslave_debug'],
  ['defragment', 'nodefragment'],
]
const GROUP_OF = new Map<string, string[]>()
for (const g of GROUPS) for (const k of g) GROUP_OF.set(k, g)

/**
 * The default channel set (spec 01 §9 channel names; the `defaults` line is the manual's
 * "To Enable MTA Logging on All Channels" example without `defaulthost`/`logging`). `@HOST@` is
 * replaced by this host's official name.
 */
export const DEFAULT_CHANNEL_BLOCKS = `
defaults notices 1 2 4 7 copywarnpost copysendpost postheadonly noswitchchannel immnonurgent maxjobs 7

! delivery channel to local domains; resolved through the directory to ims-ms
l subdirs 20 viaaliasrequired maxjobs 7
@HOST@

ims-ms defragment subdirs 20 notices 1 7 14 21 28 backoff "pt5m" "pt10m" "pt30m" "pt1h" "pt2h" "pt4h" maxjobs 2 pool IMS_POOL fileinto $U+$S@$D
ims-ms-daemon

tcp_local smtp mx single_sys subdirs 20 dequeue_removeroute maxjobs 7 pool SMTP_POOL maytlsserver maysaslserver saslswitchchannel tcp_auth switchchannel
tcp-daemon

tcp_intranet smtp mx single_sys subdirs 20 dequeue_removeroute maxjobs 7 pool SMTP_POOL maytlsserver allowswitchchannel saslswitchchannel tcp_auth
tcp_intranet-daemon

tcp_auth smtp mx single_sys mustsaslserver maytlsserver
tcp_auth-daemon

tcp_submit submit smtp mx single_sys mustsaslserver maytlsserver
tcp_submit-daemon

tcp_lmtpcs defragment lmtp port 225 nomx single_sys subdirs 20 maxjobs 7 pool SMTP_POOL dequeue_removeroute
lmtpcs-daemon

tcp_lmtpss lmtp flagtransfer identnonenumeric
tcp_lmtpss-daemon

bitbucket
bitbucket-daemon

hold
hold-daemon

process
process-daemon

conversion
conversion-daemon

reprocess
reprocess-daemon
`

function tokenize(line: string): string[] {
  const out: string[] = []
  const re = /"([^"]*)"|(\S+)/g
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] !== undefined ? m[1] : m[2]!)
  return out
}

const isNumber = (s: string) => /^-?\d+$/.test(s)
const isDuration = (s: string) => /^p/i.test(s) && parseDuration(s) !== undefined

/** Parse the keyword list of a channel's first line. */
export function parseKeywords(tokens: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (let i = 0; i < tokens.length; i++) {
    const kw = tokens[i]!.toLowerCase()
    const n = ARGS[kw]
    const args: string[] = []
    if (n === 'list') {
      while (i + 1 < tokens.length && (isNumber(tokens[i + 1]!) || isDuration(tokens[i + 1]!) || kw === 'defaulthost' && args.length < 2)) args.push(tokens[++i]!)
    } else if (typeof n === 'number') {
      for (let k = 0; k < n && i + 1 < tokens.length; k++) args.push(tokens[++i]!)
    } else {
      // unknown keyword: numeric arguments belong to it
      while (i + 1 < tokens.length && isNumber(tokens[i + 1]!)) args.push(tokens[++i]!)
    }
    setKeyword(out, kw, args)
  }
  return out
}

function setKeyword(map: Map<string, string[]>, kw: string, args: string[]): void {
  for (const other of GROUP_OF.get(kw) ?? []) if (other !== kw) map.delete(other)
  map.set(kw, args)
}

/** Parse channel blocks (the `msconfig edit channels` text). */
export function parseChannelBlocks(text: string): ChannelBlock[] {
  const blocks: ChannelBlock[] = []
  const lines: string[] = []
  let pending = ''
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*!/.test(raw)) continue
    const line = raw.replace(/\s+$/, '')
    if (line.endsWith('\\')) { pending += line.slice(0, -1) + ' '; continue }
    lines.push(pending + line)
    pending = ''
  }
  let i = 0
  while (i < lines.length) {
    if (!lines[i]!.trim()) { i++; continue }
    const [name = '', ...rest] = tokenize(lines[i]!)
    const keywords = parseKeywords(rest)
    let tag = ''
    if (name !== 'defaults' && i + 1 < lines.length && lines[i + 1]!.trim()) {
      tag = lines[i + 1]!.trim().split(/\s+/)[0]!
      i++
    }
    blocks.push({ name, officialHostName: tag, keywords })
    i++
  }
  return blocks
}

/** ISO 8601 duration (`pt5m`, `p1d`, `pt1h30m`) or plain seconds → seconds. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim()
  if (/^\d+$/.test(s)) return Number(s)
  const m = /^p(?:(\d+)w)?(?:(\d+)d)?(?:t(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?)?$/i.exec(s)
  if (!m || s.length <= 1 || /t$/i.test(s)) return undefined
  const [, w, d, h, mi, se] = m
  return Number(w ?? 0) * 604800 + Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(mi ?? 0) * 60 + Number(se ?? 0)
}

function makeChannel(name: string, officialHostName: string, keywords: Map<string, string[]>): ChannelConfig {
  const has = (k: string) => keywords.has(k.toLowerCase())
  const arg = (k: string) => keywords.get(k.toLowerCase())?.[0]
  const num = (k: string, dflt: number) => {
    const v = Number(arg(k))
    return arg(k) !== undefined && Number.isFinite(v) ? v : dflt
  }
  const smtp = has('smtp') || has('smtp_cr') || has('smtp_crlf') || has('smtp_crorlf') || has('smtp_lf')
  const lmtp = has('lmtp')
  return {
    name,
    officialHostName,
    keywords,
    has,
    arg,
    smtp,
    lmtp,
    mx: (smtp || lmtp) && !has('nomx'),
    singleSys: has('single_sys') || has('single'),
    maxjobs: num('maxjobs', 1),
    pool: arg('pool'),
    backoff: (keywords.get('backoff') ?? []).map((b) => parseDuration(b)).filter((n): n is number => n !== undefined),
    notices: (keywords.get('notices') ?? []).map(Number).filter((n) => Number.isFinite(n)),
    logging: has('logging'),
    maytlsserver: has('maytlsserver') || has('musttlsserver'),
    musttlsserver: has('musttlsserver'),
    maysaslserver: has('maysaslserver') || has('mustsaslserver'),
    mustsaslserver: has('mustsaslserver'),
    saslswitchchannel: arg('saslswitchchannel'),
    port: num('port', lmtp ? 225 : 25),
    daemon: arg('daemon'),
    subdirs: num('subdirs', 0),
  }
}

/** The effective channel table. */
export class ChannelSet {
  private readonly byName = new Map<string, ChannelConfig>()
  private readonly byTag = new Map<string, ChannelConfig>()

  constructor(blocks: ChannelBlock[]) {
    const defaults = blocks.find((b) => b.name === 'defaults')?.keywords ?? new Map<string, string[]>()
    for (const b of blocks) {
      if (b.name === 'defaults') continue
      const merged = new Map<string, string[]>()
      for (const [k, v] of defaults) setKeyword(merged, k, v)
      for (const [k, v] of b.keywords) setKeyword(merged, k, v)
      const ch = makeChannel(b.name, b.officialHostName || `${b.name}-daemon`, merged)
      this.byName.set(b.name.toLowerCase(), ch)
    }
    for (const ch of this.byName.values()) this.byTag.set(ch.officialHostName.toLowerCase(), ch)
    // `<channel>-daemon` always reaches the channel too, even when its official host name differs.
    for (const ch of this.byName.values()) {
      const alias = `${ch.name}-daemon`.toLowerCase()
      if (!this.byTag.has(alias)) this.byTag.set(alias, ch)
    }
  }

  get(name: string): ChannelConfig | undefined {
    return this.byName.get(name.toLowerCase())
  }

  /** The channel whose official host name (channel tag) is `tag`. */
  byHost(tag: string): ChannelConfig | undefined {
    return this.byTag.get(tag.toLowerCase())
  }

  names(): string[] {
    return [...this.byName.values()].map((c) => c.name)
  }

  all(): ChannelConfig[] {
    return [...this.byName.values()]
  }
}

function optionArgs(kw: string, value: OptionValue): string[] | null {
  const takesArgs = ARGS[kw] !== undefined && ARGS[kw] !== 0
  if (value === false || value === 'false' || value === 'no') return null
  if (!takesArgs && (value === 0 || value === '0')) return null
  if (value === true || value === '') return []
  if (Array.isArray(value)) return value.flatMap((v) => tokenize(String(v)))
  const args = tokenize(String(value))
  // a flag keyword set to 1 is just "on"
  return !takesArgs && args.length === 1 && args[0] === '1' ? [] : args
}

/**
 * Default blocks overlaid with `channel:<name>.<keyword>` options. A keyword option set to 0/false
 * removes the keyword; `official_host_name` sets the tag; a channel that only exists in options is
 * added. For a flag keyword (no arguments) any other value (`1`, `""`, true) sets it.
 */
export function channelsFromConfig(config: ConfigView, opts: { hostname: string }): ChannelSet {
  const blocks = parseChannelBlocks(DEFAULT_CHANNEL_BLOCKS.replace(/@HOST@/g, opts.hostname))
  const byName = new Map(blocks.map((b) => [b.name.toLowerCase(), b]))
  for (const { name, value } of config.list('channel:*')) {
    const m = /^channel:([^.]+)\.(.+)$/i.exec(name)
    if (!m) continue
    const chName = m[1]!
    const kw = m[2]!.toLowerCase()
    let b = byName.get(chName.toLowerCase())
    if (!b) {
      b = { name: chName, officialHostName: '', keywords: new Map() }
      byName.set(chName.toLowerCase(), b)
      blocks.push(b)
    }
    if (kw === 'official_host_name') { b.officialHostName = String(value); continue }
    const args = optionArgs(kw, value)
    if (args === null) { b.keywords.delete(kw); continue }
    setKeyword(b.keywords, kw, args)
  }
  return new ChannelSet(blocks)
}
