/** An option value as the registry types it. */
export type OptionValue = string | number | boolean | string[]

/**
 * Read access to the effective unified configuration (spec 01 §1): instance overrides role,
 * unset options answer the registry default. Services read options through this, never from files.
 */
export interface ConfigView {
  /** Effective value of a fully-qualified option name (e.g. `imap.port`, `channel:tcp_local.maxjobs`). */
  get<T extends OptionValue = OptionValue>(name: string): T
  /** Effective value or undefined when the option is unset and has no default. */
  find<T extends OptionValue = OptionValue>(name: string): T | undefined
  /** Every explicitly set option whose name matches a glob (`channel:*`, `dispatcher.service:*.tcp_ports`). */
  list(glob: string): Array<{ name: string; value: OptionValue }>
  /** Called after a refresh with the names whose effective value changed. Returns an unsubscribe function. */
  onChange(listener: (changed: string[]) => void): () => void
}

/** A fixed ConfigView for tests and tools: explicit values first, then the given defaults. */
export function staticConfigView(values: Record<string, OptionValue>, defaults: Record<string, OptionValue> = {}): ConfigView {
  const listeners = new Set<(changed: string[]) => void>()
  const lookup = (name: string) => (name in values ? values[name] : defaults[name])
  return {
    get<T extends OptionValue>(name: string): T {
      const v = lookup(name)
      if (v === undefined) throw new Error(`option ${name} is unset and has no default`)
      return v as T
    },
    find<T extends OptionValue>(name: string): T | undefined {
      return lookup(name) as T | undefined
    },
    list(glob: string) {
      const re = globToRegExp(glob)
      return Object.entries(values).filter(([n]) => re.test(n)).map(([name, value]) => ({ name, value }))
    },
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

/** msconfig-style glob: `*` matches any run of characters (including `.` and `:`), `?` one character. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')
  return new RegExp(`^${body}$`, 'i')
}
