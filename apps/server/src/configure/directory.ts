// The default domain and the admin/postmaster entries in the directory (spec 04 B.4 "writes LDAP
// entries … for the default domain, admin and postmaster", D.3) through @wren/directory's
// provisioning API — the embedded directory or the configured LDAP server.
import type { ConfigView } from '@wren/kernel'
import { openDirectory } from '@wren/directory'

export interface DirectoryProvisioning {
  status: 'provisioned' | 'existing' | 'skipped'
  detail?: string
}

/**
 * Creates the default domain (preferredMailHost = this host) and the `admin` user with the
 * generated password; `postmaster@<domain>` is an alternate address of admin, so notices reach it
 * (the manual leaves postmaster unprovisioned; D.3 proposes the route).
 */
export async function provisionDefaultDirectory(opts: { dataRoot: string; config: ConfigView; domain: string; hostname: string; adminPassword: string }): Promise<DirectoryProvisioning> {
  const dir = await openDirectory({ dataRoot: opts.dataRoot, config: opts.config, hostname: opts.hostname })
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
