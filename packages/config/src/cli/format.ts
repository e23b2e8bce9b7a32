// Text shown by msconfig: settings, diffs, history and option help.
import type { OptionValue } from '@wren/kernel'
import type { Registry } from '../registry/registry.js'
import type { OptionSpec } from '../registry/types.js'
import type { FieldChange } from '../settings.js'
import type { VersionInfo } from '../service.js'
import { showValue } from '../values.js'

/** The spec of a displayed name (`role.imap.enable`). */
export function specOf(registry: Registry, displayed: string): OptionSpec | undefined {
  const name = displayed.replace(/^(role|instance)\./, '')
  return registry.lookup(name)?.spec
}

/** `role.imap.enable = 0` lines (one per value of a multi-valued option). */
export function settingLines(registry: Registry, displayed: string, value: OptionValue): string[] {
  const spec = specOf(registry, displayed)
  if (spec?.multi && Array.isArray(value)) return value.map((v) => `${displayed} = ${v}`)
  return [`${displayed} = ${spec ? showValue(spec, value) : String(value)}`]
}

/** Unified-diff style: `- role.imap.enable = 1` / `+ role.imap.enable = 0`. */
export function diffLines(registry: Registry, changes: FieldChange[], indent = ''): string[] {
  const out: string[] = []
  for (const c of changes) {
    const spec = specOf(registry, c.name)
    if (spec?.multi) {
      const a = (c.before as string[] | undefined) ?? []
      const b = (c.after as string[] | undefined) ?? []
      for (const l of a.filter((x) => !b.includes(x))) out.push(`${indent}- ${c.name} = ${l}`)
      for (const l of b.filter((x) => !a.includes(x))) out.push(`${indent}+ ${c.name} = ${l}`)
      if (!out.length && JSON.stringify(a) !== JSON.stringify(b)) out.push(`${indent}~ ${c.name} (order changed)`)
      continue
    }
    const show = (v: OptionValue) => (v === '********' ? v : spec ? showValue(spec, v) : String(v))
    if (c.before !== undefined) out.push(`${indent}- ${c.name} = ${show(c.before)}`)
    if (c.after !== undefined) out.push(`${indent}+ ${c.name} = ${show(c.after)}`)
  }
  return out
}

const stamp = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z')

export function historyLines(registry: Registry, versions: VersionInfo[], current: number | null): string[] {
  const out: string[] = []
  for (const v of versions) {
    const mark = v.id === current ? '*' : ' '
    const revert = v.revertOf !== null ? ` (revert to ${v.revertOf})` : ''
    out.push(`${mark}${String(v.id).padStart(4)}  ${stamp(v.createdAt)}  ${v.author}${v.remark ? `  "${v.remark}"` : ''}${revert}`)
    const lines = diffLines(registry, v.diff, '        ')
    out.push(...lines.slice(0, 12))
    if (lines.length > 12) out.push(`        … ${lines.length - 12} more changes (differences ${v.id - 1} ${v.id})`)
  }
  return out
}

export function helpLines(registry: Registry, spec: OptionSpec, current: string[]): string[] {
  const out = [`Option: ${spec.name}`, `    Description: ${spec.description}`, `    Syntax: ${spec.type}${spec.values ? ` (${spec.values.join(', ')})` : ''}${spec.multi ? ', multi-valued' : ''}`]
  const range = [spec.min !== undefined ? `min ${spec.min}` : '', spec.max !== undefined ? `max ${spec.max}` : ''].filter(Boolean)
  if (range.length) out.push(`    Range: ${range.join(', ')}`)
  out.push(`    Default: ${spec.default === undefined ? (spec.fallback ? `value of ${spec.fallback}` : 'NULL (unset)') : showValue({ ...spec, password: false }, spec.default)}${spec.productDefault !== undefined ? ` (product default ${String(spec.productDefault)})` : ''}`)
  out.push(`    ${spec.restart ? `Restart: changes need a restart of ${spec.restart}` : 'Refreshable: changes apply without a restart'}`)
  const flags = [spec.password && 'password', spec.restricted && 'restricted', spec.obsolete && 'obsolete', spec.language && 'language variants (;lang-xx)'].filter(Boolean)
  if (flags.length) out.push(`    Flags: ${flags.join(', ')}`)
  if (spec.legacy?.length) out.push(`    Legacy configutil name: ${spec.legacy.join(', ')}`)
  if (spec.excludes?.length) out.push(`    Setting it removes: ${spec.excludes.join(', ')}`)
  for (const c of current) out.push(`    Current: ${c}`)
  void registry
  return out
}
