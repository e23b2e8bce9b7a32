// Service `console` (issue 6): the web console, the Next.js 16 production build of apps/console,
// run by the watcher in its own process like any other service. It listens on
// console.listenaddr:console.port and proxies `/trpc/*` to the admin API on
// admin.listenaddr:admin.port. The service process spawns console-server.mjs (Next.js's request
// handler behind a runtime /trpc proxy — see that file for why not plain `next start`), reports its
// listener once it answers HTTP, stops it on stop(), and fails (a crash for the watcher, spec 01 §3)
// when it exits on its own.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import type { ConfigView, ListenerInfo, Logger, Service, ServiceContext } from '@wren/kernel'
import { readControlFile } from '../admin/control-file.js'
import { repoRoot } from './registry.js'

export const CONSOLE_DIR = join(repoRoot, 'apps/console')
const CONSOLE_SERVER = join(repoRoot, 'apps/server/src/services/console-server.mjs')
const PARENT_WATCH = join(repoRoot, 'apps/server/src/services/console-parent-watch.cjs')

export interface ConsoleServiceOptions {
  /** The console app directory (must hold a `next build` output in `.next/`). */
  appDir?: string
  /** How long the console server may take to answer HTTP. */
  readyTimeoutMs?: number
  /**
   * Called when the console server exits while the service runs. The default throws from a fresh stack,
   * which ends the service process with EXIT_SERVICE_FAILED (child-entry.ts) so the watcher
   * logs the crash and restarts the service.
   */
  onUnexpectedExit?: (error: Error) => void
}

export interface ConsoleEndpoint {
  host: string
  port: number
  adminHost: string
  adminPort: number
}

const str = (v: ConfigView, name: string, def: string) => {
  const x = v.find<string>(name)
  return x === undefined || x === null || x === '' ? def : String(x)
}
const num = (v: ConfigView, name: string, def: number) => {
  const x = v.find<number | string>(name)
  const n = typeof x === 'number' ? x : Number(x)
  return x === undefined || x === '' || !Number.isFinite(n) ? def : n
}

/**
 * Where the console listens and where the admin API is. The admin port comes from the running
 * daemon's run/control.json when there is one (it is the port actually bound, also when
 * admin.port is 0), else from the options.
 */
export function consoleEndpoint(ctx: Pick<ServiceContext, 'config' | 'dataRoot'>): ConsoleEndpoint {
  const v = ctx.config
  const control = readControlFile(ctx.dataRoot)
  const adminHost = str(v, 'admin.listenaddr', '127.0.0.1')
  return {
    host: str(v, 'console.listenaddr', '127.0.0.1'),
    port: num(v, 'console.port', 8081),
    // a wildcard listen address is reached through loopback
    adminHost: adminHost === '0.0.0.0' || adminHost === '::' ? '127.0.0.1' : adminHost,
    adminPort: control?.port ?? num(v, 'admin.port', 8080),
  }
}

/** The build the console needs; `undefined` when it is there. */
export function missingBuild(appDir = CONSOLE_DIR): string | undefined {
  const id = join(appDir, process.env.WREN_CONSOLE_DISTDIR || '.next', 'BUILD_ID')
  if (existsSync(id)) return undefined
  return `the console has not been built (${id} is missing); run \`npm start\` (it builds the console on first run) or \`npx next build ${appDir}\``
}

/** Resolves once `http://host:port/` answers anything, or rejects when the child exits or time runs out. */
function waitForHttp(host: string, port: () => number, child: ChildProcess, timeoutMs: number, tail: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now()
    let done = false
    const finish = (err?: Error) => {
      if (done) return
      done = true
      child.off('exit', onExit)
      if (err) reject(err)
      else resolve()
    }
    const onExit = (code: number | null, signal: string | null) =>
      finish(new Error(`the console server exited (${signal ?? `code ${code}`}) before listening${tail() ? `: ${tail()}` : ''}`))
    child.once('exit', onExit)
    const probe = () => {
      if (done) return
      if (Date.now() - t0 > timeoutMs) {
        finish(new Error(`the console server did not answer on ${host}:${port()} within ${Math.round(timeoutMs / 1000)} s`))
        return
      }
      if (!port()) { setTimeout(probe, 200); return }
      const req = request({ host, port: port(), path: '/', method: 'HEAD', timeout: 2000 }, (res) => {
        res.resume()
        finish()
      })
      req.on('error', () => setTimeout(probe, 200))
      req.on('timeout', () => req.destroy())
      req.end()
    }
    probe()
  })
}

export function createConsoleService(opts: ConsoleServiceOptions = {}): Service {
  const appDir = opts.appDir ?? CONSOLE_DIR
  let child: ChildProcess | undefined
  let endpoint: ConsoleEndpoint | undefined
  let boundPort = 0
  let stopping = false
  let log: Logger | undefined
  let output = ''

  const onUnexpectedExit = opts.onUnexpectedExit ?? ((err: Error) => setImmediate(() => { throw err }))

  return {
    name: 'console',
    async start(ctx) {
      log = ctx.logger('default')
      const missing = missingBuild(appDir)
      if (missing) throw new Error(missing)
      endpoint = consoleEndpoint(ctx)
      const { host, port, adminHost, adminPort } = endpoint
      boundPort = port
      stopping = false
      child = spawn(process.execPath, ['-r', PARENT_WATCH, CONSOLE_SERVER], {
        cwd: appDir,
        env: {
          ...process.env,
          NODE_ENV: 'production',
          NEXT_TELEMETRY_DISABLED: '1',
          WREN_CONSOLE_DIR: appDir,
          WREN_CONSOLE_HOST: host,
          WREN_CONSOLE_PORT: String(port),
          WREN_ADMIN_HOST: adminHost,
          WREN_ADMIN_PORT: String(adminPort),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      const collect = (d: Buffer) => {
        const text = d.toString()
        output = (output + text).slice(-4000)
        // port 0: console-server prints the port it bound (`console listening on http://127.0.0.1:41235`)
        if (!boundPort) {
          const m = /console listening on http:\/\/\S+?:(\d+)/.exec(output)
          if (m) boundPort = Number(m[1])
        }
        for (const line of text.split('\n')) if (line.trim()) log?.info('General', `console: ${line.trim()}`)
      }
      child.stdout!.on('data', collect)
      child.stderr!.on('data', collect)
      const tail = () => output.trim().split('\n').slice(-3).join(' | ')
      try {
        await waitForHttp(host, () => boundPort, child, opts.readyTimeoutMs ?? 60_000, tail)
      } catch (err) {
        child.kill('SIGKILL')
        child = undefined
        throw err
      }
      log.notice('General', `console listening on http://${host}:${boundPort}/ (admin API ${adminHost}:${adminPort})`)
      const running = child
      running.once('exit', (code, signal) => {
        if (stopping || child !== running) return
        child = undefined
        const err = new Error(`console: the console server (pid ${running.pid}) exited unexpectedly (${signal ?? `code ${code}`})${tail() ? `: ${tail()}` : ''}`)
        log?.critical('General', err.message)
        onUnexpectedExit(err)
      })
    },
    async stop() {
      stopping = true
      const c = child
      child = undefined
      if (!c || c.exitCode !== null || c.signalCode !== null) return
      const exited = new Promise<void>((r) => c.once('exit', () => r()))
      c.kill('SIGTERM')
      const timer = setTimeout(() => c.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
    async health() {
      return child && child.exitCode === null ? { ok: true } : { ok: false, detail: 'the console server is not running' }
    },
    listeners(): ListenerInfo[] {
      return endpoint && child ? [{ name: 'console', host: endpoint.host, port: boundPort, tls: 'none' }] : []
    },
  }
}

/** The module the watcher loads (registry.ts). */
export const createService = (): Service => createConsoleService()
