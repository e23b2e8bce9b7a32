// Service log levels and categories as the manual lists them (spec 01 §24):
// "Levels: Nolog, Critical, Error, Warning, Notice (default), Information, Debug."
// "Categories: General, LDAP, Network, Account, Protocol, Stats, Store."
export const LOG_LEVELS = ['Nolog', 'Critical', 'Error', 'Warning', 'Notice', 'Information', 'Debug'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]
export const LOG_CATEGORIES = ['General', 'LDAP', 'Network', 'Account', 'Protocol', 'Stats', 'Store'] as const
export type LogCategory = (typeof LOG_CATEGORIES)[number]

/** A product-format service logger: `[dd/Mon/yyyy:hh:mm:ss ±zzzz] host proc[pid]: Category Level: message`. */
export interface Logger {
  log(category: LogCategory, level: LogLevel, message: string): void
  critical(category: LogCategory, message: string): void
  error(category: LogCategory, message: string): void
  warning(category: LogCategory, message: string): void
  notice(category: LogCategory, message: string): void
  info(category: LogCategory, message: string): void
  debug(category: LogCategory, message: string): void
  /** True when a line at this level would be written (lets hot paths skip formatting). */
  enabled(level: LogLevel): boolean
}

/** A logger that drops everything; for unit tests that do not look at logs. */
export const nullLogger: Logger = {
  log() {}, critical() {}, error() {}, warning() {}, notice() {}, info() {}, debug() {},
  enabled: () => false,
}
