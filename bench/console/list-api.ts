// users.list server-side cost at 100k users, in process (no browser, no HTTP): the admin API on a
// temporary data root whose embedded directory holds N cloned users (as bench/console/run.ts
// provisions them). Prints wall and CPU ms of the first (cold) call and median/p95 of warm first
// pages, sorted pages and searches, plus quotas.nearest / quotas.domains at that scale when the
// store holds usage for every user.
//   npx tsx bench/console/list-api.ts [--users 100000] [--runs 30]
import { performance } from 'node:perf_hooks'
import { loadavg } from 'node:os'
import Database from 'better-sqlite3'
import { openTestApi } from '../../packages/api/src/testing.js'
import type { ApiContext } from '../../packages/api/src/context.js'
import { nearestCandidates, usageSummary } from '../../packages/api/src/quota-summary.js'
import { mboxlistPathOf } from '../../packages/store/src/usage-summary.js'
import { cloneUid, cloneUsers, usageForAll } from './provision.js'

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : def
}
const USERS = arg('users', 100_000)
const RUNS = arg('runs', 30)

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b)
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!
  return `median ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms (n=${s.length})`
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; cpu: number; v: T }> {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const v = await fn()
  const c = process.cpuUsage(c0)
  return { ms: performance.now() - t0, cpu: (c.user + c.system) / 1000, v }
}

async function main(): Promise<void> {
  const api = await openTestApi()
  try {
    await api.deps.directory.createDomain({ name: 'bench.test' }, { actor: 'bench', source: 'cli' })
    const root = await api.as('root', 'global')
    await root.users.create({ uid: 'template', domain: 'bench.test', password: 'Template-pass-1!', cn: 'Template User', sn: 'User', givenName: 'Template' })
    const t0 = performance.now()
    const db = new Database(api.deps.db.path, { timeout: 30_000 })
    cloneUsers(db, 'bench.test', USERS)
    db.close()
    process.stdout.write(`provisioned ${USERS} users in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`)

    const cold = await timed(() => root.users.list({ limit: 50 }))
    process.stdout.write(`users.list first call (cold: index check, statement preparation): ${cold.ms.toFixed(1)} ms wall, ${cold.cpu.toFixed(1)} ms CPU, total ${cold.v.total}\n`)
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['first page (uid)', () => root.users.list({ limit: 50 })],
      ['first page (cn desc)', () => root.users.list({ limit: 50, sort: 'cn', dir: 'desc' })],
      ['first page, one domain', () => root.users.list({ limit: 50, domain: 'bench.test' })],
      ['search "har"', () => root.users.list({ limit: 50, search: 'har' })],
      ['search "harrison"', () => root.users.list({ limit: 50, search: 'harrison' })],
      ['search "u04213"', () => root.users.list({ limit: 50, search: 'u04213' })],
      ['search "g"', () => root.users.list({ limit: 50, search: 'g' })],
    ]
    for (const [name, fn] of cases) {
      const ms: number[] = []
      const cpu: number[] = []
      for (let i = 0; i < RUNS; i++) {
        const r = await timed(fn)
        ms.push(r.ms)
        cpu.push(r.cpu)
      }
      process.stdout.write(`${name.padEnd(24)} wall ${stats(ms)}; CPU ${stats(cpu)}\n`)
    }

    // quotas at scale: every user gets a mailbox row with usage in the store's mailbox list
    // real mailboxes (one message each) for the 1,000 users with their own quota, then cached usage for all
    const store = api.store()
    for (let i = 1000; i < 2000 && i < USERS; i++) await store.deliver({ userid: `${cloneUid(i)}@bench.test`, bypassQuota: true }, Buffer.from('Subject: t\r\n\r\nx\r\n'))
    const mbl = new Database(mboxlistPathOf(api.dataRoot), { timeout: 30_000 })
    usageForAll(mbl, 'bench.test', USERS)
    mbl.close()
    // 1,000 users with their own mailQuota (the rest have the default, unlimited unless configured)
    const dir = new Database(api.deps.db.path, { timeout: 30_000 })
    dir.prepare("UPDATE DirEntry SET attrs = json_set(attrs, '$.mailQuota', json_array('100M')) WHERE kind = 'user' AND name LIKE 'u001%'").run()
    dir.close()
    const ctx = { deps: api.deps } as unknown as ApiContext
    for (const [name, fn] of [
      ['nearest: ranking only', () => nearestCandidates(ctx, usageSummary(ctx), null, 50)],
      ['quotas.nearest', () => root.quotas.nearest({ limit: 50 })],
      ['quotas.domains', () => root.quotas.domains({ limit: 25 })],
      ['quotas.domain', () => root.quotas.domain({ domain: 'bench.test' })],
    ] as Array<[string, () => Promise<unknown>]>) {
      const ms: number[] = []
      for (let i = 0; i < Math.min(RUNS, 10); i++) ms.push((await timed(fn)).ms)
      process.stdout.write(`${name.padEnd(24)} wall ${stats(ms)}\n`)
    }
    process.stdout.write(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`)
  } finally {
    await api.close()
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`)
  process.exit(1)
})
