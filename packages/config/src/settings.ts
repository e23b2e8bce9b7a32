// Explicit settings with role/instance scopes (spec 01 §1): `instance.imap.enable = 0` beats
// `role.imap.enable = 1`. A settings map is keyed `scope|name` (`role|imap.enable`).
import type { OptionValue } from '@wren/kernel'
import type { Scope } from './registry/types.js'

export type Settings = Map<string, OptionValue>

export const SCOPES: readonly Scope[] = ['role', 'instance']

export function settingKey(scope: Scope, name: string): string {
  return `${scope}|${name}`
}

export function parseKey(key: string): { scope: Scope; name: string } {
  const i = key.indexOf('|')
  return { scope: key.slice(0, i) as Scope, name: key.slice(i + 1) }
}

/** `role|imap.enable` → `role.imap.enable` (how msconfig shows it). */
export function displayKey(key: string): string {
  const { scope, name } = parseKey(key)
  return `${scope}.${name}`
}

/** Splits an optional `role.` / `instance.` prefix off a typed name. */
export function splitScope(typed: string): { scope?: Scope; name: string } {
  const m = /^(role|instance)\.(.+)$/i.exec(typed.trim())
  return m ? { scope: m[1]!.toLowerCase() as Scope, name: m[2]! } : { name: typed.trim() }
}

/** Effective explicit values by option name: instance overrides role. */
export function effective(settings: Settings): Map<string, { name: string; value: OptionValue }> {
  const out = new Map<string, { name: string; value: OptionValue }>()
  for (const scope of SCOPES) {
    for (const [key, value] of settings) {
      const k = parseKey(key)
      if (k.scope === scope) out.set(k.name.toLowerCase(), { name: k.name, value })
    }
  }
  return out
}

export function toObject(settings: Settings): Record<string, OptionValue> {
  return Object.fromEntries([...settings].sort(([a], [b]) => a.localeCompare(b)))
}

export function fromObject(obj: Record<string, OptionValue>): Settings {
  return new Map(Object.entries(obj))
}

export interface FieldChange {
  /** Displayed name with its scope: `role.imap.enable`. */
  name: string
  before?: OptionValue
  after?: OptionValue
}

const same = (a: OptionValue | undefined, b: OptionValue | undefined) => JSON.stringify(a) === JSON.stringify(b)

/** Field-level difference between two settings maps; `secret(key)` masks password values. */
export function diffSettings(before: Settings, after: Settings, secret: (key: string) => boolean = () => false): FieldChange[] {
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort()
  const out: FieldChange[] = []
  for (const key of keys) {
    const a = before.get(key), b = after.get(key)
    if (same(a, b)) continue
    const change: FieldChange = { name: displayKey(key) }
    if (a !== undefined) change.before = secret(key) ? '********' : a
    if (b !== undefined) change.after = secret(key) ? '********' : b
    out.push(change)
  }
  return out
}
