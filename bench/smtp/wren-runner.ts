// One Wren MTA process for the SMTP benchmark: the dispatcher or the job controller (as the daemon
// runs them, in separate processes) on a data root, with the store. Prints `READY <port>`; on
// SIGINT/SIGTERM it prints `STATS {…}` (accept latencies, peak RSS, group commit, CPU time,
// event-loop delay) and exits cleanly so that `--cpu-prof` writes its profile.
// usage: tsx bench/smtp/wren-runner.ts <dataRoot> <port> <dispatcher|jobs> [users=1] [basic|real]
//   basic: a fixed policy (basic-policy.ts) and user list (staticDirectory) — the MTA alone;
//   real:  what the daemon runs — the rewrite rules and mapping tables of the configuration
//          (policy.ts via runtime.ts) and @wren/directory on the data root (run.ts provisions it).
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createLocalBus, nullLogger, staticConfigView } from '@wren/kernel'
import { openStore } from '@wren/store'
import { DispatcherService } from '@wren/mta/dispatcher-service'
import { JobControllerService } from '@wren/mta/job-controller-service'
import { basicPolicy } from '@wren/mta/basic-policy'
import { staticDirectory } from '@wren/mta/ports'
import { QueueStore } from '@wren/mta/queue/queue-store'
import { benchConfig } from './provision.js'

const [dataRoot, portS, role, usersS, modeS] = process.argv.slice(2)
const nUsers = Number(usersS ?? 1)
const real = modeS === 'real'
// WREN_BENCH_OPTIONS="channel:ims-ms.filesperjob=1;…" overrides options, for A/B runs
const overrides = Object.fromEntries((process.env.WREN_BENCH_OPTIONS ?? '').split(';').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]))
const config = staticConfigView({ ...benchConfig, ...overrides })
const bus = createLocalBus()
// The daemon carries internal messages (`queue.enqueued`) between service processes over IPC;
// the bench parent relays them from the dispatcher to the job controller the same way.
if (role === 'dispatcher') {
  const local = bus.send.bind(bus)
  bus.send = (m) => { local(m); if (process.send && process.connected) process.send(m) }
} else {
  process.on('message', (m) => bus.send(m as Parameters<typeof bus.send>[0]))
}
const users = Array.from({ length: nUsers }, (_, i) => ({ uid: `user${i}`, mail: `user${i}@example.org` }))
// Only the job controller delivers into the store (and creates the users' mailboxes).
const store = role === 'jobs' ? openStore({ dataRoot, config, bus }) : undefined
for (const u of users) store?.ensureUser(u.uid)
// real: no overrides, buildRuntime (runtime.ts) opens the configured policy and directory
const directory = real ? undefined : staticDirectory({ users })
const policy = real ? undefined : basicPolicy({ localDomains: ['example.org'] })
// WREN_BENCH_JOURNAL=0: the dispatcher writes one queue file per message (no commit journal, D26) for comparison
const queue = new QueueStore({ dataRoot, journal: role === 'dispatcher' && process.env.WREN_BENCH_JOURNAL !== '0', checkpointEveryMs: role === 'jobs' ? 1000 : undefined })
const ctx = { dataRoot, hostname: 'mx.example.org', config, bus, logger: () => nullLogger, lookup: <T,>(n: string) => (n === 'store' ? (store as unknown as T) : undefined) }
const acceptLatencies: number[] = []
let peakRss = 0
// Where the memory is at the RSS peak: V8 heap vs external (Buffers) vs the rest (code, sqlite
// page cache, thread stacks, malloc arenas) — sampled every 100 ms during the run.
let peakMem: NodeJS.MemoryUsage | undefined
let readyMem: NodeJS.MemoryUsage | undefined
setInterval(() => {
  const rss = process.memoryUsage.rss() // cheap; the full breakdown (walks the heap spaces) only at a new peak
  if (rss > peakRss) { peakRss = rss; peakMem = process.memoryUsage() }
}, 100).unref()
const mb = (m?: NodeJS.MemoryUsage) => m && Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v / 1048576)]))
const eld = monitorEventLoopDelay({ resolution: 5 })
// WREN_BENCH_HANDOFF=0: every message is indexed and claimed from the index (no hand-off, D28), for comparison
const dispatcher = new DispatcherService({
  policy, directory, queue, acceptLatencies, handoff: process.env.WREN_BENCH_HANDOFF !== '0',
  listeners: [{ name: 'SMTP', channel: 'tcp_local', host: '127.0.0.1', port: Number(portS), tls: 'none', authRequired: false, allowInsecureAuth: false, maxConns: 200, idleTimeout: 60_000, size: 10_000_000, lmtp: false }],
})
const jobs = new JobControllerService({ policy, directory, queue, store })
if (role === 'dispatcher') await dispatcher.start(ctx)
else await jobs.start(ctx)
// CPU and event-loop delay are measured from the start of the load (`MARK` on stdin).
let cpu0 = process.cpuUsage()
// `DELIVERED?` asks the job controller how many recipients it has delivered (end-to-end: handed-off
// mail never shows in the index, so the index running empty does not mean it is in the store).
process.stdin.on('data', (d) => {
  const text = String(d)
  if (text.includes('MARK')) { cpu0 = process.cpuUsage(); eld.reset(); eld.enable() }
  if (text.includes('DELIVERED?')) process.stdout.write(`DELIVERED ${jobs.controller?.stats.delivered ?? 0}\n`)
})
readyMem = process.memoryUsage()
process.stdout.write(`READY ${role === 'jobs' ? 0 : dispatcher.listeners()[0].port}\n`)
let stopping = false
const shutdown = async () => {
  if (stopping) return
  stopping = true
  eld.disable()
  const cpu = process.cpuUsage(cpu0)
  const lat = [...acceptLatencies].sort((a, b) => a - b)
  const pct = (p: number) => lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : 0
  process.stdout.write(`STATS ${JSON.stringify({
    accepted: lat.length, p50: pct(0.5), p99: pct(0.99), max: lat.at(-1) ?? 0,
    peakRssMb: Math.round(Math.max(peakRss, process.memoryUsage.rss()) / 1048576), memAtPeakMb: mb(peakMem), memAtReadyMb: mb(readyMem), groupCommit: queue.commitStats,
    cpuUserMs: Math.round(cpu.user / 1000), cpuSystemMs: Math.round(cpu.system / 1000),
    loopDelayMs: { mean: +(eld.mean / 1e6).toFixed(2), p99: +(eld.percentile(99) / 1e6).toFixed(2), max: +(eld.max / 1e6).toFixed(2) },
    delivered: jobs.controller?.stats.delivered ?? 0, jobStats: jobs.controller?.stats,
  })}\n`)
  if (role === 'dispatcher') await dispatcher.stop()
  else await jobs.stop()
  queue.close(); store?.close()
  process.exit(0)
}
process.on('SIGTERM', () => void shutdown())
process.on('SIGINT', () => void shutdown())
