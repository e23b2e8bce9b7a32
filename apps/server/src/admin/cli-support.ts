// Shared by the lifecycle tools (start-msg, stop-msg, refresh, wren-status, msprobe): finding the
// data root and the daemon, launching the daemon in the background, and the status payload type.
import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { ServiceStatus } from '../supervisor/supervisor.js'
import { repoRoot, serviceRegistry } from '../services/registry.js'
import { callControl, findDaemon } from './client.js'
import type { ControlFile } from './control-file.js'

export interface StatusPayload {
  daemon: { pid: number; startedAt: string; dataRoot: string; hostname: string; ready: boolean; uptime: number }
  services: ServiceStatus[]
  events: Array<{ at: string; line: string }>
}

export function dataRootFor(env: NodeJS.ProcessEnv, cwd: string): string {
  const v = env.WREN_DATA?.trim()
  return resolve(cwd, v ? v : './data')
}

/** Component names the tools accept: the registry's plus the product's `mta` (dispatcher + job_controller). */
export function expandComponents(args: string[], env: NodeJS.ProcessEnv): { names: string[]; unknown: string[]; watcher: boolean } {
  const known = serviceRegistry(env).map((s) => s.name)
  const names: string[] = []
  const unknown: string[] = []
  let watcher = false
  for (const a of args) {
    if (a === 'mta') names.push('dispatcher', 'job_controller')
    else if (a === 'watcher') watcher = true
    else if (known.includes(a)) names.push(a)
    else unknown.push(a)
  }
  return { names: [...new Set(names)], unknown, watcher }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, intervalMs = 100): Promise<T | undefined> {
  const t0 = Date.now()
  for (;;) {
    const v = await check()
    if (v !== undefined) return v
    if (Date.now() - t0 > timeoutMs) return undefined
    await sleep(intervalMs)
  }
}

/** Starts `wren` detached (pid file run/wren.pid, output appended to log/wren.out); waits until it is up. */
export async function launchDaemon(dataRoot: string, env: NodeJS.ProcessEnv, only: string[], timeoutMs = 180_000): Promise<{ info: ControlFile; status: StatusPayload } | { error: string }> {
  mkdirSync(join(dataRoot, 'log'), { recursive: true })
  const outPath = join(dataRoot, 'log', 'wren.out')
  const fd = openSync(outPath, 'a', 0o640)
  const args = ['--no-warnings', '--import', join(repoRoot, 'node_modules/tsx/dist/esm/index.mjs'), join(repoRoot, 'apps/server/src/main.ts')]
  if (only.length) args.push('--only', only.join(','))
  const child = spawn(process.execPath, args, { cwd: repoRoot, env: { ...env, WREN_DATA: dataRoot }, detached: true, stdio: ['ignore', fd, fd] })
  closeSync(fd)
  let exited: number | null | undefined
  child.once('exit', (code) => { exited = code })
  child.unref()
  const up = await waitFor(async () => {
    if (exited !== undefined) return { error: `the daemon exited (status ${exited}); see ${outPath}` }
    const info = findDaemon(dataRoot)
    if (!info || info.pid !== child.pid) return undefined
    try {
      const status = await callControl<StatusPayload>(info, 'GET', '/control/status', undefined, 5000)
      return status.daemon.ready ? { info, status } : undefined
    } catch {
      return undefined
    }
  }, timeoutMs, 200)
  return up ?? { error: `the daemon did not come up within ${Math.round(timeoutMs / 1000)} s; see ${outPath}` }
}
