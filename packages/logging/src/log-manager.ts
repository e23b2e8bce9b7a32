// The service log writer of one process: `createLogManager(...).logger('imap')` writes
// `log/imap` in the product's format, with level and rotation taken from `<svc>.logfile.*`
// (spec 01 §24). The `default` log is governed by the `base.logfile.*` options.
import { isAbsolute, join, resolve } from 'node:path'
import type { ConfigView, LogCategory, Logger, LogLevel, OptionValue } from '@wren/kernel'
import { formatServiceLogLine } from './format.js'
import { DEFAULT_LOG_LEVEL, levelEnabled, parseLogLevel } from './levels.js'
import { LogFile } from './log-file.js'
import type { RotationPolicy } from './rotation.js'

export interface LogManagerOptions {
  dataRoot: string
  config: ConfigView
  /** Process name written in each line, e.g. `imapd`, `popd`, `dispatcher`. */
  proc: string
  hostname: string
  pid?: number
  now?: () => number
}

export interface LogManager {
  logger(name: string): Logger
  flush(): Promise<void>
  /** Synchronous best effort for crash paths. */
  flushSync(): void
  close(): Promise<void>
}

/** Fallbacks used when the registry gives no value (the product's documented defaults). */
export const LOGFILE_DEFAULTS = {
  loglevel: DEFAULT_LOG_LEVEL,
  maxlogfilesize: 2 * 1024 * 1024,
  maxlogfiles: 10,
  maxlogsize: 20 * 1024 * 1024,
  rollovertime: 86_400,
  expirytime: 604_800,
  flushinterval: 1,
} as const

/** The option scope governing a log: `default` → `base`, otherwise the log's own name. */
export function logOptionScope(name: string): string {
  return name === 'default' ? 'base' : name
}

function find(config: ConfigView, name: string): OptionValue | undefined {
  try {
    return config.find(name)
  } catch {
    return undefined // unknown to the registry: use the built-in default
  }
}

function num(config: ConfigView, name: string, fallback: number): number {
  const v = find(config, name)
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN
  return Number.isFinite(n) && n >= 0 ? n : fallback
}

interface LogState {
  file: LogFile
  level: LogLevel
  policy: RotationPolicy
}

export function createLogManager(opts: LogManagerOptions): LogManager {
  const pid = opts.pid ?? process.pid
  const now = opts.now ?? Date.now
  const logs = new Map<string, LogState>()
  const loggers = new Map<string, Logger>()
  let closed = false

  const readSettings = (name: string) => {
    const scope = `${logOptionScope(name)}.logfile`
    const level = parseLogLevel(find(opts.config, `${scope}.loglevel`)) ?? LOGFILE_DEFAULTS.loglevel
    const policy: RotationPolicy = {
      // the registry: "values <= 0 mean the default" for the per-file size; 0 elsewhere = no limit
      maxlogfilesize: num(opts.config, `${scope}.maxlogfilesize`, LOGFILE_DEFAULTS.maxlogfilesize) || LOGFILE_DEFAULTS.maxlogfilesize,
      maxlogfiles: num(opts.config, `${scope}.maxlogfiles`, LOGFILE_DEFAULTS.maxlogfiles),
      maxlogsize: num(opts.config, `${scope}.maxlogsize`, LOGFILE_DEFAULTS.maxlogsize),
      rollovertime: num(opts.config, `${scope}.rollovertime`, LOGFILE_DEFAULTS.rollovertime),
      expirytime: num(opts.config, `${scope}.expirytime`, LOGFILE_DEFAULTS.expirytime),
    }
    const dirOpt = find(opts.config, `${scope}.logdir`)
    const dir = typeof dirOpt === 'string' && dirOpt
      ? (isAbsolute(dirOpt) ? dirOpt : resolve(opts.dataRoot, dirOpt))
      : join(resolve(opts.dataRoot), 'log')
    return { level, policy, dir }
  }

  const flushAll = async () => {
    await Promise.all([...logs.values()].map((s) => s.file.flush().catch(() => undefined)))
  }

  // Flush on the shortest configured interval (`*.logfile.flushinterval`, seconds).
  const intervalMs = Math.max(100, num(opts.config, 'base.logfile.flushinterval', LOGFILE_DEFAULTS.flushinterval) * 1000)
  const timer = setInterval(() => void flushAll(), intervalMs)
  timer.unref()
  // Expiry applies even to a log nobody writes to: check the rolled files once a minute.
  const pruneTimer = setInterval(() => { for (const s of logs.values()) void s.file.prune().catch(() => undefined) }, 60_000)
  pruneTimer.unref()

  const unsubscribe = opts.config.onChange((changed) => {
    for (const [name, state] of logs) {
      const scope = `${logOptionScope(name)}.logfile.`
      if (changed.some((c) => c.toLowerCase().startsWith(scope))) {
        const s = readSettings(name)
        state.level = s.level
        state.policy = s.policy
      }
    }
  })

  const stateFor = (name: string): LogState => {
    let state = logs.get(name)
    if (!state) {
      const s = readSettings(name)
      const st: LogState = {
        level: s.level,
        policy: s.policy,
        file: new LogFile({ dir: s.dir, name, policy: () => st.policy, now, onPressure: () => void st.file.flush().catch(() => undefined) }),
      }
      logs.set(name, (state = st))
    }
    return state
  }

  const makeLogger = (name: string): Logger => {
    const state = stateFor(name)
    const log = (category: LogCategory, level: LogLevel, message: string) => {
      if (closed || !levelEnabled(level, state.level)) return
      state.file.append(formatServiceLogLine({ time: new Date(now()), host: opts.hostname, proc: opts.proc, pid, category, level, message }))
      if (level === 'Critical') void state.file.flush().catch(() => undefined)
    }
    return {
      log,
      critical: (c, m) => log(c, 'Critical', m),
      error: (c, m) => log(c, 'Error', m),
      warning: (c, m) => log(c, 'Warning', m),
      notice: (c, m) => log(c, 'Notice', m),
      info: (c, m) => log(c, 'Information', m),
      debug: (c, m) => log(c, 'Debug', m),
      enabled: (level) => !closed && levelEnabled(level, state.level),
    }
  }

  return {
    logger(name) {
      if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith('.')) throw new Error(`invalid log name '${name}'`)
      let l = loggers.get(name)
      if (!l) loggers.set(name, (l = makeLogger(name)))
      return l
    },
    flush: flushAll,
    flushSync() {
      for (const s of logs.values()) s.file.flushSync()
    },
    async close() {
      if (closed) return
      closed = true
      clearInterval(timer)
      clearInterval(pruneTimer)
      unsubscribe()
      await Promise.all([...logs.values()].map((s) => s.file.close().catch(() => undefined)))
    },
  }
}
