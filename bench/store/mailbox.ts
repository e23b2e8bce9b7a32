// Store micro-benchmark: fill a mailbox through the delivery path (group commit), then time the
// operations behind IMAP SELECT, `UID FETCH 1:* (UID FLAGS)` and `SEARCH BODY <word>`.
// Usage: npx tsx bench/store/mailbox.ts [messages=100000] [batch=500]
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { staticConfigView } from '@wren/kernel'
import { openStore } from '@wren/store'

const N = Number(process.argv[2] ?? 100_000)
const BATCH = Number(process.argv[3] ?? 500)
let g = performance.now()
for (let i = 0, x = 0; i < 5e7; i++) x += i
console.log(`load gauge: 5e7-iteration loop ${(performance.now() - g).toFixed(0)} ms (≈50 ms on an idle core)`)
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wren-bench-store-'))
const store = openStore({ dataRoot: root, config: staticConfigView({}) })
const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet']
function message(i: number): Buffer {
  const body = Array.from({ length: 30 }, (_, k) => words[(i * 7 + k) % words.length]).join(' ')
  return Buffer.from(`From: Sender ${i} <s${i}@example.com>\r\nTo: joe@example.com\r\nSubject: message ${i}\r\n` +
    `Message-ID: <${i}@bench.example>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\n${body}\r\n${i === N - 7 ? 'needle-xyzzy\r\n' : ''}`)
}
try {
  store.ensureUser('joe')
  let t = performance.now()
  for (let i = 0; i < N; i += BATCH) {
    const items = []
    for (let k = i; k < Math.min(N, i + BATCH); k++) items.push({ req: { userid: 'joe', flags: k % 3 ? ['\\Seen'] : [] }, message: message(k) })
    const out = await store.deliverBatch(items)
    if (out.some((o) => !o.ok)) throw new Error('delivery failed')
  }
  const fill = performance.now() - t
  console.log(`deliver ${N} messages (batches of ${BATCH}): ${(fill / 1000).toFixed(1)} s = ${Math.round(N / (fill / 1000))} msgs/s`)

  const s = store.session('joe')
  t = performance.now()
  const v = s.open('INBOX')
  const st = s.status('INBOX')
  const uids = v.uids()
  const recent = v.claimRecent()
  const select = performance.now() - t
  console.log(`SELECT (open + STATUS counters + uid list + claim \\Recent): ${select.toFixed(1)} ms (${uids.length} uids, ${st.unseen} unseen, ${recent.length} recent)`)

  t = performance.now()
  const v2 = s.open('INBOX')
  s.status('INBOX')
  v2.uids()
  v2.claimRecent()
  console.log(`second SELECT of the same mailbox (uid list cached per process): ${(performance.now() - t).toFixed(1)} ms`)
  v2.close()

  t = performance.now()
  const flags = v.flags()
  const fetchFlags = performance.now() - t
  console.log(`UID FETCH 1:* (UID FLAGS) scan: ${fetchFlags.toFixed(1)} ms (${flags.length} rows)`)

  t = performance.now()
  const hits = await v.searchMany(Array.from(uids), 'needle-xyz', 'body')
  const search = performance.now() - t
  console.log(`SEARCH BODY (substring, every message): ${search.toFixed(0)} ms (${hits.length} hit)`)

  t = performance.now()
  const r = v.storeFlags(Array.from(uids.subarray(0, 1000)), { mode: 'add', flags: ['\\Flagged'] })
  console.log(`STORE +FLAGS on 1000 messages: ${(performance.now() - t).toFixed(1)} ms (${r.updated.length} updated)`)
  v.close()
} finally {
  store.close()
  fs.rmSync(root, { recursive: true, force: true })
}
