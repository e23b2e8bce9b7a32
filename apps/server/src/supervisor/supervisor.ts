// The product's watcher: starts enabled services in order, each in its own process, stops them,
// and restarts a crashed one by base.autorestart.* (spec 01 §2–3, spec 02 §5), logging to
// DataRoot/log/watcher in the product's words.
import { fork, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import type { ConfigView, ListenerInfo, ServiceHealth } from '@wren/kernel'
import type { BusHub } from '@wren/ens'
import type { WatcherLog } from '@wren/logging'
import { flag, numberOption } from '../config-source.js'
import { isInstalled, modulePath, repoRoot, type ServiceEntry } from '../services/registry.js'
import { isCtl, type FromChild, type ToChild } from './protocol.js'
import { decideRestart, restartSet } from './restart-policy.js'

export type ServiceState = 'running' | 'starting' | 'stopping' | 'stopped' | 'restarting' | 'failed' | 'not installed' | 'disabled'

export interface ServiceStatus {
  name: string
  proc: string
  state: ServiceState
  enabled: boolean
  pid?: number
  /** Seconds since the current process started. */
  uptime?: number
  restarts: number
  listeners: ListenerInfo[]
  lastExit?: { code: number | null; signal: string | null; at: string }
  error?: string
}

export interface SupervisorOptions {
  dataRoot: string
  hostname: string
  config: () => ConfigView
  /** Values configure chose, passed on to each service process. */
  configured: Record<string, string | number>
  entries: ServiceEntry[]
  watcherLog: WatcherLog
  hub: BusHub
  /** Where start/stop lines also go (the daemon's terminal). */
  out?: (line: string) => void
  readyTimeoutMs?: number
  stopTimeoutMs?: number
  /** Precompiled service bundles (service-bundles.ts); a service without one is forked under tsx. */
  bundles?: { bundleFor(entry: ServiceEntry): string | undefined }
}

interface ServiceRecord {
  entry: ServiceEntry
  state: ServiceState
  child?: ChildProcess
  pid?: number
  startedAt?: number
  restarts: number
  listeners: ListenerInfo[]
  expectingExit: boolean
  lastAutoRestartAt?: number
  lastExit?: ServiceStatus['lastExit']
  error?: string
  exited?: Promise<void>
  ready?: { resolve(ok: boolean): void }
  pending: Map<number, (msg: Extract<FromChild, { kind: 'reply' }>) => void>
}

const CHILD_ENTRY = join(repoRoot, 'apps/server/src/services/child-entry.ts')
const TSX_LOADER = join(repoRoot, 'node_modules/tsx/dist/esm/index.mjs')
const MAX_EVENTS = 50

/** The product prints three dots for some servers and four for others (spec 01 §2 samples). */
const dots = (name: string) => (name === 'ens' || name === 'sched' ? '...' : '....')

export class Supervisor {
  private readonly records = new Map<string, ServiceRecord>()
  private readonly recentEvents: Array<{ at: string; line: string }> = []
  private queue: Promise<unknown> = Promise.resolve()
  private shuttingDown = false
  private nextId = 1

  constructor(private readonly opts: SupervisorOptions) {
    for (const entry of opts.entries) {
      this.records.set(entry.name, { entry, state: 'stopped', restarts: 0, listeners: [], expectingExit: false, pending: new Map() })
    }
  }

  get names(): string[] {
    return this.opts.entries.map((e) => e.name)
  }

  has(name: string): boolean {
    return this.records.has(name)
  }

  isEnabled(entry: ServiceEntry): boolean {
    return flag(this.opts.config(), entry.enableOption, entry.enabledByDefault)
  }

  /** Marks an in-process service (the control API) as running inside the daemon. */
  markInProcess(name: string, listeners: ListenerInfo[]): void {
    const r = this.records.get(name)
    if (!r) return
    Object.assign(r, { state: 'running', pid: process.pid, startedAt: Date.now(), listeners })
  }

  status(): ServiceStatus[] {
    const now = Date.now()
    return this.opts.entries.map((entry) => {
      const r = this.records.get(entry.name)!
      const enabled = this.isEnabled(entry)
      let state = r.state
      if (state === 'stopped' && !isInstalled(entry)) state = 'not installed'
      else if (state === 'stopped' && !enabled) state = 'disabled'
      return {
        name: entry.name,
        proc: entry.proc,
        state,
        enabled,
        pid: r.state === 'running' || r.state === 'starting' || r.state === 'stopping' ? r.pid : undefined,
        uptime: r.state === 'running' && r.startedAt ? Math.round((now - r.startedAt) / 1000) : undefined,
        restarts: r.restarts,
        listeners: r.state === 'running' ? r.listeners : [],
        lastExit: r.lastExit,
        error: r.error,
      }
    })
  }

  events(): Array<{ at: string; line: string }> {
    return [...this.recentEvents]
  }

  /** Starts the named services (all enabled ones when empty), in the product's order. */
  start(names: string[] = []): Promise<string[]> {
    return this.serial(() => this.startNow(names))
  }

  stop(names: string[] = [], force = false): Promise<string[]> {
    return this.serial(() => this.stopNow(names, force))
  }

  restart(names: string[]): Promise<string[]> {
    return this.serial(async () => [...(await this.stopNow(names, false)), ...(await this.startNow(names, true))])
  }

  /** Stops everything for the daemon's exit; no restarts from here on. */
  async shutdown(force = false): Promise<string[]> {
    this.shuttingDown = true
    return this.serial(() => this.stopNow([], force))
  }

  /** Asks running services to re-read refreshable options (`refresh <svc>`). */
  async refresh(names: string[], changed: string[]): Promise<Array<{ service: string; ok: boolean; error?: string }>> {
    const out: Array<{ service: string; ok: boolean; error?: string }> = []
    for (const name of names) {
      const r = this.records.get(name)
      if (!r) { out.push({ service: name, ok: false, error: `unknown service '${name}'` }); continue }
      if (r.entry.inProcess) { out.push({ service: name, ok: true }); continue }
      if (r.state !== 'running' || !r.child) { out.push({ service: name, ok: false, error: `${name} server is not running` }); continue }
      const reply = await this.request(r, { wren: 'ctl', kind: 'refresh', id: 0, changed })
      out.push({ service: name, ok: reply.ok, error: reply.error })
    }
    return out
  }

  async health(name: string): Promise<ServiceHealth | undefined> {
    const r = this.records.get(name)
    if (!r || r.state !== 'running' || !r.child) return undefined
    const reply = await this.request(r, { wren: 'ctl', kind: 'health', id: 0 })
    return reply.ok ? reply.health : { ok: false, detail: reply.error }
  }

  // ---- internals ----

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op)
    this.queue = run.catch(() => undefined)
    return run
  }

  private say(line: string, toLog = true): void {
    this.opts.out?.(line)
    if (toLog) this.opts.watcherLog.write(line)
    this.recentEvents.push({ at: new Date().toISOString(), line })
    if (this.recentEvents.length > MAX_EVENTS) this.recentEvents.shift()
  }

  private selected(names: string[]): ServiceEntry[] {
    if (!names.length) return this.opts.entries
    const set = new Set(names)
    return this.opts.entries.filter((e) => set.has(e.name))
  }

  private async startNow(names: string[], explicit = names.length > 0): Promise<string[]> {
    const lines: string[] = []
    const line = (l: string) => { lines.push(l); this.say(l) }
    for (const entry of this.selected(names)) {
      const r = this.records.get(entry.name)!
      if (entry.inProcess) continue
      if (!isInstalled(entry)) { if (explicit) line(`${entry.name} server is not installed`); continue }
      if (!this.isEnabled(entry)) { if (explicit) line(`${entry.name} server is disabled (${entry.enableOption} = 0)`); continue }
      if (this.shuttingDown) break
      if (r.state === 'running' || r.state === 'starting') { if (explicit) line(`${entry.name} server is already running (pid ${r.pid})`); continue }
      r.lastAutoRestartAt = undefined // an administrator's start opens a new window
      const ok = await this.spawn(r)
      if (ok) {
        line(`Starting ${entry.name} server ${dots(entry.name)} ${r.pid}`)
        if (entry.name === 'store') line('Checking store server status ..... ready')
      } else {
        line(`Starting ${entry.name} server ${dots(entry.name)} failed${r.error ? `: ${r.error}` : ''}`)
      }
    }
    return lines
  }

  private async stopNow(names: string[], force: boolean): Promise<string[]> {
    const lines: string[] = []
    const explicit = names.length > 0
    for (const entry of [...this.selected(names)].reverse()) {
      const r = this.records.get(entry.name)!
      if (entry.inProcess) { if (explicit) lines.push(`${entry.name} server runs inside the watcher; stop-msg with no argument stops it`); continue }
      if (!r.child || r.state === 'stopped' || r.state === 'failed') {
        if (explicit) lines.push(`${entry.name} server is not running`)
        if (r.state === 'failed') r.state = 'stopped'
        continue
      }
      const pid = r.pid
      await this.kill(r, force)
      const l = `Stopping ${entry.name} server ${pid} ${dots(entry.name)} done`
      lines.push(l)
      this.say(l)
    }
    return lines
  }

  private spawn(r: ServiceRecord): Promise<boolean> {
    const { entry } = r
    r.state = 'starting'
    r.error = undefined
    r.expectingExit = false
    // The service's bundle runs as plain JavaScript; without one, child-entry.ts under tsx's loader.
    const bundle = this.opts.bundles?.bundleFor(entry)
    const child = fork(bundle ?? CHILD_ENTRY, [entry.name, modulePath(entry), entry.proc], {
      execArgv: ['--no-warnings', ...(entry.nodeFlags ?? []), ...(bundle ? [] : ['--import', TSX_LOADER])],
      env: {
        ...process.env,
        WREN_DATA: this.opts.dataRoot,
        WREN_HOSTNAME: this.opts.hostname,
        WREN_CONFIGURED: JSON.stringify(this.opts.configured),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
      // Own process group: a terminal's Ctrl-C reaches the daemon, which stops the services in
      // order; a service whose daemon dies exits on the IPC disconnect (child-entry.ts).
      detached: true,
    })
    r.child = child
    r.pid = child.pid
    r.startedAt = Date.now()
    r.listeners = []
    const detachBus = this.opts.hub.attach(child, entry.name)
    const ready = new Promise<boolean>((resolve) => { r.ready = { resolve } })
    const timer = setTimeout(() => {
      r.error = `did not become ready within ${Math.round(this.readyTimeout / 1000)} s`
      child.kill('SIGKILL')
    }, this.readyTimeout)
    child.on('message', (raw: unknown) => {
      if (!isCtl(raw)) return
      const msg = raw as FromChild
      if (msg.kind === 'ready') {
        clearTimeout(timer)
        r.state = 'running'
        r.listeners = msg.listeners ?? []
        r.ready?.resolve(true)
        r.ready = undefined
      } else if (msg.kind === 'start-failed') {
        r.error = msg.error
      } else if (msg.kind === 'reply') {
        const waiter = r.pending.get(msg.id)
        r.pending.delete(msg.id)
        waiter?.(msg)
      }
    })
    r.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        clearTimeout(timer)
        detachBus()
        for (const w of r.pending.values()) w({ wren: 'ctl', kind: 'reply', id: 0, ok: false, error: 'service exited' })
        r.pending.clear()
        r.lastExit = { code, signal, at: new Date().toISOString() }
        const pid = r.pid
        r.child = undefined
        const wasReady = r.ready === undefined
        r.ready?.resolve(false)
        r.ready = undefined
        resolve()
        this.onExit(r, pid, code, signal, wasReady)
      })
    })
    child.on('error', (err) => { r.error = err.message })
    return ready
  }

  private get readyTimeout(): number {
    return this.opts.readyTimeoutMs ?? 60_000
  }

  private async kill(r: ServiceRecord, force: boolean): Promise<void> {
    const child = r.child
    if (!child) return
    r.expectingExit = true
    r.state = 'stopping'
    if (force) {
      child.kill('SIGKILL')
    } else {
      try {
        child.send({ wren: 'ctl', kind: 'stop' } satisfies ToChild)
      } catch {
        child.kill('SIGTERM')
      }
    }
    const timeout = new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), this.opts.stopTimeoutMs ?? 10_000).unref())
    if ((await Promise.race([r.exited, timeout])) === 'timeout') {
      child.kill('SIGKILL')
      await r.exited
    }
  }

  private request(r: ServiceRecord, msg: ToChild): Promise<Extract<FromChild, { kind: 'reply' }>> {
    const id = this.nextId++
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        r.pending.delete(id)
        resolve({ wren: 'ctl', kind: 'reply', id, ok: false, error: 'no answer within 30 s' })
      }, 30_000)
      r.pending.set(id, (reply) => { clearTimeout(timer); resolve(reply) })
      try {
        r.child!.send({ ...msg, id })
      } catch (err) {
        clearTimeout(timer)
        r.pending.delete(id)
        resolve({ wren: 'ctl', kind: 'reply', id, ok: false, error: String(err) })
      }
    })
  }

  /** A service process ended: expected (stop) or a crash for the watcher to handle. */
  private onExit(r: ServiceRecord, pid: number | undefined, code: number | null, signal: string | null, wasReady: boolean): void {
    if (r.expectingExit) {
      r.state = 'stopped'
      r.expectingExit = false
      return
    }
    const { entry } = r
    // spec 01 §3: `Watched 'imapd' process 13428 exited abnormally`
    this.say(`Watched '${entry.proc}' process ${pid} exited abnormally`)
    if (!wasReady && r.error) this.say(`${entry.name} server failed to start: ${r.error}`)
    r.state = 'failed'
    if (this.shuttingDown) return
    const view = this.opts.config()
    const decision = decideRestart({
      // watcher.enable 0: crashes are still logged, nothing is restarted
      autorestart: flag(view, 'base.autorestart.enable', true) && flag(view, 'watcher.enable', true),
      timeoutSec: numberOption(view, 'base.autorestart.timeout', 600),
      lastAutoRestartAt: r.lastAutoRestartAt,
      now: Date.now(),
    })
    if (!decision.restart) {
      if (decision.reason === 'failed-within-window') {
        this.say(`Watched '${entry.proc}' failed again within ${numberOption(view, 'base.autorestart.timeout', 600)} seconds; not restarting ${entry.name}`)
      } else {
        this.say(`Automatic restart is disabled (base.autorestart.enable / watcher.enable 0); ${entry.name} server stays down`)
      }
      return
    }
    const members = this.opts.entries
      .filter((e) => !e.inProcess)
      .map((e) => {
        const m = this.records.get(e.name)!
        return { name: e.name, group: e.group, active: m.state === 'running' || m.state === 'starting' }
      })
    const set = restartSet({ name: entry.name, group: entry.group }, members)
    // spec 01 §3: `Received request to restart:  store imap pop http` (two spaces, as the product)
    this.say(`Received request to restart:  ${set.join(' ')}`)
    for (const n of set) this.records.get(n)!.state = n === entry.name ? 'restarting' : this.records.get(n)!.state
    const now = Date.now()
    void this.serial(async () => {
      if (this.shuttingDown) return
      const others = set.filter((n) => n !== entry.name)
      if (others.length) await this.stopNow(others, false)
      for (const entryName of this.opts.entries.map((e) => e.name).filter((n) => set.includes(n))) {
        const rec = this.records.get(entryName)!
        if (this.shuttingDown) return
        if (rec.state === 'running') continue
        rec.restarts += 1
        // the failed service's window starts now (set before spawning: a failure in start is
        // handled synchronously on exit); collateral restarts keep their own windows
        if (entryName === entry.name) rec.lastAutoRestartAt = now
        const ok = await this.spawn(rec)
        this.say(ok ? `Starting ${entryName} server ${dots(entryName)} ${rec.pid}` : `Starting ${entryName} server ${dots(entryName)} failed`)
        if (ok && entryName === 'store') this.say('checking store server status ..... ready')
      }
    })
  }
}
