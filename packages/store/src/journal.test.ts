import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { makeStore, msg } from './test-helpers.js'
import { DeliveryJournal, processTag, readJournal } from './journal.js'
import { messagePath } from './layout.js'

const cleanups: Array<() => void> = []
afterEach(() => { while (cleanups.length) cleanups.pop()!() })
function setup(root?: string) {
  const s = makeStore({ root })
  cleanups.push(() => s.store.close())
  return s
}
/** A journal "left by" a process that no longer exists (pid beyond pid_max). */
function deadJournal(dir: string): DeliveryJournal {
  return new DeliveryJournal(dir, { syncTargets: () => [], tag: '4999999.77' })
}

describe('delivery journal (group commit)', () => {
  it('round-trips records; a torn tail ends the file', async () => {
    const { root, store } = setup()
    cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }))
    const dir = path.join(root, 'j')
    const j = deadJournal(dir)
    const data = msg('one')
    const base = { userid: 'joe', mailboxId: 1, folder: 'INBOX', uidvalidity: 7, bits: 1, keywords: ['$A'], internalDate: 5, data }
    j.append([{ ...base, key: 'a', uid: 1 }, { ...base, key: 'b', uid: 2 }])
    await j.sync()
    j.append([{ ...base, key: 'c', uid: 3, data: msg('two') }])
    await j.sync()
    const [file] = fs.readdirSync(dir)
    const full = path.join(dir, file)
    const all = readJournal(full)
    expect(all.map((d) => [d.key, d.uid, d.data.equals(d.key === 'c' ? msg('two') : data)])).toEqual([['a', 1, true], ['b', 2, true], ['c', 3, true]])
    expect(all[0].keywords).toEqual(['$A'])
    // A crash in the middle of the last write: the partial frame (never fsync'd, never acknowledged) is ignored.
    fs.truncateSync(full, fs.statSync(full).size - 10)
    expect(readJournal(full).map((d) => d.key)).toEqual(['a', 'b'])
    // A flipped byte fails the CRC.
    const buf = fs.readFileSync(full); buf[20] ^= 0xff; fs.writeFileSync(full, buf)
    expect(readJournal(full)).toEqual([])
    void store
  })

  it('a dead process\'s journal is replayed once: lost commits restored at their UID, lost file bytes repaired', async () => {
    const { root, store } = setup()
    cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }))
    const out = await store.deliverBatch([
      { req: { userid: 'joe', deliveryId: 'q1/ims-ms/0' }, message: msg('first') },
      { req: { userid: 'joe', deliveryId: 'q2/ims-ms/0' }, message: msg('second') },
    ])
    expect(out.map((o) => o.ok && o.uid)).toEqual([1, 2])
    const udb = store.db('joe')!
    const inbox = udb.mailboxByFolder('INBOX')!
    // The journal of a process that died after committing uid 3 (lost: not in the index) and uid 1.
    const j = deadJournal(store.journalDir())
    const common = { userid: 'joe', mailboxId: inbox.id, folder: 'INBOX', uidvalidity: inbox.uidvalidity, bits: 0, keywords: [], internalDate: Date.UTC(2024, 0, 1) }
    j.append([
      { ...common, key: 'q1/ims-ms/0', uid: 1, data: msg('first') },
      { ...common, key: 'q3/ims-ms/0', uid: 3, data: msg('third') },
    ])
    await j.sync()
    j.abandon()
    const saved = fs.readdirSync(store.journalDir()).find((f) => f.startsWith('4999999.77'))!
    const copy = fs.readFileSync(path.join(store.journalDir(), saved))
    // The power cut also lost uid 1's file contents (written without fsync).
    fs.writeFileSync(messagePath(udb.dir, inbox.id, 1), '')
    store.close()

    const again = setup(root).store
    expect(fs.readdirSync(again.journalDir()).filter((f) => f.startsWith('4999999'))).toEqual([])
    const s = again.session('joe')
    const v = s.open('INBOX')
    expect([...v.uids()]).toEqual([1, 2, 3])
    expect((await v.read(3)).equals(msg('third'))).toBe(true)
    expect((await v.read(1)).equals(msg('first'))).toBe(true)
    // Replaying the same journal again (or the MTA retrying q3) stores nothing twice.
    fs.writeFileSync(path.join(again.journalDir(), saved), copy)
    expect(again.recoverJournals()).toBe(2)
    const retry = await again.deliverBatch([{ req: { userid: 'joe', deliveryId: 'q3/ims-ms/0' }, message: msg('third') }])
    expect(retry[0].ok && retry[0].uid).toBe(3)
    expect((await again.quotaReport('joe')).msgUsed).toBe(3)
    expect((await again.quotaReport('joe')).diskUsed).toBe(msg('first').length + msg('second').length + msg('third').length)
    v.close()
  })

  it('leaves a live process\'s journal alone; the checkpoint retires this process\'s file', async () => {
    const { root, store } = setup()
    cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }))
    const live = new DeliveryJournal(store.journalDir(), { syncTargets: () => [], tag: processTag(process.ppid)! })
    live.append([{ key: 'x', userid: 'joe', mailboxId: 1, folder: 'INBOX', uidvalidity: 1, uid: 9, bits: 0, keywords: [], internalDate: 0, data: msg('x') }])
    await live.sync()
    await store.deliverBatch([{ req: { userid: 'ann' }, message: msg('hello') }])
    expect(fs.readdirSync(store.journalDir()).length).toBe(2)
    expect(store.recoverJournals()).toBe(0)
    await store.journal().checkpoint()
    expect(fs.readdirSync(store.journalDir())).toEqual([expect.stringMatching(new RegExp(`^${process.ppid}\\.`))])
    expect(store.session('joe').open('INBOX').uids().length).toBe(0)
  })

  it('keeps checkpointing under continuous load: old files are retired while flushes go on', async () => {
    const { root } = setup()
    cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }))
    const dir = path.join(root, 'jl')
    const j = new DeliveryJournal(dir, { syncTargets: () => [], maxBytes: 8192 })
    const seen = new Set<string>()
    let maxFiles = 0
    const rec = { userid: 'joe', mailboxId: 1, folder: 'INBOX', uidvalidity: 1, bits: 0, keywords: [], internalDate: 0, data: msg('load', 'x'.repeat(1500)) }
    let n = 0
    await Promise.all([0, 1, 2].map(async () => {
      for (let i = 0; i < 60; i++) {
        j.append([{ ...rec, key: `k${++n}`, uid: n }])
        await j.sync()
        const files = fs.readdirSync(dir)
        for (const f of files) seen.add(f)
        maxFiles = Math.max(maxFiles, files.length)
      }
    }))
    await j.checkpoint()
    expect(seen.size).toBeGreaterThan(3) // rotated (and retired) repeatedly while the writers kept flushing
    expect(maxFiles).toBeLessThanOrEqual(2)
    expect(fs.readdirSync(dir)).toEqual([])
    j.close()
  })
})
