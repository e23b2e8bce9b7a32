// quotas.* at scale (issue 6): usage from the store's per-user cache (mailbox list) in one query,
// users nearest their limit ranked on it (default limits in SQL, users with their own mailQuota /
// mailMsgQuota / overquota status from the directory's partial index), every domain's totals paged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { mboxlistPathOf } from '@wren/store/usage-summary'
import { openTestApi, type TestApi } from '../testing.js'
import { closeUsageSummaries } from '../quota-summary.js'

const msg = (n: number) => Buffer.from(`Subject: t\r\nFrom: a@b\r\n\r\n${'x'.repeat(n)}\r\n`)

describe('quotas at scale', () => {
  let api: TestApi

  beforeAll(async () => {
    api = await openTestApi()
    // a default mailbox quota of 100K for everyone without their own (spec 03 §4 store.defaultmailboxquota)
    api.deps.config.set('store.defaultmailboxquota', '102400')
    await api.deps.config.write({ author: 'test', source: 'cli', remark: 'default quota' })
    const actor = { actor: 'setup', source: 'cli' }
    for (const d of ['a.test', 'b.test', 'c.test']) await api.deps.directory.createDomain({ name: d, ...(d === 'a.test' ? { attributes: { mailDomainDiskQuota: '1M' } } : {}) }, actor)
    const users: Array<[string, string, Record<string, string>]> = [
      ['big', 'a.test', {}], // 60K of the default 100K: 60 %
      ['small', 'a.test', {}], // 10K: 10 %
      ['own', 'b.test', { mailQuota: '20K' }], // 15K of its own 20K: 75 %
      ['roomy', 'b.test', { mailQuota: '10M' }], // 70K of 10M: under 1 %, though more bytes than "big"
      ['held', 'c.test', { mailUserStatus: 'overquota' }], // little mail, but over by status
    ]
    for (const [uid, domain, attrs] of users) {
      await api.deps.directory.createUser({ uid, domain, password: `${uid}-password-1`, attributes: { cn: uid, ...attrs } }, actor)
    }
    const store = api.store()
    const fill = { big: 60_000, small: 10_000, own: 15_000, roomy: 70_000, held: 100 } as Record<string, number>
    for (const [uid, domain] of users) await store.deliver({ userid: `${uid}@${domain}`, bypassQuota: true }, msg(fill[uid]!))
  })
  afterAll(async () => {
    closeUsageSummaries()
    await api?.close()
  })

  it('nearest: ranked on percent of each user\'s own limit, overquota status first, exact figures shown', async () => {
    const root = await api.as('root', 'global')
    const rows = await root.quotas.nearest({ limit: 10 })
    expect(rows.map((r) => `${r.uid}@${r.domain}`)).toEqual(['held@c.test', 'own@b.test', 'big@a.test', 'small@a.test', 'roomy@b.test'])
    expect(rows[0]!.state).toBe('over')
    const own = rows[1]!
    expect(own.diskLimit).toBe(20 * 1024)
    expect(own.diskUsed).toBeGreaterThan(15_000)
    expect((await root.quotas.nearest({ limit: 2 })).map((r) => r.uid)).toEqual(['held', 'own'])
    expect((await root.quotas.nearest({ domain: 'a.test' })).map((r) => r.uid)).toEqual(['big', 'small'])
  })

  it('a domain administrator only ranks and totals their own domains', async () => {
    const dom = await api.as('adm-b', 'domain', ['b.test'])
    expect((await dom.quotas.nearest({})).map((r) => r.uid)).toEqual(['own', 'roomy'])
    const page = await dom.quotas.domains({})
    expect(page.items.map((d) => d.domain)).toEqual(['b.test'])
    expect(page.total!.users).toBe(2)
  })

  it('domains: every domain totalled, paged, with the grand total; domain matches its per-domain query', async () => {
    const root = await api.as('root', 'global')
    const first = await root.quotas.domains({ limit: 2 })
    expect(first.items).toHaveLength(2)
    expect(first.nextCursor).toBeTruthy()
    const second = await root.quotas.domains({ limit: 2, cursor: first.nextCursor })
    const all = [...first.items, ...second.items].filter((d) => d.domain.endsWith('.test') && d.domain !== 'test.host')
    expect(all.map((d) => d.domain).sort()).toEqual(['a.test', 'b.test', 'c.test'])
    const a = all.find((d) => d.domain === 'a.test')!
    expect(a).toMatchObject({ users: 2, diskLimit: 1024 * 1024, msgLimit: -1, msgUsed: 2 })
    expect(a.diskUsed).toBeGreaterThan(70_000)
    expect(await root.quotas.domain({ domain: 'a.test' })).toEqual(a)
    expect(first.total).toMatchObject({ users: 5, messages: 5 })
    expect((await root.quotas.domains({ search: 'b.te' })).items.map((d) => d.domain)).toEqual(['b.test'])
  })

  it('reads the store\'s usage cache: a change the cache holds shows in the totals at once', async () => {
    const root = await api.as('root', 'global')
    const before = await root.quotas.domain({ domain: 'c.test' })
    await api.store().deliver({ userid: 'held@c.test', bypassQuota: true }, msg(5_000))
    const after = await root.quotas.domain({ domain: 'c.test' })
    expect(after.msgUsed).toBe(before.msgUsed + 1)
    expect(after.diskUsed).toBeGreaterThan(before.diskUsed + 5_000)
    // and what it reads is the mailbox list's row, nothing else
    const raw = new Database(mboxlistPathOf(api.dataRoot), { readonly: true })
    const row = raw.prepare('SELECT disk_used, msg_used FROM users WHERE userid = ?').get('held@c.test') as { disk_used: number; msg_used: number }
    raw.close()
    expect(after).toMatchObject({ diskUsed: row.disk_used, msgUsed: row.msg_used, users: 1 })
  })
})
