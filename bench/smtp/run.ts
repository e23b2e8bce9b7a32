// SMTP → store benchmark (issue 5 §10): postfix's smtp-source, 20 sessions × N messages of 2 KB to
// a local user, every message fsynced before 250 (group commit). Reports accepted msgs/s,
// end-to-end msgs/s (until all are in the store), p99 end-of-DATA→250, peak RSS, idle-connection cost.
// usage: npx tsx bench/smtp/run.ts [messages=10000] [sessions=20]
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect, createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { QueueIndex } from '../../packages/mta/src/queue/index-db.js'

const ROOT = new URL('../..', import.meta.url).pathname
const PF = join(ROOT, '.tools/pf/usr/sbin')
const messages = Number(process.argv[2] ?? 10000)
const sessions = Number(process.argv[3] ?? 20)

const freePort = () => new Promise<number>((r) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const a = s.address(); s.close(() => r(typeof a === 'object' && a ? a.port : 0)) }) })
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function main() {
  const dataRoot = mkdtempSync(join(tmpdir(), 'wren-bench-'))
  const port = await freePort()
  // dispatcher and job controller in separate processes, as the daemon runs them
  const start = (role: string) => {
    const p: ChildProcess = spawn(process.execPath, ['--import', join(ROOT, 'node_modules/tsx/dist/esm/index.mjs'), join(ROOT, 'e2e/mta/mta-runner.ts'), dataRoot, String(port), role], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
    const h = { p, out: '' }
    p.stdout!.on('data', (d) => (h.out += d))
    return h
  }
  const disp = start('dispatcher')
  while (!disp.out.includes('READY')) await sleep(50)
  const jobs = start('jobs')
  while (!jobs.out.includes('READY')) await sleep(50)
  const runner = disp.p
  const pid = runner.pid!
  let peakJobsRss = 0
  const sampler = setInterval(() => { try { peakJobsRss = Math.max(peakJobsRss, rssMb(jobs.p.pid!)) } catch { /* exited */ } }, 100)
  // idle connection cost
  const before = rssMb(pid)
  const idle: Socket[] = []
  for (let i = 0; i < 500; i++) idle.push(connect(port, '127.0.0.1'))
  await sleep(1500)
  const idleKb = ((rssMb(pid) - before) * 1024) / 500
  for (const s of idle) s.destroy()
  await sleep(500)

  const idx = new QueueIndex(join(dataRoot, 'db', 'queue-index.sqlite'))
  const t0 = performance.now()
  execFileSync(join(PF, 'smtp-source'), ['-s', String(sessions), '-m', String(messages), '-l', '2048', '-f', 'bench@remote.test', '-t', 'joe@example.org', `127.0.0.1:${port}`],
    { env: { ...process.env, LD_LIBRARY_PATH: join(ROOT, '.tools/pf/usr/lib/postfix') }, stdio: 'inherit' })
  const tAccept = (performance.now() - t0) / 1000
  while (idx.count() > 0) await sleep(20)
  const tEnd = (performance.now() - t0) / 1000
  idx.close()
  clearInterval(sampler)
  runner.kill('SIGTERM'); jobs.p.kill('SIGTERM')
  await Promise.all([new Promise((r) => runner.on('exit', r)), new Promise((r) => jobs.p.on('exit', r))])
  const stats = JSON.parse(/STATS (.*)/.exec(disp.out)![1])
  const res = {
    messages, sessions, messageBytes: 2048,
    acceptedPerSec: Math.round(messages / tAccept), endToEndPerSec: Math.round(messages / tEnd),
    acceptSeconds: +tAccept.toFixed(2), endToEndSeconds: +tEnd.toFixed(2),
    p50AcceptMs: +stats.p50.toFixed(2), p99AcceptMs: +stats.p99.toFixed(2), peakRssMbDispatcher: stats.peakRssMb, peakRssMbJobController: Math.round(peakJobsRss),
    idleConnectionKb: Math.round(idleKb), fsyncBatches: stats.groupCommit.batches, avgBatch: +(stats.groupCommit.items / Math.max(1, stats.groupCommit.batches)).toFixed(1),
  }
  console.log(JSON.stringify(res, null, 2))
  rmSync(dataRoot, { recursive: true, force: true })
}
main().catch((e) => { console.error(e); process.exit(1) })
