// The product's `configure` step, run by the daemon on a data root's first start (spec 04 B.4):
// layout, TLS certificate, default domain, relay-allowed network = loopback, the admin account with
// a generated password (returned once for printing), directory entries. A configured data root
// (state file present) is reused untouched.
import type { ConfigView } from '@wren/kernel'
import { ensureAdminAccount } from './admin-account.js'
import { presetIdentity, writeConfiguredOptions } from './config-values.js'
import { provisionDefaultDirectory } from './directory.js'
import { chooseIdentity, type Identity } from './identity.js'
import { createLayout } from './layout.js'
import { readState, writeState, type ConfigureState } from './state.js'
import { ensureTls } from './tls.js'

export interface ConfigureResult {
  fresh: boolean
  state: ConfigureState
  /** Printed once on the first run; undefined afterwards. */
  adminPassword?: string
  tls: { cert: string; key: string }
}

/** Options configure decides, as the daemon feeds them to the configuration view. */
export function configuredOptions(state: ConfigureState): Record<string, string> {
  return {
    'base.hostname': state['Fqdn.TextField'],
    'base.defaultdomain': state['EmailDomain.TextField'],
    'base.postmasteraddress': state['Postmaster.TextField'],
  }
}

export async function ensureConfigured(dataRoot: string, opts: { identity?: Identity; config?: (configured: Record<string, string>) => Promise<ConfigView> } = {}): Promise<ConfigureResult> {
  createLayout(dataRoot)
  const existing = readState(dataRoot)
  if (existing) {
    const tls = ensureTls(dataRoot, existing['Fqdn.TextField'])
    return { fresh: false, state: existing, tls }
  }
  const guessed = opts.identity ?? chooseIdentity()
  const preset = await presetIdentity(dataRoot)
  const id = { hostname: preset.hostname ?? guessed.hostname, domain: preset.domain ?? guessed.domain }
  const tls = ensureTls(dataRoot, id.hostname)
  const admin = await ensureAdminAccount(dataRoot, id.domain, true)
  const state: ConfigureState = {
    'Fqdn.TextField': id.hostname,
    'EmailDomain.TextField': id.domain,
    'Postmaster.TextField': `admin@${id.domain}`,
    InternalIPList: ['127.0.0.1/32', '::1/128'],
    configuredAt: new Date().toISOString(),
    directory: 'skipped',
  }
  await writeConfiguredOptions(dataRoot, { 'base.hostname': id.hostname, 'base.defaultdomain': id.domain })
  if (admin.password && opts.config) {
    const view = await opts.config(configuredOptions(state))
    try {
      state.directory = (await provisionDefaultDirectory({ dataRoot, config: view, domain: id.domain, hostname: id.hostname, adminPassword: admin.password })).status
    } catch (err) {
      throw new Error(`configure: directory provisioning failed: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  writeState(dataRoot, state)
  return { fresh: true, state, adminPassword: admin.password, tls }
}
