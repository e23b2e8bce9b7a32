// Rewrite rules (spec 01 §9): `pattern template`, e.g. `example.org $U%D@tcp_example-daemon`.
// The domain part of an address selects the rule, most specific first: the whole host
// (`a.b.example.org`), then its parents with a leading dot (`.b.example.org`, `.example.org`,
// `.org`), then `.` and finally `$*`; a domain literal (`[192.0.2.1]`) tries itself, `[]`, `$*`. Rules with the same pattern are tried in the order written;
// a rule that does not apply ($E/$F/$B context, $N) passes to the next one.
//
// Template: `user%host@channel-tag` — the text before the first `%` becomes the local part, the text
// between `%` and the last `@` the domain, the text after the last `@` the channel tag (a
// channel's official host name). Without `%`, `user@host` routes through `host`.
//   $U  local part        $D  the part of the domain that matched ($H$D = the whole domain)
//   $H  the unmatched part of the host on the left of the match
//   $$  a literal $       $?text  reject the address with text
//   $E  apply only to envelope addresses   $F  only forward (recipient)   $B  only backward (sender)
//   $N  this rule fails (try the next)
//   ${TABLE,arg}  mapping-table lookup (rewriteAsync only); no match or $N → the rule fails
// The manual writes `$U%D@tag` (spec 01 §9, ch. 9 ODMR recipe); a host part consisting of a bare `D`
// is read as `$D` (decision recorded in mapping/README.md).
import type { ConfigView } from '@wren/kernel'
import type { ChannelSet } from '../channels/channels.js'

export interface RewriteRule {
  pattern: string
  template: string
}

export interface RewriteOptions {
  /** Rewriting a recipient (forward, default) or a sender (backward). */
  direction?: 'forward' | 'backward'
  /** Envelope address (default) or header address. */
  envelope?: boolean
  /** Collects the `-debug` trace when given. */
  trace?: string[]
}

export interface RewriteResult {
  ok: boolean
  /** Destination channel name (`tcp_local`, `l`, `ims-ms`, …). */
  channel: string
  /** The rewritten address `user@domain`. */
  address: string
  /** Domain of the rewritten address. */
  host: string
  /** The channel tag the rule routed to (`tcp-daemon`, `tcp_example-daemon`). */
  routeTag: string
  /** The rule that decided, as `pattern template`. */
  rule?: string
  /** Set when !ok: the reason (`Illegal host/domain name found`, or the `$?` text). */
  error?: string
}

export function parseRewriteRule(line: string): RewriteRule | undefined {
  const s = line.trim()
  if (!s || s.startsWith('!')) return undefined
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '$') { i++; continue }
    if (s[i] === ' ' || s[i] === '\t') return { pattern: s.slice(0, i), template: s.slice(i).trim() }
  }
  return { pattern: s, template: '' }
}

/** Split `local@domain` at the last `@` outside quotes; strips `<>`. */
export function splitAddress(address: string): { local: string; domain: string } {
  let a = address.trim()
  if (a.startsWith('<') && a.endsWith('>')) a = a.slice(1, -1)
  let inQuote = false
  let at = -1
  for (let i = 0; i < a.length; i++) {
    const c = a[i]
    if (c === '\\') { i++; continue }
    if (c === '"') inQuote = !inQuote
    else if (c === '@' && !inQuote) at = i
  }
  return at < 0 ? { local: a, domain: '' } : { local: a.slice(0, at), domain: a.slice(at + 1) }
}

/**
 * Default rules: each local domain (and this host, `localhost`, `[127.0.0.1]`) to the `l` channel,
 * whose tag is the official host name; everything else to `tcp_local` (`tcp-daemon`).
 */
export function defaultRewriteRules(opts: { hostname: string; localDomains: string[] }): RewriteRule[] {
  const local = new Set([...opts.localDomains, opts.hostname, 'localhost'].map((d) => d.toLowerCase()).filter(Boolean))
  const rules: RewriteRule[] = [...local].map((d) => ({ pattern: d, template: `$U%$D@${opts.hostname}` }))
  rules.push({ pattern: '[127.0.0.1]', template: `$U%[127.0.0.1]@${opts.hostname}` })
  rules.push({ pattern: '.', template: '$U%$H@tcp-daemon' })
  rules.push({ pattern: '[]', template: '$U%$H@tcp-daemon' })
  return rules
}

/** `rewrite.rule` values (multi-valued; one `pattern template` per value, or several lines in one). */
export function rewriteRulesFromConfig(config: ConfigView): RewriteRule[] {
  const v = config.find('rewrite.rule')
  if (v === undefined) return []
  const lines = (Array.isArray(v) ? v.map(String) : String(v).split(/\r?\n/))
  return lines.map(parseRewriteRule).filter((r): r is RewriteRule => !!r)
}

interface TemplateParts {
  user: string
  host: string
  tag?: string
  flags: Set<string>
  error?: string
  /** The template has an `@` (so the text after the last `@` names the channel tag / route host). */
  at?: boolean
}

function splitTemplate(t: string): TemplateParts {
  const flags = new Set<string>()
  let body = ''
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!
    if (c !== '$') { body += c; continue }
    const n = t[i + 1] ?? ''
    if (n === '?') return { user: '', host: '', flags, error: t.slice(i + 2).replace(/\$ /g, ' ').trim() || 'Address rejected' }
    if ('EFBRN'.includes(n) && n !== '') { flags.add(n); i++; continue }
    body += c + n
    i++
  }
  // split on the first unquoted % and the last unquoted @
  let pct = -1
  let at = -1
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '$') { i++; continue }
    if (body[i] === '%' && pct < 0) pct = i
    if (body[i] === '@') at = i
  }
  if (pct >= 0 && at > pct) return { user: body.slice(0, pct), host: body.slice(pct + 1, at), tag: body.slice(at + 1), flags, at: true }
  if (pct >= 0) return { user: body.slice(0, pct), host: body.slice(pct + 1), flags }
  if (at >= 0) return { user: body.slice(0, at), host: body.slice(at + 1), flags, at: true }
  return { user: body, host: '', flags }
}

/**
 * Why a rule cannot be used, or undefined when it is valid (shared by the MTA, which skips invalid
 * rules, and `imsimta cnbuild`, which reports them): a rule needs a template, and a routing template
 * (`…@tag`) must name its channel tag — `broken.test $U%$D@` would otherwise route through an empty
 * host and silently fall through to the `.` rule (tcp_local).
 */
export function validateRewriteRule(rule: RewriteRule): string | undefined {
  if (!rule.template) return 'no template'
  const parts = splitTemplate(rule.template)
  if (parts.error !== undefined) return undefined // `$?text` rejects: valid
  if (parts.at && !(parts.tag ?? parts.host).trim()) return `template ${rule.template} has an empty channel tag after @`
  return undefined
}

/** Reports a configured rewrite rule the MTA skips as invalid. */
export type InvalidRuleHandler = (rule: RewriteRule, reason: string) => void

const warnInvalidRule: InvalidRuleHandler = (rule, reason) => {
  console.warn(`%REWRITE-W, rewrite.rule ${rule.pattern} ${rule.template}: ${reason}; rule ignored`)
}

function substitute(s: string, v: { U: string; D: string; H: string }, hostPart = false): string {
  if (hostPart && s === 'D') return v.D // the manual's `$U%D@tag`
  let out = ''
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '$') { out += s[i]; continue }
    const n = s[++i] ?? ''
    if (n === 'U') out += v.U
    else if (n === 'D') out += v.D
    else if (n === 'H') out += v.H
    else out += n
  }
  return out
}

const MAX_ROUTE_DEPTH = 10

interface Candidate { pattern: string; H: string; D: string }
type Step = 'next' | { result: RewriteResult } | { via: { user: string; tag: string; newHost: string; rule: string } }

/** A mapping lookup a rewrite template needs (see Rewriter.route). */
interface LookupRequest { template: string; vars: { U: string; D: string; H: string } }
/** The resolved template; undefined = the lookup failed; null = no mapping engine (sync rewrite). */
type LookupAnswer = string | undefined | null

/** What rewriteAsync needs from the mapping engine. */
export interface MappingLookup {
  lookup(table: string, probe: string): Promise<{ matched: boolean; reject: boolean; output: string }>
}

/** Replace each `${TABLE,argument}` by the table's output (quoted for the template); undefined = the rule fails. */
async function resolveLookups(template: string, vars: { U: string; D: string; H: string }, mapping: MappingLookup): Promise<string | undefined> {
  let out = ''
  for (let i = 0; i < template.length; i++) {
    if (template[i] === '$' && template[i + 1] === '{') {
      const end = template.indexOf('}', i + 2)
      if (end < 0) return undefined
      const body = template.slice(i + 2, end)
      const comma = body.indexOf(',')
      if (comma < 0) return undefined
      const table = body.slice(0, comma).trim()
      const arg = substitute(body.slice(comma + 1).trim(), vars)
      const r = await mapping.lookup(table, arg)
      if (!r.matched || r.reject) return undefined
      out += r.output.replace(/\$/g, '$$$$')
      i = end
      continue
    }
    if (template[i] === '$') { out += template[i]! + (template[i + 1] ?? ''); i++; continue }
    out += template[i]
  }
  return out
}

export class Rewriter {
  private readonly rules = new Map<string, RewriteRule[]>()

  /**
   * Invalid rules (see validateRewriteRule) are skipped and reported through `onInvalid` (default: a
   * warning on stderr, which lands in the service's log).
   */
  constructor(rules: RewriteRule[], private readonly channels: ChannelSet, private readonly defaultDomain: string, onInvalid: InvalidRuleHandler = warnInvalidRule) {
    for (const r of rules) {
      const invalid = validateRewriteRule(r)
      if (invalid) { onInvalid(r, invalid); continue }
      const key = r.pattern.toLowerCase()
      const list = this.rules.get(key)
      if (list) list.push(r)
      else this.rules.set(key, [r])
    }
  }

  /** Every rule, in lookup-table order. */
  list(): RewriteRule[] {
    return [...this.rules.values()].flat()
  }

  /** Candidate patterns for a host, most specific first (with the match's $H / $D split). */
  private candidates(host: string): Candidate[] {
    const h = host.toLowerCase()
    const out: Candidate[] = [{ pattern: h, H: '', D: host }]
    if (h.startsWith('[')) {
      out.push({ pattern: '[]', H: host, D: '' }) // any domain literal
    } else {
      for (let i = h.indexOf('.', 1); i > 0; i = h.indexOf('.', i + 1)) {
        out.push({ pattern: h.slice(i), H: host.slice(0, i), D: host.slice(i) })
      }
      out.push({ pattern: '.', H: host, D: '' })
    }
    out.push({ pattern: '$*', H: host, D: '' })
    return out
  }

  /** Rewrite an address and pick its channel (rules with `${TABLE,…}` lookups need rewriteAsync). */
  rewrite(address: string, opts: RewriteOptions = {}): RewriteResult {
    const { local, domain } = splitAddress(address)
    const host = domain || this.defaultDomain
    const steps = this.route(local, host, opts, 0)
    let r = steps.next()
    while (!r.done) r = steps.next(null)
    return r.value
  }

  /**
   * Rewrite with mapping lookups in templates: `${TABLE,argument}` applies mapping table TABLE to the
   * (substituted) argument; a lookup that does not match or answers `$N` makes the rule fail, so the
   * next rule with the same pattern is tried (the manual's SMS example: `sms.example.org
   * ${X-REWRITE-SMS-ADDRESS,$U}@sms.example.org` followed by `sms.example.org $?Invalid SMS address`).
   */
  async rewriteAsync(address: string, mapping: MappingLookup, opts: RewriteOptions = {}): Promise<RewriteResult> {
    const { local, domain } = splitAddress(address)
    const host = domain || this.defaultDomain
    const steps = this.route(local, host, opts, 0)
    let r = steps.next()
    while (!r.done) r = steps.next(await resolveLookups(r.value.template, r.value.vars, mapping))
    return r.value
  }

  private fail(local: string, host: string, error: string): RewriteResult {
    return { ok: false, channel: '', address: `${local}@${host}`, host, routeTag: '', error }
  }

  /** The channel-tag shortcut (`bob@ims-ms-daemon`) for a candidate without rules. */
  private tagShortcut(cand: Candidate, local: string, host: string, opts: RewriteOptions, depth: number): RewriteResult | undefined {
    if (cand.pattern === host.toLowerCase()) {
      const ch = this.channels.byHost(host)
      if (ch) {
        opts.trace?.push(`    Rewrite: "${cand.pattern}" - channel tag of ${ch.name}`)
        return { ok: true, channel: ch.name, address: `${local}@${host}`, host, routeTag: host }
      }
    }
    opts.trace?.push(`    Rewrite: "${cand.pattern}", position ${depth}, hash table -`, '      Failed.')
    return undefined
  }

  /** One rule applied to a candidate: a result, 'next' (rule does not apply) or a host to route through. */
  private apply(rule: RewriteRule, template: string, cand: Candidate, local: string, host: string, opts: RewriteOptions): Step {
    const trace = opts.trace
    const parts = splitTemplate(template)
    const label = `${rule.pattern} ${rule.template}`
    if (parts.error !== undefined) {
      trace?.push(`      Rejected: ${parts.error}`)
      return { result: { ...this.fail(local, host, parts.error), rule: label } }
    }
    const forward = (opts.direction ?? 'forward') === 'forward'
    const envelope = opts.envelope ?? true
    if (parts.flags.has('N') || (parts.flags.has('E') && !envelope) || (parts.flags.has('F') && !forward) || (parts.flags.has('B') && forward)) {
      trace?.push('      Rule does not apply here.')
      return 'next'
    }
    const vars = { U: local, D: cand.D, H: cand.H }
    const user = substitute(parts.user, vars)
    const newHost = substitute(parts.host, vars, true) || host
    const tag = parts.tag !== undefined ? substitute(parts.tag, vars) : newHost
    trace?.push(`      Rewrite rule result: ${user}%${newHost}@${tag}`)
    const ch = this.channels.byHost(tag)
    if (ch) return { result: { ok: true, channel: ch.name, address: `${user}@${newHost}`, host: newHost, routeTag: tag, rule: label } }
    // The tag is not a channel: route through it like any other host.
    return { via: { user, tag, newHost, rule: label } }
  }

  /**
   * The routing loop, written once for both entry points: a rule whose template consults a mapping
   * table (`${TABLE,arg}`) yields the lookup to its driver — `rewrite` answers `null` (no engine: the
   * rule is skipped), `rewriteAsync` answers the resolved template or `undefined` (the rule fails).
   */
  private *route(local: string, host: string, opts: RewriteOptions, depth: number): Generator<LookupRequest, RewriteResult, LookupAnswer> {
    if (depth > MAX_ROUTE_DEPTH) return this.fail(local, host, 'Rewrite loop detected')
    for (const cand of this.candidates(host)) {
      const rules = this.rules.get(cand.pattern)
      if (!rules) {
        const r = this.tagShortcut(cand, local, host, opts, depth)
        if (r) return r
        continue
      }
      for (const rule of rules) {
        opts.trace?.push(`    Rewrite: "${cand.pattern}", position ${depth}, hash table -`, `      Found: "${rule.template}"`)
        let template = rule.template
        if (template.includes('${')) {
          const answer = yield { template, vars: { U: local, D: cand.D, H: cand.H } }
          if (answer === null) { opts.trace?.push('      Needs a mapping lookup; skipped.'); continue }
          if (answer === undefined) { opts.trace?.push('      Mapping lookup failed.'); continue }
          template = answer
        }
        const step = this.apply(rule, template, cand, local, host, opts)
        if (step === 'next') continue
        if ('result' in step) return step.result
        const via: RewriteResult = yield* this.route(step.via.user, step.via.tag, opts, depth + 1)
        return via.ok ? { ...via, address: `${step.via.user}@${step.via.newHost}`, host: step.via.newHost, rule: step.via.rule } : via
      }
    }
    return this.fail(local, host, 'Illegal host/domain name found')
  }
}

/** Local domains: `base.defaultdomain` and `mta.local_domains`; else the host name's domain. */
export function localDomainsFromConfig(config: ConfigView, hostname: string): string[] {
  const out: string[] = []
  for (const name of ['base.defaultdomain', 'mta.local_domains', 'local_domains']) {
    const v = config.find(name)
    if (v === undefined || v === '') continue
    for (const d of Array.isArray(v) ? v : String(v).split(/[\s,]+/)) if (String(d).trim()) out.push(String(d).trim())
  }
  if (!out.length) {
    const dot = hostname.indexOf('.')
    out.push(dot > 0 ? hostname.slice(dot + 1) : hostname)
  }
  return out
}

/** Configured rules (first) followed by the default rules, over the given channel set. */
export function buildRewriter(config: ConfigView, channels: ChannelSet, opts: { hostname: string; localDomains?: string[] }): Rewriter {
  const domains = opts.localDomains ?? localDomainsFromConfig(config, opts.hostname)
  return new Rewriter([...rewriteRulesFromConfig(config), ...defaultRewriteRules({ hostname: opts.hostname, localDomains: domains })], channels, domains[0] ?? opts.hostname)
}
