import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { makeStore, msg } from './test-helpers.js'
import { FLAG_FLAGGED } from './types.js'

const cleanups: Array<() => void> = []
afterEach(() => { while (cleanups.length) cleanups.pop()!() })

describe('mboxutil back-ends (spec 03 §3)', () => {
  it('moves a user to another partition with UIDs and flags unchanged', async () => {
    const { store, root, cleanup } = makeStore({ config: { 'partition:p2.path': 'p2' } })
    cleanups.push(cleanup)
    const s = store.session('d')
    await s.append('INBOX', msg('a'), { flags: ['\\Flagged'] })
    await s.append('INBOX', msg('b'))
    const uv = s.get('INBOX')!.uidValidity
    store.moveUser('d', 'p2')
    expect(store.userPath('d').startsWith(path.join(root, 'p2'))).toBe(true)
    const v = store.session('d').open('INBOX')
    expect(v.info.partition).toBe('p2')
    expect(v.info.uidValidity).toBe(uv)
    expect(v.flags().map((e) => [e.uid, e.flags])).toEqual([[1, FLAG_FLAGGED], [2, 0]])
    expect((await v.read(2)).toString()).toContain('Subject: b')
    expect(fs.existsSync(path.join(root, 'store/partition/primary/=user', store.hashdir('d'), '=d'))).toBe(false)
    expect((await store.deliver({ userid: 'd' }, msg('c'))).ok).toBe(true)
    expect(Array.from(v.uids())).toEqual([1, 2, 3])
    v.close()
  })
  it('restores expunged messages that are not cleaned up yet (mboxutil -R)', async () => {
    const { store, cleanup } = makeStore({ config: { 'store.cleanupage': 24 } })
    cleanups.push(cleanup)
    const s = store.session('joe')
    for (const n of [1, 2, 3]) await s.append('INBOX', msg('m' + n))
    const v = s.open('INBOX')
    v.storeFlags([1, 2, 3], { mode: 'add', flags: ['\\Deleted'] })
    await v.expunge()
    const back = store.restoreExpunged({ owner: 'joe', folder: 'INBOX' }, { uids: [1, 3], dest: 'Trash' })
    expect(back).toEqual([1, 2])
    const t = s.open('Trash')
    expect((await t.read(2)).toString()).toContain('Subject: m3')
    expect(await store.cleanup()).toBe(0)
    t.close(); v.close()
  })
})
