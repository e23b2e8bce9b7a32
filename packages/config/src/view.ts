// The live ConfigView (kernel contract): effective value = explicit instance setting, else role setting,
// else the option this one falls back to, else the registry default (spec 01 §1).
import { globToRegExp, type ConfigView, type OptionValue } from '@wren/kernel'
import type { Registry } from './registry/registry.js'
import type { OptionMatch } from './registry/types.js'
import { ConfigError } from './registry/errors.js'
import { effective, type Settings } from './settings.js'

export class LiveConfigView implements ConfigView {
  private eff: Map<string, { name: string; value: OptionValue }>
  private readonly listeners = new Set<(changed: string[]) => void>()

  constructor(
    readonly registry: Registry,
    settings: Settings,
  ) {
    this.eff = effective(settings)
  }

  get<T extends OptionValue = OptionValue>(name: string): T {
    const match = this.match(name)
    if (!match) throw new ConfigError('unknown', `unknown option ${name}`, this.registry.suggest(name))
    const v = this.value(match)
    if (v === undefined) throw new ConfigError('notfound', `option ${name} is unset and has no default`)
    return v as T
  }

  find<T extends OptionValue = OptionValue>(name: string): T | undefined {
    const match = this.match(name)
    return match ? (this.value(match) as T | undefined) : undefined
  }

  list(glob: string): Array<{ name: string; value: OptionValue }> {
    const re = globToRegExp(glob)
    return [...this.eff.values()].filter((e) => re.test(e.name)).sort((a, b) => a.name.localeCompare(b.name)).map((e) => ({ ...e }))
  }

  onChange(listener: (changed: string[]) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  /** Replaces the settings; fires onChange with the names whose effective value changed. */
  replace(settings: Settings): string[] {
    const before = this.eff
    const after = effective(settings)
    const changed = new Set<string>()
    for (const k of new Set([...before.keys(), ...after.keys()])) {
      const a = before.get(k), b = after.get(k)
      if (JSON.stringify(a?.value) !== JSON.stringify(b?.value)) changed.add((b ?? a)!.name)
    }
    // Options that follow another one (imap.listenaddr → base.listenaddr) change with it when unset.
    for (const spec of this.registry.options) {
      if (!spec.fallback || after.has(spec.name.toLowerCase())) continue
      if ([...changed].some((c) => c.toLowerCase() === spec.fallback!.toLowerCase())) changed.add(spec.name)
    }
    this.eff = after
    const names = [...changed].sort()
    if (names.length) for (const l of [...this.listeners]) l(names)
    return names
  }

  private match(name: string): OptionMatch | undefined {
    return this.registry.lookup(name) ?? this.registry.lookupLegacy(name)
  }

  private value(match: OptionMatch, depth = 0): OptionValue | undefined {
    const explicit = this.eff.get(match.name.toLowerCase())
    if (explicit) return explicit.value
    if (match.lang) {
      // An unset language variant answers nothing: the caller falls back to the untagged option itself.
      return undefined
    }
    if (match.spec.fallback && depth < 5) {
      const fb = this.registry.lookup(match.spec.fallback)
      if (fb) {
        const v = this.value(fb, depth + 1)
        if (v !== undefined) return v
      }
    }
    if (match.spec.default !== undefined) return match.spec.default
    if (match.spec.multi) return []
    return undefined
  }
}
