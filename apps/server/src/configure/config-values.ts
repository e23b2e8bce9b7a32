// configure's choices written into the unified configuration as one version (author `configure`):
// base.hostname and base.defaultdomain (spec 04 B.4 prompts 4–5). Only options that differ are
// written, so a re-run adds no version. Without @wren/config installed this is a no-op (the daemon
// then feeds the values from the state file).
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../services/registry.js'

interface ConfigServiceLike {
  view(): { find(name: string): unknown }
  set(name: string, value: string): unknown
  write(opts: { remark?: string; author?: string; source?: string }): Promise<{ version: number | null }>
  close?(): Promise<void>
}

export async function writeConfiguredOptions(dataRoot: string, values: Record<string, string>): Promise<number | null | 'skipped'> {
  if (!existsSync(join(repoRoot, 'packages/config/src/index.ts'))) return 'skipped'
  const specifier = '@wren/config'
  const mod = (await import(specifier)) as { openConfig?: (d: string) => Promise<ConfigServiceLike> }
  if (typeof mod.openConfig !== 'function') return 'skipped'
  const svc = await mod.openConfig(dataRoot)
  try {
    let pending = false
    for (const [name, value] of Object.entries(values)) {
      let current: unknown
      try { current = svc.view().find(name) } catch { current = undefined }
      if (current === value) continue
      svc.set(name, value)
      pending = true
    }
    if (!pending) return null
    const r = await svc.write({ remark: 'configure: host name and default mail domain', author: 'configure', source: 'configure' })
    return r.version
  } finally {
    await svc.close?.()
  }
}

/**
 * Answers the administrator already gave before the first start (`msconfig set base.hostname …`,
 * `base.defaultdomain`): configure uses them instead of guessing from the machine (spec 04 B.4
 * prompts 4–5 — the product asks; Wren takes what is configured, else the host's FQDN).
 */
export async function presetIdentity(dataRoot: string): Promise<{ hostname?: string; domain?: string }> {
  if (!existsSync(join(repoRoot, 'packages/config/src/index.ts'))) return {}
  const specifier = '@wren/config'
  const mod = (await import(specifier)) as { openConfig?: (d: string) => Promise<{ view(): { list(glob: string): Array<{ value: unknown }> }; close?(): Promise<void> }> }
  if (typeof mod.openConfig !== 'function') return {}
  const svc = await mod.openConfig(dataRoot)
  try {
    const explicit = (name: string) => {
      const v = svc.view().list(name)[0]?.value
      return typeof v === 'string' && v ? v.toLowerCase() : undefined
    }
    return { hostname: explicit('base.hostname'), domain: explicit('base.defaultdomain') }
  } finally {
    await svc.close?.()
  }
}
