// The daemon's one door to the unified configuration. `@wren/config`'s `openConfig(dataRoot)`
// (registry, layering, history) is used when it is installed; otherwise a fixed view of the local
// profile and the values `configure` chose. Either way `WREN_OPTIONS` (a JSON object of option
// values) overrides on top — the way tests and operators pin ports without writing a version.
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { globToRegExp, staticConfigView, type ConfigView, type OptionValue } from '@wren/kernel'
import { LOCAL_PROFILE } from './local-profile.js'

export interface ServerConfig {
  view(): ConfigView
  /** Re-reads the configuration; resolves with the names whose effective value changed. */
  reload(): Promise<string[]>
  /** Option metadata when the registry knows it: does a change apply without a restart? */
  refreshable(name: string): boolean | undefined
  close(): Promise<void>
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

/** Options given by the environment: `WREN_OPTIONS='{"imap.port":0}'`. */
export function envOptions(env: NodeJS.ProcessEnv = process.env): Record<string, OptionValue> {
  const raw = env.WREN_OPTIONS
  if (!raw) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    throw new Error('WREN_OPTIONS is not a JSON object of option values')
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('WREN_OPTIONS is not a JSON object of option values')
  return parsed as Record<string, OptionValue>
}

/** A view whose explicit `overrides` win over `base` (both for get/find and list). */
export function overlayView(base: ConfigView, overrides: Record<string, OptionValue>): ConfigView {
  const keys = new Map(Object.keys(overrides).map((k) => [k.toLowerCase(), k]))
  const own = (name: string) => keys.get(name.toLowerCase())
  return {
    get<T extends OptionValue>(name: string): T {
      const k = own(name)
      return (k !== undefined ? overrides[k] : base.get(name)) as T
    },
    find<T extends OptionValue>(name: string): T | undefined {
      const k = own(name)
      if (k !== undefined) return overrides[k] as T
      try {
        return base.find<T>(name)
      } catch {
        return undefined
      }
    },
    list(glob) {
      const re = globToRegExp(glob)
      const fromBase = base.list(glob).filter((e) => own(e.name) === undefined)
      return [...fromBase, ...Object.entries(overrides).filter(([n]) => re.test(n)).map(([name, value]) => ({ name, value }))]
    },
    onChange: (l) => base.onChange(l),
  }
}

interface ConfigServiceLike {
  view(): ConfigView
  reload(): Promise<unknown> | unknown
  registry?: unknown
  close?(): Promise<void> | void
}

/** Values `configure` chose (host name, default domain), fed in when @wren/config is absent. */
export type ConfiguredValues = Record<string, OptionValue>

export async function openServerConfig(dataRoot: string, configured: ConfiguredValues = {}, env = process.env): Promise<ServerConfig> {
  const overrides = envOptions(env)
  if (existsSync(join(repoRoot, 'packages/config/src/index.ts'))) {
    // a literal specifier, so that a service bundle (supervisor/service-bundles.ts) includes it
    const mod = (await import('@wren/config')) as unknown as { openConfig?: (dataRoot: string) => Promise<ConfigServiceLike> | ConfigServiceLike }
    if (typeof mod.openConfig === 'function') {
      const svc = await mod.openConfig(dataRoot)
      // The registry's defaults are the local profile; configure's values sit below explicit settings.
      const withFallback = (): ConfigView => fallbackView(svc.view(), { ...LOCAL_PROFILE, ...configured })
      let view = overlayView(withFallback(), overrides)
      return {
        view: () => view,
        async reload() {
          // The changed names arrive through onChange (kernel contract) and/or the return value.
          const changed = new Set<string>()
          const off = svc.view().onChange((names) => names.forEach((n) => changed.add(n)))
          try {
            const r = await svc.reload()
            if (Array.isArray(r)) r.forEach((n) => changed.add(String(n)))
          } finally {
            off()
          }
          view = overlayView(withFallback(), overrides)
          return [...changed]
        },
        refreshable: (name) => registryRefreshable(svc.registry, name),
        close: async () => { await svc.close?.() },
      }
    }
  }
  const view = overlayView(staticConfigView({ ...configured }, LOCAL_PROFILE), overrides)
  return { view: () => view, reload: async () => [], refreshable: () => undefined, close: async () => {} }
}

/** Answers `fallback` where the registry has no value (an option it does not know yet). */
function fallbackView(view: ConfigView, fallback: Record<string, OptionValue>): ConfigView {
  const fb = staticConfigView({}, fallback)
  return {
    get<T extends OptionValue>(name: string): T {
      const v = safeFind<T>(view, name)
      return v !== undefined ? v : fb.get<T>(name)
    },
    find<T extends OptionValue>(name: string): T | undefined {
      const v = safeFind<T>(view, name)
      return v !== undefined ? v : fb.find<T>(name)
    },
    list: (glob) => view.list(glob),
    onChange: (l) => view.onChange(l),
  }
}

function safeFind<T extends OptionValue>(view: ConfigView, name: string): T | undefined {
  try {
    return view.find<T>(name)
  } catch {
    return undefined
  }
}

/** Duck-typed read of the registry's refreshable flag (packages/config owns the real shape). */
function registryRefreshable(registry: unknown, name: string): boolean | undefined {
  const r = registry as { lookup?: (n: string) => unknown; get?: (n: string) => unknown; find?: (n: string) => unknown } | undefined
  if (!r) return undefined
  const fn = r.lookup ?? r.find ?? r.get
  if (typeof fn !== 'function') return undefined
  let def: unknown
  try {
    def = fn.call(r, name)
  } catch {
    return undefined
  }
  const d = def as { refreshable?: unknown; restart?: unknown; def?: { refreshable?: unknown; restart?: unknown } } | undefined
  const meta = d?.def ?? d
  if (!meta) return undefined
  if (typeof meta.refreshable === 'boolean') return meta.refreshable
  if (meta.restart === false || meta.restart === 'refreshable' || meta.restart === 'none') return true
  if (typeof meta.restart === 'string' || meta.restart === true) return false
  return undefined
}

/** Reads an on/off option the product way (`1`/`0`, `yes`/`no`, `true`/`false`). */
export function flag(view: ConfigView, name: string, fallback: boolean): boolean {
  const v = safeFind(view, name)
  if (v === undefined) return fallback
  if (typeof v === 'boolean') return v
  if (typeof v === 'number') return v !== 0
  const s = String(v).trim().toLowerCase()
  if (['1', 'yes', 'true', 'on', 'enabled'].includes(s)) return true
  if (['0', 'no', 'false', 'off', 'disabled', ''].includes(s)) return false
  return fallback
}

export function numberOption(view: ConfigView, name: string, fallback: number): number {
  const v = safeFind(view, name)
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN
  return Number.isFinite(n) ? n : fallback
}

export function stringOption(view: ConfigView, name: string, fallback: string): string {
  const v = safeFind(view, name)
  return v === undefined || v === null ? fallback : Array.isArray(v) ? v.join(' ') : String(v)
}
