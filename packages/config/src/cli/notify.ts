// After a write, tell a running daemon to reload (brief: POST /control/config-reload with the bearer
// token from <dataRoot>/run/control.json); it answers which options applied live and which need a restart.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface ReloadAnswer {
  applied: string[]
  restartNeeded: string[]
  restart?: Array<{ option: string; services: string[] }>
}

export type NotifyOutcome =
  | { kind: 'no-daemon' }
  | { kind: 'unreachable'; reason: string }
  | { kind: 'reloaded'; answer: ReloadAnswer }

export async function notifyDaemon(dataRoot: string, timeoutMs = 15_000): Promise<NotifyOutcome> {
  const file = join(dataRoot, 'run', 'control.json')
  if (!existsSync(file)) return { kind: 'no-daemon' }
  let ctl: { port?: number; token?: string; pid?: number; host?: string }
  try {
    ctl = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    return { kind: 'unreachable', reason: `cannot read ${file}: ${(err as Error).message}` }
  }
  if (!ctl.port || !ctl.token) return { kind: 'unreachable', reason: `${file} has no port or token` }
  if (ctl.pid && !alive(ctl.pid)) return { kind: 'no-daemon' }
  try {
    const res = await fetch(`http://127.0.0.1:${ctl.port}/control/config-reload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ctl.token}`, 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(timeoutMs),
    })
    if (!res.ok) return { kind: 'unreachable', reason: `daemon answered HTTP ${res.status}` }
    const body = (await res.json()) as Partial<ReloadAnswer>
    return { kind: 'reloaded', answer: { applied: body.applied ?? [], restartNeeded: body.restartNeeded ?? [], ...(body.restart ? { restart: body.restart } : {}) } }
  } catch (err) {
    return { kind: 'unreachable', reason: (err as Error).message }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
