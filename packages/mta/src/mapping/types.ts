// Mapping-table types (spec 01 §12; Messaging Server Reference, "Mapping tables").

/** One `pattern  template` line of a mapping table, as written. */
export interface MappingEntry {
  pattern: string
  template: string
}

/** A named mapping table (`PORT_ACCESS`, `INTERNAL_IP`, `X-…`): entries are tried in order. */
export interface MappingTable {
  name: string
  entries: MappingEntry[]
}

/**
 * Input flags a probe carries (spec 01 §12): `A` = probe made by the dispatcher (PORT_ACCESS),
 * `S` = SASL authentication done, `T` = TLS in use, `L` = BURL URL contains `|`. Templates test
 * them with `$:X` (set) / `$;X` (clear).
 */
export type InputFlags = string | Iterable<string>

/** The outcome of evaluating a probe against a table. */
export interface MappingResult {
  /** An entry matched and its template did not fail. */
  matched: boolean
  /** The final output string (after `$X…|` extraction); the rejection/acceptance text. */
  output: string
  /** Template flags set by the final entry, e.g. `Y`, `N`, `E`, `C`, `H` (hold), `B` (bitbucket). */
  flags: string
  /** matched and neither `$N` nor `$F` was set. An unmatched probe is not an acceptance (`accept` false). */
  accept: boolean
  /** `$N`/`$F` set: the access is refused. */
  reject: boolean
  /** Text to show (output without a leading SMTP code). */
  text: string
  /** `$X4.5.1|` enhanced status code, when given. */
  enhancedCode?: string
  /** Basic SMTP code when the text starts with one (`$N421$ Connection$ declined`). */
  smtpCode?: number
}

/** What a callout routine answers: success (the entry proceeds, `value` is substituted) or failure. */
export interface CalloutResult {
  ok: boolean
  value?: string
}

export interface CalloutContext {
  /** Library as written in the template (`IMTA_LIB:check_metermaid.so`). */
  library: string
  routine: string
  table: string
  probe: string
  flags: ReadonlySet<string>
}

/**
 * A built-in callout library (`$[IMTA_LIB:check_metermaid.so,throttle,ext_throttle,$3]`):
 * called with the routine name and the (substituted) arguments.
 */
export type CalloutFn = (routine: string, args: string[], ctx: CalloutContext) => CalloutResult | Promise<CalloutResult>
