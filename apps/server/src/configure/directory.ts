// The default domain and the admin/postmaster entries in the directory (spec 04 B.4 "writes LDAP
// entries … for the default domain, admin and postmaster", D.3). Uses @wren/directory's provisioning
// API when the package is installed; otherwise reports `skipped` and the daemon runs without it.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { ConfigView } from '@wren/kernel'
import { repoRoot } from '../services/registry.js'

export interface DirectoryProvisioning {
  status: 'provisioned' | 'existing' | 'skipped'
  detail?: string
}

interface DirectoryLike {
  getDomain(name: string): Promise<unknown>
  findUser(id: string): Promise<unknown>
  createDomain(input: { name: string; attributes?: Record<string, string | string[]> }, actor: { actor: string; source?: string }): Promise<unknown>
  createUser(input: { uid: string; domain?: string; password?: string; attributes?: Record<string, string | string[]> }, actor: { actor: string; source?: string }): Promise<unknown>
  close(): Promise<void>
}

/**
 * Creates the default domain (preferredMailHost = this host) and the `admin` user with the
 * generated password; `postmaster@<domain>` is an alternate address of admin, so notices reach it
 * (the manual leaves postmaster unprovisioned; D.3 proposes the route).
 */
export async function provisionDefaultDirectory(opts: { dataRoot: string; config: ConfigView; domain: string; hostname: string; adminPassword: string }): Promise<DirectoryProvisioning> {
  if (!existsSync(join(repoRoot, 'packages/directory/src/index.ts'))) return { status: 'skipped', detail: '@wren/directory is not installed' }
  const specifier = '@wren/directory'
  const mod = (await import(specifier)) as { openDirectory?: (o: { dataRoot: string; config: ConfigView; hostname?: string }) => Promise<DirectoryLike> | DirectoryLike }
  if (typeof mod.openDirectory !== 'function') return { status: 'skipped', detail: '@wren/directory has no openDirectory()' }
  const dir = await mod.openDirectory({ dataRoot: opts.dataRoot, config: opts.config, hostname: opts.hostname })
  const actor = { actor: 'configure', source: 'configure' }
  try {
    let created = false
    if (!(await dir.getDomain(opts.domain))) {
      await dir.createDomain({ name: opts.domain, attributes: { preferredMailHost: opts.hostname } }, actor)
      created = true
    }
    if (!(await dir.findUser(`admin@${opts.domain}`))) {
      await dir.createUser(
        { uid: 'admin', domain: opts.domain, password: opts.adminPassword, attributes: { mailHost: opts.hostname, mailAlternateAddress: [`postmaster@${opts.domain}`] } },
        actor,
      )
      created = true
    }
    return { status: created ? 'provisioned' : 'existing' }
  } finally {
    await dir.close()
  }
}
