// msconfig against a running daemon (issue 6: "the CLI uses the same API"): the staged changes of a
// ConfigService, turned into the admin API's `config.set` change list, and the port a tool implements
// to send them (apps/cli/src/commands/msconfig.ts: tRPC `config.set` / `config.rollback`). The daemon
// then writes the version (author, remark, audit source `cli`) and reloads the running services.
import type { OptionValue } from '@wren/kernel'
import type { ConfigService } from '../service.js'
import { displayKey, parseKey } from '../settings.js'

/** One `config.set` change: `role.imap.enable` → value, or null to remove the setting. */
export interface StagedChange {
  name: string
  value: OptionValue | null
}

export interface RemoteWriteResult {
  /** The new version, or the base version when the daemon found nothing to change. */
  version: number
  restart: Array<{ option: string; services: string[] }>
}

/** Where msconfig's writes go while a daemon runs. */
export interface RemoteConfigWriter {
  /** Writes `changes` as one version on top of `baseVersion` (stale base → the daemon refuses). */
  set(changes: StagedChange[], remark: string, baseVersion: number, confirmRestricted: boolean): Promise<RemoteWriteResult>
  /** Restores version `n` as a new version. */
  revert(n: number, remark: string | undefined): Promise<RemoteWriteResult>
}

/**
 * The staged changes of `svc` as explicit settings: removals first (so that an option's `excludes`
 * and the re-written lines of a multi-valued option apply cleanly), then the new values. A
 * multi-valued option (`rewrite.rule`) that changed is removed and its lines set again one by one.
 */
export function stagedChanges(svc: ConfigService): { changes: StagedChange[]; restricted: boolean } {
  const before = svc.settings()
  const after = svc.pendingSettings()
  const removals: StagedChange[] = []
  const sets: StagedChange[] = []
  let restricted = false
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(key), a = after.get(key)
    if (JSON.stringify(b) === JSON.stringify(a)) continue
    const name = displayKey(key)
    const spec = svc.registry.lookup(parseKey(key).name)?.spec
    if (a !== undefined && spec?.restricted) restricted = true
    if (a === undefined) { removals.push({ name, value: null }); continue }
    if (spec?.multi) {
      if (b !== undefined) removals.push({ name, value: null })
      for (const line of Array.isArray(a) ? a : [String(a)]) sets.push({ name, value: line })
      continue
    }
    sets.push({ name, value: a })
  }
  return { changes: [...removals, ...sets], restricted }
}
