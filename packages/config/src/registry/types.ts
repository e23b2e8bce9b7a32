// Option metadata of the unified configuration (spec 01 §1 "Option classes"; spec 04 A.1 configutil -H/-m).
import type { OptionValue } from '@wren/kernel'

/**
 * Value syntaxes. `int`/`uint`/`tcpport` are numbers, `bool` is a boolean (shown as 1/0 by msconfig,
 * yes/no by configutil), `list` is a string array (space- or comma-separated on input), `enum` a string
 * from `values`, `string`/`filepath` are strings.
 */
export type OptionType = 'string' | 'int' | 'uint' | 'bool' | 'tcpport' | 'filepath' | 'enum' | 'list'

/** Which Wren service must restart when the option changes; `undefined` = refreshable (applied live). */
export type RestartScope =
  | 'all' | 'store' | 'imap' | 'pop' | 'http' | 'dispatcher' | 'job_controller' | 'ens' | 'sched'
  | 'metermaid' | 'admin' | 'watcher' | 'mmp' | 'console'

export type Scope = 'role' | 'instance'

export interface OptionSpec {
  /**
   * Unified name without scope. Named groups carry a placeholder: `channel:<name>.maxjobs`,
   * `dispatcher.service:<name>.tcp_ports`, `mapping:<name>.rule`. A trailing `<*>` segment accepts any
   * sub-option (`channel:<name>.options.<*>`).
   */
  name: string
  type: OptionType
  default?: OptionValue
  description: string
  /** Restart needed for a change to take effect; absent = refreshable. */
  restart?: RestartScope
  /** Allowed values for `enum`. */
  values?: string[]
  min?: number
  max?: number
  /** A password: stored only in ConfigSecret / xpass.xml, never displayed, logged or exported in config.xml. */
  password?: boolean
  /** Needs explicit confirmation (`set -restricted`); stamped `RESTRICTED USAGE OPTION` in config.xml. */
  restricted?: boolean
  /** No longer used: may only be deleted. */
  obsolete?: boolean
  /** Several values (one per `set`): `rewrite.rule`, `mapping:<name>.rule` — `pattern template` lines. */
  multi?: boolean
  /** Accepts `;lang-xx` variants (`base.welcomemsg;lang-de`). */
  language?: boolean
  /** Legacy configutil name(s) (`service.imap.port`); placeholders as in `name`. */
  legacy?: string[]
  /** Where msconfig puts it when the user gives no scope (spec 01 §1: msconfig picks the scope). */
  scope?: Scope
  /** When unset, the effective value is that of this option (spec 01 §1 "default relationships"). */
  fallback?: string
  /** Setting this option removes these sibling options of the same group (`mx` removes `nomx`, …). */
  excludes?: string[]
  /** The product's own default when Wren's local profile differs (documented in -H output). */
  productDefault?: OptionValue
}

/** A registry option resolved against a concrete name. */
export interface OptionMatch {
  spec: OptionSpec
  /** Canonical concrete name (`channel:tcp_local.maxjobs`). */
  name: string
  /** Values of the `<name>` placeholders in order (`['tcp_local']`). */
  groups: string[]
  /** Language tag of a `;lang-xx` variant, if any. */
  lang?: string
  /** True when a change applies live (`refresh`); false when `restart` names a service to restart. */
  refreshable: boolean
  restart?: RestartScope
}
