// SMTP → store benchmark (issue 5 §10): postfix's smtp-source, 20 sessions × N messages of 2 KB to
// a local user, every message fsynced before 250 (group commit). Reports accepted msgs/s,
// end-to-end msgs/s (until all are in the store), p99 end-of-DATA→250, peak RSS, idle-connection
// cost, and per-process CPU time and event-loop delay during the load.
// usage: npx tsx bench/smtp/run.ts [messages=10000] [sessions=20] [real|basic]
//   real (default): the daemon's policy (rewrite rules, mapping tables) and @wren/directory;
//   basic: a fixed policy and user list, to measure the MTA alone (wren-runner.ts)
//   WREN_BENCH_PROF=<dir>  writes V8 CPU profiles of both processes there (--cpu-prof)
//   WREN_BENCH_HANDOFF=0   the dispatcher indexes every message instead of handing store-bound mail
//     to the job controller (queue/handoff.ts, D28), for comparison
//   WREN_BENCH_OPTIONS="channel:ims-ms.filesperjob=1;…"  configuration options for both processes (A/B runs)
//   WREN_BENCH_NODE_FLAGS="…"  node/V8 flags for both service processes instead of the daemon's
//     (apps/server/src/services/registry.ts `nodeFlags`); WREN_BENCH_NODE_FLAGS= runs V8's defaults
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { QueueIndex } from '../../packages/mta/src/queue/index-db.js'
import { SERVICES } from '../../apps/server/src/services/registry.js'
import { diskWrittenBytes, freePort, loadAverage, rssMb, runDir, runSmtpSource, sleep, until } from './util.js'
import { percentile, startLatencyProbe } from './latency-probe.js'
import { provisionDirectory } from './provision.js'

const ROOT = new URL('../..', import.meta.url).pathname

export interface WrenResult {
  messages: number; sessions: number; messageBytes: number
  acceptedPerSec: number; endToEndPerSec: number; acceptSeconds: number; endToEndSeconds: number
  p50AcceptMs: number; p99AcceptMs: number; peakRssMbDispatcher: number; peakRssMbJobController: number
  /** Peak of the summed RSS of the daemon's service processes (sampled together every 100 ms). */
  peakRssMbTotal: number
  /** process.memoryUsage() (MB) of each process at its RSS peak and when it was ready. */
  memory: Record<string, unknown>
  /** Group-commit batches (one fdatasync each) and messages per batch. */
  idleConnectionKb: number; fsyncBatches: number; avgBatch: number
  /** ims-ms jobs run by the job controller and messages per job (store deliverBatch size). */
  deliveryJobs: number; avgJobMessages: number
  /** Mean time per group-commit batch in each phase: file fdatasync+rename, directory fsync, index transaction. */
  groupCommitMsPerBatch: Record<string, number>
  /** Longest batch in each phase (ms): the index phase runs on the event loop (SQLite write lock waits included). */
  groupCommitMaxMs: { sync: number; index: number }
  cpuMsPerMessage: { dispatcher: number; jobController: number }
  /** KB per message written to the machine's disks during the load (/proc/diskstats: every process, the kernel's own writes included). */
  diskWrittenKbPerMessage: number
  /** The same CPU time split into user and kernel (system) time, ms per message. */
  cpuSplitMsPerMessage: { dispatcher: { user: number; system: number }; jobController: { user: number; system: number } }
  loopDelayMs: { dispatcher: unknown; jobController: unknown }
  load: string
  mode: string
  /** Store-bound mail handed from the dispatcher to the job controller without an index row (D28). */
  handoff: boolean
  /** node/V8 flags of the dispatcher process. */
  nodeFlags: string
  /** Client-side end-of-DATA → 250 of one extra session during the load (compare.ts). */
  probe?: { messages: number; p50Ms: number; p99Ms: number }
}

interface Proc { p: ChildProcess; out: string }

function startRole(dataRoot: string, port: number, role: 'dispatcher' | 'jobs', mode: string, profDir?: string): Proc {
  const prof = profDir ? ['--cpu-prof', '--cpu-prof-dir', join(profDir, role)] : []
  // The daemon's node/V8 flags of that service (registry.ts), or WREN_BENCH_NODE_FLAGS ('' = none)
  const service = SERVICES.find((e) => e.name === (role === 'jobs' ? 'job_controller' : 'dispatcher'))
  const flags = process.env.WREN_BENCH_NODE_FLAGS !== undefined ? process.env.WREN_BENCH_NODE_FLAGS.split(/\s+/).filter(Boolean) : [...(service?.nodeFlags ?? [])]
  const p = spawn(process.execPath, [...flags, ...prof, '--import', join(ROOT, 'node_modules/tsx/dist/esm/index.mjs'), join(ROOT, 'bench/smtp/wren-runner.ts'), dataRoot, String(port), role, '1', mode],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit', 'ipc'], env: { ...process.env, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '16' } })
  const h = { p, out: '' }
  p.stdout!.on('data', (d) => (h.out += d))
  return h
}

/** Recipients the job controller has delivered so far (wren-runner.ts `DELIVERED?`). */
async function deliveredBy(h: Proc): Promise<number> {
  const from = h.out.length
  h.p.stdin!.write('DELIVERED?\n')
  for (;;) {
    const m = /DELIVERED (\d+)\n/.exec(h.out.slice(from))
    if (m) return Number(m[1])
    await sleep(2)
  }
}

async function stopRole(h: Proc): Promise<Record<string, any>> {
  const exited = new Promise((r) => h.p.once('exit', r))
  h.p.kill('SIGINT') // clean shutdown: the profile is written
  await exited
  return JSON.parse(/STATS (.*)/.exec(h.out)![1])
}

export async function runWren(messages: number, sessions: number, opts: { probe?: boolean; mode?: 'real' | 'basic' } = {}): Promise<WrenResult> {
  const mode = opts.mode ?? 'real'
  const dataRoot = runDir('wren-bench-')
  const profDir = process.env.WREN_BENCH_PROF
  if (profDir) mkdirSync(profDir, { recursive: true })
  const port = await freePort()
  if (mode === 'real') await provisionDirectory(dataRoot, 1)
  const disp = startRole(dataRoot, port, 'dispatcher', mode, profDir)
  const jobs = startRole(dataRoot, port, 'jobs', mode, profDir)
  disp.p.on('message', (m) => { if (jobs.p.connected) jobs.p.send(m as object) })
  try {
    await until('wren processes ready', () => disp.out.includes('READY') && jobs.out.includes('READY'), 60_000)
    let peakJobsRss = 0
    let peakSumRss = 0
    // Peak RSS of the daemon's process tree: both service processes sampled at the same instant.
    const sampler = setInterval(() => {
      try {
        const j = rssMb(jobs.p.pid!), d = rssMb(disp.p.pid!)
        peakJobsRss = Math.max(peakJobsRss, j)
        peakSumRss = Math.max(peakSumRss, j + d)
      } catch { /* exited */ }
    }, 100)
    // idle connection cost
    const before = rssMb(disp.p.pid!)
    const idle: Socket[] = []
    for (let i = 0; i < 500; i++) idle.push(connect(port, '127.0.0.1'))
    await sleep(1500)
    const idleKb = ((rssMb(disp.p.pid!) - before) * 1024) / 500
    for (const s of idle) s.destroy()
    await sleep(500)

    const idx = new QueueIndex(join(dataRoot, 'db', 'queue-index.sqlite'))
    const load = loadAverage()
    disp.p.stdin!.write('MARK\n'); jobs.p.stdin!.write('MARK\n')
    const diskWritten0 = diskWrittenBytes()
    const t0 = performance.now()
    const probe = opts.probe ? startLatencyProbe(port, 'probe@remote.test', 'user0@example.org') : undefined
    await runSmtpSource({ port, sessions, messages, from: 'bench@remote.test', to: 'user0@example.org' })
    const tAccept = (performance.now() - t0) / 1000
    const probeLat = await probe?.stop()
    // end to end: every message in the store (the job controller's count), and nothing left in the index
    while (await deliveredBy(jobs) < messages + (probeLat?.length ?? 0) || idx.count() > 0) await sleep(10)
    const tEnd = (performance.now() - t0) / 1000
    const diskWritten1 = diskWrittenBytes()
    idx.close()
    clearInterval(sampler)
    const ds = await stopRole(disp)
    const js = await stopRole(jobs)
    const expected = messages + (probeLat?.length ?? 0)
    if (js.delivered !== expected) throw new Error(`job controller delivered ${js.delivered} of ${expected}: ${JSON.stringify(js)}`)
    return {
      messages, sessions, messageBytes: 2048,
      acceptedPerSec: Math.round(messages / tAccept), endToEndPerSec: Math.round(messages / tEnd),
      acceptSeconds: +tAccept.toFixed(2), endToEndSeconds: +tEnd.toFixed(2),
      p50AcceptMs: +ds.p50.toFixed(2), p99AcceptMs: +ds.p99.toFixed(2), peakRssMbDispatcher: ds.peakRssMb, peakRssMbJobController: Math.max(Math.round(peakJobsRss), js.peakRssMb),
      peakRssMbTotal: Math.round(peakSumRss),
      memory: { dispatcher: { peak: ds.memAtPeakMb, ready: ds.memAtReadyMb }, jobController: { peak: js.memAtPeakMb, ready: js.memAtReadyMb } },
      idleConnectionKb: Math.round(idleKb), fsyncBatches: ds.groupCommit.batches, avgBatch: +(ds.groupCommit.messages / Math.max(1, ds.groupCommit.batches)).toFixed(1),
      groupCommitMaxMs: { sync: +ds.groupCommit.maxMs.sync.toFixed(2), index: +ds.groupCommit.maxMs.index.toFixed(2) },
      groupCommitMsPerBatch: Object.fromEntries(Object.entries(ds.groupCommit.ms as Record<string, number>).map(([k, v]) => [k, +(v / Math.max(1, ds.groupCommit.batches)).toFixed(2)])),
      deliveryJobs: js.jobStats.jobs, avgJobMessages: +(js.jobStats.delivered / Math.max(1, js.jobStats.jobs)).toFixed(1),
      cpuMsPerMessage: {
        dispatcher: +((ds.cpuUserMs + ds.cpuSystemMs) / messages).toFixed(3),
        jobController: +((js.cpuUserMs + js.cpuSystemMs) / messages).toFixed(3),
      },
      diskWrittenKbPerMessage: +((diskWritten1 - diskWritten0) / 1024 / messages).toFixed(1),
      cpuSplitMsPerMessage: {
        dispatcher: { user: +(ds.cpuUserMs / messages).toFixed(3), system: +(ds.cpuSystemMs / messages).toFixed(3) },
        jobController: { user: +(js.cpuUserMs / messages).toFixed(3), system: +(js.cpuSystemMs / messages).toFixed(3) },
      },
      loopDelayMs: { dispatcher: ds.loopDelayMs, jobController: js.loopDelayMs },
      load, mode, handoff: process.env.WREN_BENCH_HANDOFF !== '0', nodeFlags: process.env.WREN_BENCH_NODE_FLAGS ?? (SERVICES.find((e) => e.name === 'dispatcher')?.nodeFlags ?? []).join(' '),
      probe: probeLat ? { messages: probeLat.length, p50Ms: +percentile(probeLat, 0.5).toFixed(2), p99Ms: +percentile(probeLat, 0.99).toFixed(2) } : undefined,
    }
  } finally {
    for (const h of [disp, jobs]) if (h.p.exitCode === null) h.p.kill('SIGKILL')
    rmSync(dataRoot, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const messages = Number(process.argv[2] ?? 10000)
  const sessions = Number(process.argv[3] ?? 20)
  const mode = process.argv[4] === 'basic' ? 'basic' : 'real'
  runWren(messages, sessions, { mode }).then((r) => console.log(JSON.stringify(r, null, 2)), (e) => { console.error(e); process.exit(1) })
}

