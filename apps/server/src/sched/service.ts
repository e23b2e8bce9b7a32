// The `sched` service (the product's imsched, spec 01 §6): once a minute runs every enabled
// `schedule.task:<name>` whose crontab matches, as a child process. Commands are relative to the
// installation (the repository root: `bin/imexpire`) or absolute; the product's `lib/<tool>` paths
// are looked up in bin/. `refresh sched` re-reads the tasks. Logs to the `default` log.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { basename, isAbsolute, join } from 'node:path'
import type { Logger, Service, ServiceContext } from '@wren/kernel'
import { repoRoot } from '../services/registry.js'
import { cronMatches } from './cron.js'
import { readTasks, type ScheduledTask } from './tasks.js'

export function resolveTaskCommand(command: string, root = repoRoot): string | undefined {
  if (isAbsolute(command)) return existsSync(command) ? command : undefined
  const direct = join(root, command)
  if (existsSync(direct)) return direct
  const inBin = join(root, 'bin', basename(command))
  return existsSync(inBin) ? inBin : undefined
}

export interface SchedService extends Service {
  /** Runs the tasks due in the minute of `at` (the minute timer calls this; tests call it directly). */
  tick(at: Date): ScheduledTask[]
  /** Resolves when every task started so far has ended. */
  idle(): Promise<void>
}

export function createService(): SchedService {
  let ctx: ServiceContext | undefined
  let log: Logger | undefined
  let tasks: ScheduledTask[] = []
  let timer: NodeJS.Timeout | undefined
  const running = new Map<string, ChildProcess>()
  const exits = new Set<Promise<void>>()

  const load = () => {
    const r = readTasks(ctx!.config)
    tasks = r.tasks
    for (const e of r.errors) log!.error('General', `sched: task ${e.name}: ${e.error}`)
    log!.notice('General', `sched: ${tasks.length} task${tasks.length === 1 ? '' : 's'} scheduled: ${tasks.map((t) => t.name).join(' ') || '-'}`)
  }

  const runTask = (t: ScheduledTask) => {
    if (running.has(t.name)) {
      log!.warning('General', `sched: task ${t.name} is still running (pid ${running.get(t.name)!.pid}); skipped this time`)
      return
    }
    const cmd = resolveTaskCommand(t.command)
    if (!cmd) {
      log!.error('General', `sched: task ${t.name}: command ${t.command} not found`)
      return
    }
    const child = spawn(cmd, t.args, { cwd: repoRoot, env: { ...process.env, WREN_DATA: ctx!.dataRoot }, stdio: ['ignore', 'ignore', 'pipe'] })
    running.set(t.name, child)
    let stderr = ''
    child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString('utf8')).slice(-400) })
    log!.notice('General', `sched: task ${t.name} started: ${[t.command, ...t.args].join(' ')} (pid ${child.pid})`)
    const ended = new Promise<void>((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null, err?: Error) => {
        running.delete(t.name)
        exits.delete(ended)
        if (err) log!.error('General', `sched: task ${t.name} could not run: ${err.message}`)
        else if (code === 0) log!.notice('General', `sched: task ${t.name} (pid ${child.pid}) completed`)
        else log!.error('General', `sched: task ${t.name} (pid ${child.pid}) failed with ${signal ? `signal ${signal}` : `exit status ${code}`}${stderr.trim() ? `: ${stderr.trim().split('\n').pop()}` : ''}`)
        resolve()
      }
      child.once('error', (err) => done(null, null, err))
      child.once('exit', (code, signal) => done(code, signal))
    })
    exits.add(ended)
  }

  const tick = (at: Date) => {
    const due = tasks.filter((t) => cronMatches(t, at))
    for (const t of due) runTask(t)
    return due
  }

  const armTimer = () => {
    const now = Date.now()
    const next = Math.floor(now / 60_000) * 60_000 + 60_000
    timer = setTimeout(() => {
      tick(new Date(next))
      armTimer()
    }, next - now + 5)
  }

  return {
    name: 'sched',
    async start(c) {
      ctx = c
      log = c.logger('default')
      load()
      armTimer()
    },
    async stop() {
      if (timer) clearTimeout(timer)
      timer = undefined
      // tasks run to completion on their own; the scheduler does not wait for them
    },
    async refresh() {
      load()
    },
    async health() {
      return { ok: timer !== undefined, detail: `${tasks.length} tasks, ${running.size} running` }
    },
    tick,
    async idle() {
      await Promise.all([...exits])
    },
  }
}
