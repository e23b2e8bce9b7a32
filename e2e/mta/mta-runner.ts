// A stand-alone MTA process for crash tests and the benchmark: store + dispatcher (SMTP on the
// given port) + job controller on a data root. Prints `READY <port>` when listening.
// usage: tsx e2e/mta/mta-runner.ts <dataRoot> <port> [role=all|dispatcher|jobs]
// (`dispatcher` and `jobs` run the two services in separate processes, as the daemon does; the
// job controller then finds new work by rescanning the index every 20 ms.)
import { createLocalBus, nullLogger, staticConfigView } from '@wren/kernel'
import { openStore } from '@wren/store'
import { DispatcherService } from '@wren/mta/dispatcher-service'
import { JobControllerService } from '@wren/mta/job-controller-service'
import { basicPolicy } from '@wren/mta/basic-policy'
import { staticDirectory } from '@wren/mta/ports'
import { QueueStore } from '@wren/mta/queue/queue-store'

const [dataRoot, portS, roleS] = process.argv.slice(2)
const role = roleS ?? 'all'
const nUsers = 1
// (message ids in mail.log: the crash test finds each acknowledged message's E and D records)
const config = staticConfigView({ 'base.defaultdomain': 'example.org', 'mta.log_message_id': '1' })
const bus = createLocalBus()
const store = openStore({ dataRoot, config, bus })
const users = [{ uid: 'joe', mail: 'joe@example.org' }, ...Array.from({ length: nUsers }, (_, i) => ({ uid: `user${i}`, mail: `user${i}@example.org` }))]
for (const u of users) store.ensureUser(u.uid)
const directory = staticDirectory({ users })
const policy = basicPolicy({ localDomains: ['example.org'] })
const queue = new QueueStore({ dataRoot, journal: role !== 'jobs', checkpointEveryMs: role === 'jobs' ? 1000 : undefined })
const ctx = { dataRoot, hostname: 'mx.example.org', config, bus, logger: () => nullLogger, lookup: <T,>(n: string) => (n === 'store' ? (store as unknown as T) : undefined) }
const acceptLatencies: number[] = []
let peakRss = 0
setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss) }, 100).unref()
const dispatcher = new DispatcherService({
  policy, directory, queue, acceptLatencies,
  listeners: [{ name: 'SMTP', channel: 'tcp_local', host: '127.0.0.1', port: Number(portS), tls: 'none', authRequired: false, allowInsecureAuth: false, maxConns: 200, idleTimeout: 60_000, size: 10_000_000, lmtp: false }],
})
const jobs = new JobControllerService({ policy, directory, queue, store, pollMs: role === 'jobs' ? 20 : 200 })
if (role !== 'jobs') await dispatcher.start(ctx)
if (role !== 'dispatcher') await jobs.start(ctx)
process.stdout.write(`READY ${role === 'jobs' ? 0 : dispatcher.listeners()[0].port}\n`)
const shutdown = async () => {
  const lat = [...acceptLatencies].sort((a, b) => a - b)
  const pct = (p: number) => lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : 0
  process.stdout.write(`STATS ${JSON.stringify({ accepted: lat.length, p50: pct(0.5), p99: pct(0.99), max: lat.at(-1) ?? 0, peakRssMb: Math.round(Math.max(peakRss, process.memoryUsage().rss) / 1048576), groupCommit: queue.commitStats })}\n`)
  if (role !== 'jobs') await dispatcher.stop()
  if (role !== 'dispatcher') await jobs.stop()
  queue.close(); store.close(); process.exit(0)
}
process.on('SIGTERM', () => void shutdown())
process.on('SIGINT', () => void shutdown())
