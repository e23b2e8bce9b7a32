// configure's choices written into the unified configuration as one version (author `configure`):
// base.hostname and base.defaultdomain (spec 04 B.4 prompts 4–5). Only options that differ are
// written, so a re-run adds no version.
import { openConfig } from '@wren/config'

export async function writeConfiguredOptions(dataRoot: string, values: Record<string, string>): Promise<number | null> {
  const svc = await openConfig(dataRoot)
  try {
    let pending = false
    for (const [name, value] of Object.entries(values)) {
      if (svc.view().find(name) === value) continue
      svc.set(name, value)
      pending = true
    }
    if (!pending) return null
    const r = await svc.write({ remark: 'configure: host name and default mail domain', author: 'configure', source: 'configure' })
    return r.version
  } finally {
    await svc.close()
  }
}

/**
 * Answers the administrator already gave before the first start (`msconfig set base.hostname …`,
 * `base.defaultdomain`): configure uses them instead of guessing from the machine (spec 04 B.4
 * prompts 4–5 — the product asks; Wren takes what is configured, else the host's FQDN).
 */
export async function presetIdentity(dataRoot: string): Promise<{ hostname?: string; domain?: string }> {
  const svc = await openConfig(dataRoot)
  try {
    const explicit = (name: string) => {
      const v = svc.view().list(name)[0]?.value
      return typeof v === 'string' && v ? v.toLowerCase() : undefined
    }
    return { hostname: explicit('base.hostname'), domain: explicit('base.defaultdomain') }
  } finally {
    await svc.close()
  }
}
