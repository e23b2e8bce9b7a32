// Directory lookup latency, embedded provider, 100k users (issue 3: cached address resolution p99 < 1 ms).
//   npx tsx bench/directory/lookup.bench.ts [users=100000]
// Loads N users (half with a mailAlternateAddress) straight into the embedded tables in one
// transaction, then measures through the Directory API: uncached resolution on a sample, the warm-up
// of every address, and cached resolution of random addresses (mail, alternate, +detail, domain alias).
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { staticConfigView } from '@wren/kernel'
import { openControlDb, controlDbPath } from '@wren/db'
import { openDirectory } from '@wren/directory'

const N = Number(process.argv[2] ?? 100_000)
const root = mkdtempSync(join(tmpdir(), 'wren-dir-bench-'))
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!
const fmt = (ms: number) => `${(ms * 1000).toFixed(1)} µs`

function report(name: string, samples: number[]): void {
  samples.sort((a, b) => a - b)
  console.log(`${name.padEnd(34)} n=${String(samples.length).padStart(7)}  p50 ${fmt(pct(samples, 50)).padStart(10)}  p99 ${fmt(pct(samples, 99)).padStart(10)}  max ${fmt(samples[samples.length - 1]!).padStart(10)}`)
}

try {
  const db = await openControlDb(root)
  await db.close()
  const raw = new Database(controlDbPath(root))
  const t0 = performance.now()
  const now = new Date().toISOString()
  const entry = raw.prepare('INSERT INTO DirEntry (kind, domain, name, attrs, passwordHash, status, search, createdAt, updatedAt) VALUES (?, ?, ?, ?, \'\', \'\', ?, ?, ?)')
  const key = raw.prepare('INSERT INTO DirKey (key, entryId, attr) VALUES (?, ?, ?)')
  raw.transaction(() => {
    const d = entry.run('domain', 'example.com', 'example.com', JSON.stringify({ o: ['example.com'], sunPreferredDomain: ['example.com'], associatedDomain: ['example.com', 'example.org'], preferredMailHost: ['mail.example.com'] }), 'example.com example.org', now, now)
    key.run('d:example.com', d.lastInsertRowid, 'associatedDomain')
    key.run('d:example.org', d.lastInsertRowid, 'associatedDomain')
    for (let i = 0; i < N; i++) {
      const uid = `user${i}`
      const attrs: Record<string, string[]> = { uid: [uid], cn: [`User ${i}`], sn: [String(i)], mail: [`${uid}@example.com`], mailHost: ['mail.example.com'], mailDeliveryOption: ['mailbox'] }
      if (i % 2 === 0) attrs.mailAlternateAddress = [`alias${i}@example.com`]
      const r = entry.run('user', 'example.com', uid, JSON.stringify(attrs), `${uid} user ${i}`, now, now)
      key.run(`a:${uid}@example.com`, r.lastInsertRowid, 'mail')
      if (i % 2 === 0) key.run(`a:alias${i}@example.com`, r.lastInsertRowid, 'mailAlternateAddress')
    }
  })()
  raw.close()
  console.log(`loaded ${N} users in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

  const dir = await openDirectory({
    dataRoot: root,
    config: staticConfigView({ 'base.defaultdomain': 'example.com', 'base.hostname': 'mail.example.com', 'base.ugldapbasedn': 'o=usergroup', 'base.directory.cachettl': 600 }),
  })
  const addr = (i: number) => (i % 4 === 0 ? `alias${i}@example.com` : i % 4 === 1 ? `user${i}+tag@example.com` : i % 4 === 2 ? `user${i}@example.org` : `user${i}@example.com`)

  // Uncached: a sample of distinct addresses, one at a time.
  const cold: number[] = []
  for (let k = 0; k < 2000; k++) {
    const i = Math.floor(Math.random() * N)
    const a = `user${i}@example.com`
    const s = performance.now()
    const r = await dir.resolveAddress(a)
    cold.push(performance.now() - s)
    if (r.kind !== 'user') throw new Error(`${a} did not resolve`)
  }
  dir.invalidate()
  report('uncached resolveAddress', cold)

  // Warm every user's address (the cache holds the whole directory).
  const w0 = performance.now()
  for (let i = 0; i < N; i += 500) {
    await Promise.all(Array.from({ length: Math.min(500, N - i) }, (_, k) => dir.resolveAddress(addr(i + k))))
  }
  console.log(`warmed ${N} addresses in ${((performance.now() - w0) / 1000).toFixed(1)} s (${dir.cacheStats().size} cached)`)

  // Cached: random addresses of every form.
  const hot: number[] = []
  for (let k = 0; k < 200_000; k++) {
    const i = Math.floor(Math.random() * N)
    const s = performance.now()
    const r = await dir.resolveAddress(addr(i))
    hot.push(performance.now() - s)
    if (r.kind !== 'user') throw new Error(`${addr(i)} did not resolve`)
  }
  report('cached resolveAddress', hot)
  const mem = process.memoryUsage()
  console.log(`rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`)
  await dir.close()
} finally {
  rmSync(root, { recursive: true, force: true })
}
