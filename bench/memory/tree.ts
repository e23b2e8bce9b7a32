/**
 * Memory of the whole process tree of `npm start` at idle, and the daemon's time to "all services
 * running" (docs/decisions.md D25: services as precompiled bundles vs under tsx's loader).
 * Starts `node scripts/start.mjs` on a temporary data root with free ports, once to configure it
 * (and build the service bundles when they are on), then again for the measured run: waits for
 * `wren: ready` and every enabled service `running` in the control API, lets the tree settle, and
 * prints PSS and RSS (/proc/<pid>/smaps_rollup) of every process and the total.
 * Run:  WREN_SERVICE_BUNDLES=0 npx tsx bench/memory/tree.ts   (services under tsx)
 *       WREN_SERVICE_BUNDLES=1 npx tsx bench/memory/tree.ts   (services from their bundles)
 * Options: --settle <s> (default 10), --runs <n> measured runs (default 1), --json <file>.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePorts, status, type Status } from '../../e2e/server/harness.js'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(name)
  return i > 0 ? process.argv[i + 1]! : def
}
const SETTLE_S = Number(arg('--settle', '10'))
const RUNS = Number(arg('--runs', '1'))
const JSON_OUT = arg('--json', '')
const mode = process.env.WREN_SERVICE_BUNDLES === '0' ? 'tsx' : 'bundles'

interface Proc { pid: number; ppid: number; label: string; pss: number; rss: number; tsx: boolean }

function kb(file: string, field: string): number {
  return Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(file)?.[1] ?? 0)
}

/** Every process of the tree under root, with PSS/RSS in kB and a label from its command line. */
function tree(root: number): Proc[] {
  const parent = new Map<number, number>()
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'latin1')
      parent.set(Number(d), Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]))
    } catch { /* gone */ }
  }
  const out: Proc[] = []
  const walk = (pid: number) => {
    try {
      const r = readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1')
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean)
      out.push({ pid, ppid: parent.get(pid) ?? 0, label: label(argv), pss: kb(r, 'Pss'), rss: kb(r, 'Rss'), tsx: argv.some((a) => a.includes('/tsx/')) })
    } catch { /* gone */ }
    for (const [c, p] of parent) if (p === pid) walk(c)
  }
  walk(root)
  return out
}

function label(argv: string[]): string {
  if (argv.some((a) => a.endsWith('console-server.mjs'))) return 'console server (Next.js)'
  const script = argv.find((a, i) => i > 0 && !a.startsWith('-') && /\.(m?[jt]s|cjs)$/.test(a) && !a.includes('/tsx/'))
  if (!script) return argv.join(' ').slice(0, 60)
  if (script.endsWith('scripts/start.mjs')) return 'npm start (scripts/start.mjs)'
  if (script.endsWith('apps/server/src/main.ts')) return 'wren daemon (watcher + admin)'
  if (script.endsWith('child-entry.ts') || script.includes('/.build/services/')) return `service ${argv[argv.indexOf(script) + 1]}`
  return script.replace(repo + '/', '')
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Run { child: ChildProcess; output: () => string; times: { spawn: number; launch?: number; ready?: number }; exited: Promise<number | null> }

function startDaemon(env: NodeJS.ProcessEnv): Run {
  const times: Run['times'] = { spawn: performance.now() }
  const child = spawn(process.execPath, [join(repo, 'scripts/start.mjs')], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const onData = (d: Buffer) => {
    out += d.toString()
    if (times.launch === undefined && out.includes('Launching watcher')) times.launch = performance.now()
    if (times.ready === undefined && out.includes('wren: ready')) times.ready = performance.now()
  }
  child.stdout!.on('data', onData)
  child.stderr!.on('data', onData)
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)))
  return { child, output: () => out, times, exited }
}

async function untilAllRunning(run: Run, env: NodeJS.ProcessEnv, timeoutMs = 180_000): Promise<Status> {
  const t0 = Date.now()
  for (;;) {
    if (run.child.exitCode !== null) throw new Error(`npm start exited (${run.child.exitCode}):\n${run.output()}`)
    if (run.times.ready !== undefined) {
      const st = await status(env)
      const enabled = st?.services.filter((s) => s.enabled) ?? []
      if (st?.daemon.ready && enabled.length && enabled.every((s) => s.state === 'running')) return st
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`services not all running after ${timeoutMs} ms:\n${run.output()}`)
    await sleep(100)
  }
}

async function stop(run: Run): Promise<void> {
  run.child.kill('SIGTERM')
  const t = setTimeout(() => run.child.kill('SIGKILL'), 30_000)
  await run.exited
  clearTimeout(t)
}

async function main(): Promise<void> {
  const dataRoot = mkdtempSync(join(tmpdir(), 'wren-bench-tree-'))
  // The local profile with every listener on a free port, so that the bench runs beside anything.
  const [smtp, submit, smtps, admin, consolePort, ens, imap, imaps, pop, pops] = await freePorts(10)
  const options: Record<string, unknown> = {
    'admin.port': admin, 'console.port': consolePort, 'ens.port': ens,
    'imap.port': imap, 'imap.sslport': imaps, 'pop.port': pop, 'pop.sslport': pops,
    'dispatcher.service:SMTP.tcp_ports': [String(smtp)],
    'dispatcher.service:SMTP_SUBMIT.tcp_ports': [String(submit), String(smtps)],
    'dispatcher.service:SMTP_SUBMIT.ssl_ports': [String(smtps)],
  }
  const env = { ...process.env, WREN_DATA: dataRoot, WREN_OPTIONS: JSON.stringify(options) }
  const results: Array<{ startToReadyMs: number; servicesMs: number; procs: Proc[] }> = []
  let current: Run | undefined // stopped whatever happens: a failed run must not leave a daemon behind
  try {
    // First start: configure the data root (and build the service bundles if they are stale).
    current = startDaemon(env)
    await untilAllRunning(current, env)
    await stop(current)
    for (let i = 0; i < RUNS; i++) {
      const run = current = startDaemon(env)
      await untilAllRunning(run, env)
      await sleep(SETTLE_S * 1000)
      const procs = tree(run.child.pid!)
      results.push({ startToReadyMs: run.times.ready! - run.times.spawn, servicesMs: run.times.ready! - run.times.launch!, procs })
      await stop(run)
    }
  } finally {
    if (current && current.child.exitCode === null && current.child.signalCode === null) await stop(current)
    rmSync(dataRoot, { recursive: true, force: true })
  }
  for (const [i, r] of results.entries()) {
    console.log(`\n== ${mode} run ${i + 1}: npm start → "wren: ready" ${(r.startToReadyMs / 1000).toFixed(2)} s; "Launching watcher" → ready ${(r.servicesMs / 1000).toFixed(2)} s`)
    console.log(`${'process'.padEnd(34)} ${'pid'.padStart(8)} ${'PSS MB'.padStart(8)} ${'RSS MB'.padStart(8)}  tsx`)
    for (const p of r.procs) console.log(`${p.label.padEnd(34)} ${String(p.pid).padStart(8)} ${(p.pss / 1024).toFixed(1).padStart(8)} ${(p.rss / 1024).toFixed(1).padStart(8)}  ${p.tsx ? 'yes' : 'no'}`)
    const pss = r.procs.reduce((a, p) => a + p.pss, 0)
    const rss = r.procs.reduce((a, p) => a + p.rss, 0)
    console.log(`${'total'.padEnd(34)} ${String(r.procs.length).padStart(8)} ${(pss / 1024).toFixed(1).padStart(8)} ${(rss / 1024).toFixed(1).padStart(8)}`)
  }
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ mode, settleS: SETTLE_S, results }, null, 2) + '\n')
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err))
  process.exitCode = 1
})
