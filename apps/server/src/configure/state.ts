// configure's state file (the product's `--saveState`, spec 04 B.4 state-file keys), written last:
// its presence means the data root is configured and a later start reuses everything.
// No password is ever written here (the admin password is only hashed, in the database).
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface ConfigureState {
  'Fqdn.TextField': string
  'EmailDomain.TextField': string
  'Postmaster.TextField': string
  /** Relay-allowed networks (INTERNAL_IP): loopback only by default. */
  InternalIPList: string[]
  configuredAt: string
  directory: 'provisioned' | 'existing' | 'skipped'
}

export function statePath(dataRoot: string): string {
  return join(dataRoot, 'config', 'configure.state.json')
}

export function readState(dataRoot: string): ConfigureState | undefined {
  const p = statePath(dataRoot)
  if (!existsSync(p)) return undefined
  return JSON.parse(readFileSync(p, 'utf8')) as ConfigureState
}

export function writeState(dataRoot: string, state: ConfigureState): void {
  const p = statePath(dataRoot)
  writeFileSync(p, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 })
  chmodSync(p, 0o600)
}
