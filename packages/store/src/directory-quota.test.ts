// Per-user quotas from the directory (spec 03 §4: "the user's value if set, else the default") apply
// whether or not `store.defaultmailboxquota` is configured: in the quota view (GETQUOTAROOT reads the
// synchronous `quotaRoots`), and in the `store` service's store, which has no directory handed to it
// by the daemon and opens @wren/directory itself.
import fs from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { createLocalBus, nullLogger, staticConfigView, type ServiceContext } from '@wren/kernel'
import { openDirectory } from '@wren/directory'
import { makeStore, msg, tempRoot } from './test-helpers.js'
import { StoreService } from './service.js'
import type { QuotaSource } from './types.js'

const cleanups: Array<() => unknown> = []
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c() })

const tick = () => new Promise((r) => setTimeout(r, 20))

describe('per-user mailQuota without store.defaultmailboxquota (spec 03 §4)', () => {
  it('the quota view of a fresh session shows the directory limit, and a changed mailQuota after the cache expires', async () => {
    const quotas: Record<string, QuotaSource> = { bob: { mailQuota: '1K' } }
    const { store, cleanup } = makeStore({ quotaResolver: (u) => quotas[u] })
    cleanups.push(cleanup)
    store.ensureUser('bob')
    const s = store.session('bob')
    await tick()
    expect(s.quotaRoots('INBOX')).toEqual([{ root: 'user/bob', storageUsed: 0, storageLimit: 1024, messagesUsed: 0, messagesLimit: -1 }])
    // commadmin user modify … -A mailQuota:2K: visible once the 5 s cache has expired
    quotas.bob = { mailQuota: '2K' }
    const now = Date.now
    Date.now = () => now() + 6000
    try {
      s.quotaRoots('INBOX')
      await tick()
      expect(s.quotaRoots('INBOX')[0].storageLimit).toBe(2048)
    } finally {
      Date.now = now
    }
  })

  it('the store service opens the directory for the limits: bob (mailQuota 1K, holding 6 KB) is over quota, ann (100) too small', async () => {
    const root = tempRoot()
    cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }))
    const config = staticConfigView({ 'base.defaultdomain': 'example.com' })
    const dir = await openDirectory({ dataRoot: root, config, hostname: 'mail.example.com' })
    try {
      await dir.createDomain({ name: 'example.com' }, { actor: 'test' })
      await dir.createUser({ uid: 'bob', password: 'pw', attributes: { mailQuota: '1K' } }, { actor: 'test' })
      await dir.createUser({ uid: 'ann', password: 'pw', attributes: { mailQuota: '100' } }, { actor: 'test' })
      await dir.createUser({ uid: 'cid', password: 'pw' }, { actor: 'test' })
    } finally {
      await dir.close()
    }
    const svc = new StoreService({ cleanupIntervalMs: 3_600_000 })
    const ctx: ServiceContext = {
      dataRoot: root, hostname: 'mail.example.com', config, logger: () => nullLogger, bus: createLocalBus(), lookup: () => undefined,
    }
    await svc.start(ctx)
    cleanups.push(() => svc.stop())
    const store = svc.api!
    // bob already holds ~6 KB (imported past the quota, as imsimport does)
    expect((await store.deliver({ userid: 'bob', bypassQuota: true }, msg('old', 'x'.repeat(6000)))).ok).toBe(true)
    const small = msg('hello')
    const bob = await store.deliver({ userid: 'bob' }, small)
    expect(bob).toMatchObject({ ok: false, temporary: true, enhancedStatus: '4.2.2' })
    const ann = await store.deliver({ userid: 'ann' }, small)
    expect(ann).toMatchObject({ ok: false, temporary: false })
    // no mailQuota and no default: unlimited
    expect((await store.deliver({ userid: 'cid' }, small)).ok).toBe(true)
    const s = store.session('bob')
    expect((await s.getQuotaRoots('INBOX'))[0].storageLimit).toBe(1024)
  })
})
