// Outside-in helpers for the daemon tests: run the real bin/ tools and the real daemon against a
// temporary data root, read its status through run/control.json, and wait on conditions.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { connect, createServer } from 'node:net'

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** Options that keep the product's services out of the way and the control port free. */
export const QUIET_OPTIONS = {
  'admin.port': 0,
  'store.enable': 0,
  'imap.enable': 0,
  'pop.enable': 0,
  'mta.enable': 0,
  'schedule.enable': 0,
  'metermaid.enable': 0,
  'ens.enable': 0,
  'console.enable': 0,
}

/** n distinct free ports: every socket stays open until all are taken, so none is handed out twice. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((res, rej) => {
    const s = createServer()
    s.once('error', rej)
    s.listen(0, '127.0.0.1', () => res(s))
  })))
  const ports = servers.map((s) => (s.address() as { port: number }).port)
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
  return ports
}

export function tempDataRoot(): string {
  return mkdtempSync(join(tmpdir(), 'wren-e2e-server-'))
}

export function envFor(dataRoot: string, options: Record<string, unknown>, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, WREN_DATA: dataRoot, WREN_TEST_SERVICES: '1', WREN_OPTIONS: JSON.stringify(options), ...extra }
}

export function tool(name: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 150_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(join(repo, 'bin', name), args, { env, cwd: repo, timeout: timeoutMs }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
  })
}

export interface Status {
  daemon: { pid: number; ready: boolean }
  services: Array<{ name: string; state: string; enabled: boolean; pid?: number; restarts: number; listeners: Array<{ port: number }> }>
}

/** The daemon's status straight from its control API (cheap enough to poll). */
export async function status(env: NodeJS.ProcessEnv): Promise<Status | undefined> {
  const ctl = join(env.WREN_DATA!, 'run', 'control.json')
  if (!existsSync(ctl)) return undefined
  const { port, token } = JSON.parse(readFileSync(ctl, 'utf8')) as { port: number; token: string }
  try {
    const res = await fetch(`http://127.0.0.1:${port}/control/status`, { headers: { authorization: `Bearer ${token}` } })
    return res.ok ? ((await res.json()) as Status) : undefined
  } catch {
    return undefined
  }
}

export function svc(st: Status | undefined, name: string) {
  return st?.services.find((s) => s.name === name)
}

export async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const t0 = Date.now()
  let last: unknown
  for (;;) {
    try {
      const v = await check()
      if (v !== undefined && v !== false) return v as T
    } catch (err) {
      last = err
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}${last ? ` (${String(last)})` : ''}`)
    await new Promise((r) => setTimeout(r, 150))
  }
}

export function watcherLog(dataRoot: string): string {
  const p = join(dataRoot, 'log', 'watcher')
  return existsSync(p) ? readFileSync(p, 'utf8') : ''
}

/** Starts the daemon in the foreground (as `npm start` does) and collects its output. */
export function foregroundDaemon(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--no-warnings', '--import', join(repo, 'node_modules/tsx/dist/esm/index.mjs'), join(repo, 'apps/server/src/main.ts')], { env, cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { out += d.toString() })
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  return { child, output: () => out, exited }
}

/** Last-resort cleanup: stop the daemon of a data root (and its services) if a test left it running. */
export async function cleanup(dataRoot: string, env: NodeJS.ProcessEnv): Promise<void> {
  const ctl = join(dataRoot, 'run', 'control.json')
  if (existsSync(ctl)) {
    const { pid } = JSON.parse(readFileSync(ctl, 'utf8')) as { pid: number }
    await tool('stop-msg', ['-f'], env, 30_000)
    try { process.kill(pid, 'SIGKILL') } catch { /* gone */ }
  }
  rmSync(dataRoot, { recursive: true, force: true })
}

/** The first line a TCP service sends (a protocol greeting). */
export function greeting(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1')
    s.setEncoding('utf8')
    s.once('data', (d: string) => { resolve(d); s.destroy() })
    s.once('error', reject)
  })
}
