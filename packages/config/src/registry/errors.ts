// Configuration errors carry a kind so that tools can map them to exit codes and messages.
export type ConfigErrorKind = 'unknown' | 'ambiguous' | 'type' | 'obsolete' | 'restricted' | 'usage' | 'conflict' | 'notfound'

export class ConfigError extends Error {
  constructor(
    readonly kind: ConfigErrorKind,
    message: string,
    readonly suggestions: string[] = [],
  ) {
    super(message)
    this.name = 'ConfigError'
  }
}
