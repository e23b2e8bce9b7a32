// Measures users.list at the API on 100,000 embedded users (issue 6: first page and a search well
// under 300 ms). Seeds the DirEntry table directly (one transaction) — provisioning 100k users
// through createUser would spend hours in scrypt — then calls the real router in process.
//   node --import tsx packages/api/bench/list-100k.ts [count]
import Database from 'better-sqlite3'
import { controlDbPath } from '@wren/db'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { openTestApi } from '../src/testing.js'
import { createTrpcHttpHandler } from '../src/http.js'
import { createSession } from '../src/session.js'

const COUNT = Number(process.argv[2] ?? 100_000)
const FIRST = ['Ada', 'Brian', 'Chen', 'Dana', 'Emil', 'Fatima', 'Goran', 'Hana', 'Ivan', 'Jun', 'Kofi', 'Lena']
const LAST = ['Archer', 'Baker', 'Cole', 'Diaz', 'Evans', 'Fischer', 'Gupta', 'Haas', 'Ito', 'Jones', 'Khan', 'Lopez']

async function main(): Promise<void> {
  const api = await openTestApi()
  try {
    const actor = { actor: 'bench', source: 'cli' }
    await api.deps.directory.createDomain({ name: 'bench.test' }, actor)
    await api.deps.directory.createDomain({ name: 'other.test' }, actor)
    const t0 = performance.now()
    const sql = new Database(controlDbPath(api.dataRoot))
    const insert = sql.prepare("INSERT INTO DirEntry (kind, domain, name, attrs, passwordHash, status, search, createdAt, updatedAt) VALUES ('user', ?, ?, ?, '', '', ?, ?, ?)")
    const now = Date.now()
    sql.transaction(() => {
      for (let i = 0; i < COUNT; i++) {
        const uid = `user${String(i).padStart(6, '0')}`
        const domain = i % 10 === 9 ? 'other.test' : 'bench.test'
        const cn = `${FIRST[i % FIRST.length]} ${LAST[(i * 7) % LAST.length]} ${i}`
        const mail = `${uid}@${domain}`
        const attrs = { uid: [uid], cn: [cn], sn: [LAST[(i * 7) % LAST.length]!], mail: [mail], mailQuota: ['100M'], objectClass: ['inetOrgPerson', 'inetMailUser'] }
        insert.run(domain, uid, JSON.stringify(attrs), `${uid} ${cn} ${mail}`.toLowerCase(), now, now)
      }
    })()
    sql.close()
    console.log(`seeded ${COUNT} users in ${Math.round(performance.now() - t0)} ms`)
    const admin = await api.as('bench-admin', 'global')
    const dom = await api.as('bench-domain', 'domain', ['other.test'])
    const time = async (label: string, fn: () => Promise<{ items: unknown[]; total?: number }>) => {
      await fn() // warm
      const runs: number[] = []
      let r: { items: unknown[]; total?: number } = { items: [] }
      for (let k = 0; k < 5; k++) {
        const s = performance.now()
        r = await fn()
        runs.push(performance.now() - s)
      }
      runs.sort((a, b) => a - b)
      console.log(`${label.padEnd(44)} median ${runs[2]!.toFixed(1)} ms  max ${runs[4]!.toFixed(1)} ms  (${r.items.length} rows, total ${r.total})`)
    }
    await time('first page (uid asc, 50)', () => admin.users.list({}))
    await time('first page sorted by cn desc', () => admin.users.list({ sort: 'cn', dir: 'desc' }))
    await time('first page sorted by mail', () => admin.users.list({ sort: 'mail' }))
    const p1 = await admin.users.list({ sort: 'cn' })
    await time('second page (cursor, by cn)', () => admin.users.list({ sort: 'cn', cursor: p1.nextCursor }))
    await time('search "fatima" (substring, all domains)', () => admin.users.list({ search: 'fatima' }))
    await time('search "user09999" (uid prefix)', () => admin.users.list({ search: 'user09999' }))
    await time('search "zzz" (no match)', () => admin.users.list({ search: 'zzz' }))
    await time('domain admin: first page of other.test', () => dom.users.list({}))
    await time('domain admin: search "khan"', () => dom.users.list({ search: 'khan' }))
    // The same over HTTP, as the console's proxy calls it (JSON encoding, cookie session).
    const server = createServer(createTrpcHttpHandler(api.deps))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as AddressInfo).port
    const acc = await api.deps.db.prisma.adminAccount.findUniqueOrThrow({ where: { username: 'bench-admin' } })
    const sid = (await createSession(api.deps, acc.id, '127.0.0.1')).id
    const http = (input: object) => async () => {
      const res = await fetch(`http://127.0.0.1:${port}/trpc/users.list?input=${encodeURIComponent(JSON.stringify(input))}`, { headers: { cookie: `wren_session=${sid}` } })
      return ((await res.json()) as { result: { data: { items: unknown[]; total?: number } } }).result.data
    }
    await time('HTTP: first page', http({}))
    await time('HTTP: first page sorted by cn', http({ sort: 'cn' }))
    await time('HTTP: search "fatima"', http({ search: 'fatima' }))
    await time('HTTP: search "gupta 7"', http({ search: 'gupta 7' }))
    server.close()
  } finally {
    await api.close()
  }
}

main().catch((e: unknown) => { console.error(e); process.exit(1) })
