import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createLocalBus, nullLogger, staticConfigView, type ServiceContext } from '@wren/kernel'
import { createService } from './service.js'
import { makeStore, msg, tempRoot } from './test-helpers.js'
import type { MailStore } from './types.js'

const cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => { while (cleanups.length) await cleanups.pop()!() })

describe('store service (stored)', () => {
  it('starts, writes run/store, removes temp files of dead writers, answers health, stops', async () => {
    const root = tempRoot()
    cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }))
    const tmpDir = path.join(root, 'store/partition/primary/tmp')
    fs.mkdirSync(tmpDir, { recursive: true })
    fs.writeFileSync(path.join(tmpDir, '999999999.1.1.abcd.tmp'), 'partial')
    const ctx: ServiceContext = {
      dataRoot: root, hostname: 'mail.example.com', config: staticConfigView({}), logger: () => nullLogger,
      bus: createLocalBus(), lookup: () => undefined,
    }
    const svc = createService()
    expect(svc.name).toBe('store')
    await svc.start(ctx)
    cleanups.push(() => svc.stop())
    expect(fs.readFileSync(path.join(root, 'run/store'), 'utf8')).toBe(`${process.pid}\nready\n`)
    expect(fs.readdirSync(tmpDir)).toEqual([])
    const api = svc.api as MailStore
    expect((await api.deliver({ userid: 'joe' }, msg('hi'))).ok).toBe(true)
    expect(await svc.health!()).toMatchObject({ ok: true })
    await svc.stop()
    expect(fs.existsSync(path.join(root, 'run/store'))).toBe(false)
    expect(await svc.health!()).toMatchObject({ ok: false })
  })
})

describe('expunge → cleanup lifecycle (spec 03 §7)', () => {
  it('keeps expunged files until store.cleanupage has passed, then removes them', async () => {
    const { store, cleanup } = makeStore({ config: { 'store.cleanupage': 1 } })
    cleanups.push(cleanup)
    const s = store.session('joe')
    await s.append('INBOX', msg('a'))
    const v = s.open('INBOX')
    const file = v.filePath(1)
    v.storeFlags([1], { mode: 'add', flags: ['\\Deleted'] })
    await v.expunge()
    expect(fs.existsSync(file)).toBe(true)
    expect(await store.cleanup()).toBe(0)
    store.db('joe')!.db.prepare('UPDATE expunged SET expunged_at = expunged_at - 7200000').run()
    // A reconstruct meanwhile does not treat the pending file as an orphan.
    expect((await store.reconstruct('joe')).orphanFiles).toEqual([])
    expect(await store.cleanup()).toBe(1)
    expect(fs.existsSync(file)).toBe(false)
    expect(v.changesSince(0).vanished).toEqual([1])
    v.close()
  })
})
