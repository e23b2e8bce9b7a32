// The watcher's restart decision (spec 01 §3, spec 02 §5): with base.autorestart.enable, a crashed
// service is restarted once per base.autorestart.timeout window; a second failure inside the window
// stops restarts. A store-group failure restarts every enabled store-group service.
export interface RestartDecision {
  restart: boolean
  reason: 'autorestart-disabled' | 'failed-within-window' | 'restart'
}

export function decideRestart(opts: { autorestart: boolean; timeoutSec: number; lastAutoRestartAt?: number; now: number }): RestartDecision {
  if (!opts.autorestart) return { restart: false, reason: 'autorestart-disabled' }
  if (opts.lastAutoRestartAt !== undefined && opts.now - opts.lastAutoRestartAt < opts.timeoutSec * 1000) {
    return { restart: false, reason: 'failed-within-window' }
  }
  return { restart: true, reason: 'restart' }
}

/** Which services restart when `failed` crashes: its store group (those running or failed now), else itself. */
export function restartSet<T extends { name: string; group?: string }>(failed: T, members: Array<T & { active: boolean }>): string[] {
  if (!failed.group) return [failed.name]
  return members.filter((m) => m.group === failed.group && (m.active || m.name === failed.name)).map((m) => m.name)
}
