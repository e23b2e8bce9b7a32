// CPU profile of MailStore.deliverBatch in steady state (users provisioned before the profiler starts):
// N × 2 KB messages to U users in batches of B from T concurrent callers, like the MTA's ims-ms jobs.
// Writes a .cpuprofile (open it in Chrome DevTools) and prints the top functions by self time inside
// deliverBatch, plus CPU ms per message (process.cpuUsage: every thread of the process).
// Usage: npx tsx bench/store/profile-deliver.ts [messages=5000] [users=100] [batch=64] [callers=2] [out.cpuprofile]
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Session } from 'node:inspector/promises'
import { staticConfigView } from '@wren/kernel'
import { openStore } from '@wren/store'

const [N, USERS, BATCH, CALLERS] = [5000, 100, 64, 2].map((d, i) => Number(process.argv[2 + i] ?? d))
const OUT = process.argv[6] ?? path.join(os.tmpdir(), `deliver-${process.pid}.cpuprofile`)

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const line = 'The quick brown fox jumps over the lazy dog 0123456789 abcdefghij\r\n'
const msgs = Array.from({ length: N }, (_, i) => {
  const head = `From: S ${i} <s${i}@example.com>\r\nTo: u${i % USERS}@example.com\r\nSubject: bench ${i}\r\nMessage-ID: <${i}@bench.example>\r\n\r\n`
  return Buffer.from(head + line.repeat(Math.floor((2048 - head.length) / line.length)))
})
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wren-prof-deliver-'))
const store = openStore({ dataRoot: root, config: staticConfigView({}) })
const session = new Session()
try {
  for (let u = 0; u < USERS; u++) store.ensureUser(`u${u}`)
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 200 })
  await session.post('Profiler.start')
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  let next = 0
  await Promise.all(Array.from({ length: CALLERS }, async () => {
    while (next < N) {
      const items = []
      for (let k = 0; k < BATCH && next < N; k++, next++) items.push({ req: { userid: `u${(next * 7) % USERS}`, deliveryId: `p/${next}/ims-ms/0` }, message: msgs[next] })
      const out = await store.deliverBatch(items)
      for (const o of out) if (!o.ok) throw new Error(o.text)
    }
  }))
  const wall = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  const { profile } = await session.post('Profiler.stop') as { profile: Profile }
  fs.writeFileSync(OUT, JSON.stringify(profile))
  console.log(`${N} msgs, ${USERS} users, batch ${BATCH} × ${CALLERS} callers: ${Math.round(N / (wall / 1000))} msgs/s; CPU ${((cpu.user + cpu.system) / 1000 / N).toFixed(3)} ms/msg ` +
    `(user ${(cpu.user / 1000 / N).toFixed(3)}, sys ${(cpu.system / 1000 / N).toFixed(3)}); load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  // Self time per function (all samples of the run), top 25.
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<string, number>()
  let total = 0
  profile.samples.forEach((id, i) => {
    const cf = byId.get(id)!.callFrame
    if (cf.functionName === '(idle)') return
    const k = `${cf.functionName || '(anon)'} ${cf.url.split('/').pop()}:${cf.lineNumber + 1}`
    self.set(k, (self.get(k) ?? 0) + profile.timeDeltas[i])
    total += profile.timeDeltas[i]
  })
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${(100 * v / total).toFixed(1).padStart(5)}%  ${k}`)
  console.log(`profile: ${OUT}`)
} finally {
  session.disconnect()
  store.close()
  fs.rmSync(root, { recursive: true, force: true })
}
