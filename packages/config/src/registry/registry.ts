// The option registry: resolves concrete names (with `:name` groups, `;lang-xx` variants, short names
// and legacy configutil names) to option metadata (spec 01 §1 "Unified Configuration Option Names").
import type { OptionMatch, OptionSpec } from './types.js'
import { ConfigError } from './errors.js'
import { nearest } from './suggest.js'
import { ALL_OPTIONS } from './options/index.js'

interface Compiled {
  spec: OptionSpec
  re: RegExp
  /** Literal pieces between placeholders, lowercased: canonical = lit0 + g0 + lit1 + g1 … */
  literals: string[]
}

const PLACEHOLDER = /<name>|<\*>/g

function compile(pattern: string): { re: RegExp; literals: string[] } {
  const literals = pattern.toLowerCase().split(PLACEHOLDER)
  const kinds = [...pattern.matchAll(PLACEHOLDER)].map((m) => m[0])
  const esc = (s: string) => s.replace(/[.+^${}()|[\]\\*?]/g, '\\$&')
  let body = esc(literals[0]!)
  kinds.forEach((k, i) => {
    // `<name>` is one group name (it may hold dots, e.g. an IP: anchoring keeps it unambiguous);
    // `<*>` is the free tail of an options sub-group.
    body += (k === '<*>' ? '([^;]+)' : '([^;]+?)') + esc(literals[i + 1]!)
  })
  return { re: new RegExp(`^${body}$`, 'i'), literals }
}

function splitLang(name: string): { base: string; lang?: string } {
  const m = /^(.*);lang-([A-Za-z0-9-]+)$/.exec(name)
  return m ? { base: m[1]!, lang: m[2]!.toLowerCase() } : { base: name }
}

export class Registry {
  readonly options: readonly OptionSpec[]
  private readonly exact = new Map<string, OptionSpec>()
  private readonly patterns: Compiled[] = []
  private readonly legacy: Array<{ re: RegExp; literals: string[]; spec: OptionSpec }> = []
  private readonly legacyExact = new Map<string, OptionSpec>()
  /** Tails of option names after dropping literal leading segments (for short names such as `mm_debug`). */
  private readonly shortTails: Array<{ spec: OptionSpec; prefix: string; re: RegExp }> = []

  constructor(specs: readonly OptionSpec[] = ALL_OPTIONS) {
    this.options = specs
    for (const spec of specs) {
      if (spec.name.includes('<')) {
        const c = compile(spec.name)
        this.patterns.push({ spec, ...c })
      } else {
        if (this.exact.has(spec.name.toLowerCase())) throw new Error(`duplicate option ${spec.name}`)
        this.exact.set(spec.name.toLowerCase(), spec)
      }
      const segs = spec.name.split('.')
      for (let k = 1; k < segs.length; k++) {
        const dropped = segs.slice(0, k)
        if (dropped.some((s) => s.includes('<'))) break
        this.shortTails.push({ spec, prefix: dropped.join('.') + '.', re: compile(segs.slice(k).join('.')).re })
      }
      for (const l of spec.legacy ?? []) {
        if (l.includes('<')) this.legacy.push({ spec, ...compile(l) })
        else this.legacyExact.set(l.toLowerCase(), spec)
      }
    }
  }

  /** The option a fully-qualified unified name (without `role.`/`instance.`) refers to, or undefined. */
  lookup(name: string): OptionMatch | undefined {
    const { base, lang } = splitLang(name.trim())
    const spec = this.exact.get(base.toLowerCase())
    let match: OptionMatch | undefined
    if (spec) match = this.matchOf(spec, spec.name, [])
    else {
      for (const c of this.patterns) {
        const m = c.re.exec(base)
        if (!m) continue
        const groups = m.slice(1)
        if (groups.some((g) => g.trim() === '' || g.startsWith('.') || g.endsWith('.'))) continue
        match = this.matchOf(c.spec, canonical(c.literals, groups), groups)
        break
      }
    }
    if (!match) return undefined
    if (lang !== undefined) {
      if (!match.spec.language) return undefined
      match.lang = lang
      match.name = `${match.name};lang-${lang}`
    }
    return match
  }

  /**
   * Resolves what a user typed: a unified name, a unique short name (`mm_debug`, `delivery_options`,
   * `proxyadminpass`), or a legacy configutil name (`service.imap.port`). Throws a ConfigError naming
   * the nearest options when nothing matches.
   */
  resolve(name: string): OptionMatch {
    const found = this.lookup(name) ?? this.lookupLegacy(name) ?? this.lookupShort(name)
    if (found) return found
    const suggestions = this.suggest(name)
    throw new ConfigError(
      'unknown',
      `unknown option ${name}` + (suggestions.length ? `; did you mean ${suggestions.join(', ')}?` : ''),
      suggestions,
    )
  }

  /** A legacy configutil name (`logfile.imap.expirytime`) resolved to its unified option. */
  lookupLegacy(name: string): OptionMatch | undefined {
    const { base, lang } = splitLang(name.trim())
    const withLang = (n: string) => (lang ? `${n};lang-${lang}` : n)
    const exact = this.legacyExact.get(base.toLowerCase())
    if (exact) return this.lookup(withLang(exact.name))
    for (const l of this.legacy) {
      const m = l.re.exec(base)
      if (m) return this.lookup(withLang(instantiate(l.spec.name, m.slice(1))))
    }
    // Generic translations the product applies: service.<svc>.x → <svc>.x, local.<x> → <x>.
    const g = /^service\.(imap|pop|http)\.(.+)$/i.exec(base) ?? /^local\.(.+)$/i.exec(base)
    if (g) return this.lookup(withLang(g.slice(1).join('.')))
    return undefined
  }

  /**
   * A name given without its leading group(s), when exactly one option ends with it:
   * `mm_debug` → `mta.mm_debug`, `service:SMTP.tcp_ports` → `dispatcher.service:SMTP.tcp_ports`.
   */
  lookupShort(name: string): OptionMatch | undefined {
    const { base, lang } = splitLang(name.trim())
    const prefixes = new Map<string, string>() // full option name → prefix to add
    for (const c of this.shortTails) {
      if (c.re.test(base)) prefixes.set(c.spec.name, c.prefix)
    }
    if (prefixes.size === 1) {
      const [prefix] = prefixes.values()
      return this.lookup(`${prefix}${base}${lang ? `;lang-${lang}` : ''}`)
    }
    if (prefixes.size > 1) {
      const names = [...prefixes.keys()]
      throw new ConfigError('ambiguous', `option name ${name} is ambiguous: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''}`, names)
    }
    return undefined
  }

  /** Legacy configutil name of a unified option match, if the manuals give one. */
  legacyName(match: OptionMatch): string | undefined {
    const l = match.spec.legacy?.[0]
    if (!l) return undefined
    const n = instantiate(l, match.groups)
    return match.lang ? `${n};lang-${match.lang}` : n
  }

  /** Nearest known names, with the user's group value filled into `:name` placeholders. */
  suggest(name: string, max = 3): string[] {
    const { base } = splitLang(name.trim())
    const groupValue = /:([^.]+)\./.exec(base)?.[1]
    const candidates: string[] = []
    for (const spec of this.options) {
      if (!spec.obsolete) candidates.push(groupValue ? spec.name.replace('<name>', groupValue) : spec.name)
    }
    return nearest(base, candidates, max)
  }

  /** Options whose unified name (placeholders included) matches a glob; for `show -default` and help. */
  matching(re: RegExp): OptionSpec[] {
    return this.options.filter((o) => re.test(o.name))
  }

  private matchOf(spec: OptionSpec, name: string, groups: string[]): OptionMatch {
    const m: OptionMatch = { spec, name, groups, refreshable: spec.restart === undefined }
    if (spec.restart) m.restart = spec.restart
    return m
  }
}

function canonical(literals: string[], groups: string[]): string {
  let out = literals[0]!
  groups.forEach((g, i) => { out += g + literals[i + 1]! })
  return out
}

/** Fills `<name>`/`<*>` placeholders of a pattern with group values in order. */
export function instantiate(pattern: string, groups: string[]): string {
  let i = 0
  return pattern.replace(PLACEHOLDER, () => groups[i++] ?? '')
}

let shared: Registry | undefined
/** The registry of every option Wren knows (built once per process). */
export function defaultRegistry(): Registry {
  return (shared ??= new Registry())
}
