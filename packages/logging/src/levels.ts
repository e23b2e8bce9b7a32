// Log levels (spec 01 §24): "A level includes everything more severe."
// Nolog < Critical < Error < Warning < Notice (default) < Information < Debug.
import { LOG_LEVELS, type LogLevel } from '@wren/kernel'

export const DEFAULT_LOG_LEVEL: LogLevel = 'Notice'

export function levelRank(level: LogLevel): number {
  return LOG_LEVELS.indexOf(level)
}

/** Accepts the product's names case-insensitively (`notice`, `INFORMATION`); `Info` is tolerated. */
export function parseLogLevel(value: unknown): LogLevel | undefined {
  if (typeof value !== 'string') return undefined
  const v = value.trim().toLowerCase()
  if (v === 'info') return 'Information'
  return LOG_LEVELS.find((l) => l.toLowerCase() === v)
}

/** True when a line at `level` is written under the configured `threshold`. */
export function levelEnabled(level: LogLevel, threshold: LogLevel): boolean {
  if (threshold === 'Nolog' || level === 'Nolog') return false
  return levelRank(level) <= levelRank(threshold)
}
