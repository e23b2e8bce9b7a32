// Store delivery benchmark (issue 4/5 perf target: 1,500 msgs/s end to end, every acknowledged message
// fsync'd): 10,000 × 2 KB messages to 100 users through MailStore.deliverBatch, in batches like the
// MTA's ims-ms channel sends them (one recipient per item, deliveryId set), sequential and with
// several job-controller threads calling at once. Reports msgs/s per run.
// Usage: npx tsx bench/store/deliver.ts [messages=10000] [users=100]   (env BENCH_RUNS=3,5 picks runs by index,
// BENCH_REPEAT=n repeats each). Each line also gives the process CPU per message (process.cpuUsage, all
// threads: a load-independent figure) and the 1-minute load average.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { staticConfigView } from '@wren/kernel'
import { openStore } from '@wren/store'

const N = Number(process.argv[2] ?? 10_000)
const USERS = Number(process.argv[3] ?? 100)

function loadGauge(): number {
  const g = performance.now()
  for (let i = 0, x = 0; i < 5e7; i++) x += i
  return performance.now() - g
}

function message(i: number): Buffer {
  const head = `From: Sender ${i} <s${i}@example.com>\r\nTo: u${i % USERS}@example.com\r\nSubject: bench ${i}\r\n` +
    `Message-ID: <${i}.${Date.now()}@bench.example>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\n`
  const line = 'The quick brown fox jumps over the lazy dog 0123456789 abcdefghij\r\n'
  let body = ''
  while (head.length + body.length < 2048 - line.length) body += line
  return Buffer.from(head + body)
}

interface Run { name: string; batch: number | 'random'; threads: number }
const runs: Run[] = [
  { name: 'batch 1, 1 thread', batch: 1, threads: 1 },
  { name: 'batch 1, 8 threads', batch: 1, threads: 8 },
  { name: 'batch 16, 1 thread', batch: 16, threads: 1 },
  { name: 'batch 64, 1 thread', batch: 64, threads: 1 },
  { name: 'batch 1..64 random, 4 threads', batch: 'random', threads: 4 },
  // The MTA's shapes: ims-ms claims up to channel batch=64 queue entries per job, maxjobs=2 jobs at once.
  { name: 'batch 64, 2 threads (MTA)', batch: 64, threads: 2 },
  { name: 'batch 1..64 random, 2 threads (MTA)', batch: 'random', threads: 2 },
]
const only = process.env.BENCH_RUNS ? new Set(process.env.BENCH_RUNS.split(',').map(Number)) : null

console.log(`load: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores shared); gauge 5e7 loop ${loadGauge().toFixed(0)} ms (≈50 ms idle)`)
const msgs = Array.from({ length: N }, (_, i) => message(i))
// BENCH_REPEAT=n runs each configuration n times (the machine is shared: each line is one run).
const repeat = Number(process.env.BENCH_REPEAT ?? 1)
for (const [ri, run] of runs.entries()) for (let rep = 0; rep < repeat; rep++) {
  if (only && !only.has(ri)) continue
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wren-bench-deliver-'))
  const store = openStore({ dataRoot: root, config: staticConfigView({}) })
  try {
    for (let u = 0; u < USERS; u++) store.ensureUser(`u${u}`)
    let next = 0
    let seed = 12345
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
    const t = performance.now()
    const cpu0 = process.cpuUsage()
    await Promise.all(Array.from({ length: run.threads }, async () => {
      while (next < N) {
        const size = run.batch === 'random' ? 1 + Math.floor(rnd() * 64) : run.batch
        const items = []
        for (let k = 0; k < size && next < N; k++, next++) {
          const i = next
          items.push({ req: { userid: `u${Math.floor(rnd() * USERS)}`, deliveryId: `bench/${i}/ims-ms/0` }, message: msgs[i] })
        }
        const out = await store.deliverBatch(items)
        for (const o of out) if (!o.ok) throw new Error(`delivery failed: ${o.text}`)
      }
    }))
    const s = (performance.now() - t) / 1000
    const cpu = process.cpuUsage(cpu0)
    const cpuMs = (cpu.user + cpu.system) / 1000 / N
    let total = 0
    for (let u = 0; u < USERS; u++) total += (await store.quotaReport(`u${u}`)).msgUsed
    if (total !== N) throw new Error(`stored ${total} messages, expected ${N}`)
    console.log(`${run.name.padEnd(32)} ${N} × 2 KB to ${USERS} users: ${s.toFixed(2)} s = ${Math.round(N / s)} msgs/s; CPU ${cpuMs.toFixed(3)} ms/msg (user ${(cpu.user / 1000 / N).toFixed(3)}, sys ${(cpu.system / 1000 / N).toFixed(3)}); load ${os.loadavg()[0].toFixed(2)}`)
  } finally {
    store.close()
    fs.rmSync(root, { recursive: true, force: true })
  }
}
console.log(`load after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
