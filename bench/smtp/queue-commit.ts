// Queue commit alone (no SMTP): C concurrent "sessions" accept N messages of 2,100 bytes through
// QueueStore (begin → write → commit, fsynced before it returns) and the index. Compares the
// dispatcher's commit journal (D26) with one queue file per message.
// usage: UV_THREADPOOL_SIZE=16 npx tsx bench/smtp/queue-commit.ts [messages=5000] [sessions=20] [journal|files]
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { QueueStore } from '@wren/mta/queue/queue-store'
import { runDir } from './util.js'

const N = Number(process.argv[2] ?? 5000), C = Number(process.argv[3] ?? 20)
const journal = process.argv[4] !== 'files'
const dataRoot = runDir('wren-qc-')
const q = new QueueStore({ dataRoot, journal })
const body = Buffer.alloc(2100, 'a')
let started = 0
const c0 = process.cpuUsage(); const t0 = performance.now()
await Promise.all(Array.from({ length: C }, async () => {
  while (started < N) {
    started++
    const m = await q.begin()
    await q.write(m, body)
    await q.commit(m, [{ channel: 'ims-ms', sourceChannel: 'tcp_local', from: 'a@remote.test', created: Date.now(), recipients: [{ to: 'user0@example.org', origTo: 'user0@example.org' }] }])
  }
}))
const c = process.cpuUsage(c0); const s = (performance.now() - t0) / 1000
console.log(JSON.stringify({ mode: journal ? 'journal' : 'files', messages: N, sessions: C, msgsPerSec: Math.round(N / s), cpuUsPerMsg: Math.round((c.user + c.system) / N), batches: q.commitStats.batches }))
q.close()
rmSync(dataRoot, { recursive: true, force: true })
process.exit(0)
