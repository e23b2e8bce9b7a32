// A registry-backed view over fixed values, without a database: for child processes that receive the
// effective settings from the daemon, and for tests. Names are option names (`imap.port`), or
// `role.`/`instance.`-prefixed; registry defaults answer for everything unset.
import type { OptionValue } from '@wren/kernel'
import { defaultRegistry, type Registry } from './registry/registry.js'
import { ConfigError } from './registry/errors.js'
import { coerceValue } from './values.js'
import { LiveConfigView } from './view.js'
import { settingKey, splitScope, type Settings } from './settings.js'

export function createConfigView(values: Record<string, OptionValue> = {}, registry: Registry = defaultRegistry()): LiveConfigView {
  const settings: Settings = new Map()
  for (const [typed, value] of Object.entries(values)) {
    const { scope, name } = splitScope(typed)
    const match = registry.lookup(name) ?? registry.lookupLegacy(name)
    if (!match) throw new ConfigError('unknown', `unknown option ${name}`, registry.suggest(name))
    const v = match.spec.multi ? (Array.isArray(value) ? value.map(String) : [String(value)]) : coerceValue(match, value)
    settings.set(settingKey(scope ?? 'role', match.name), v)
  }
  return new LiveConfigView(registry, settings)
}
