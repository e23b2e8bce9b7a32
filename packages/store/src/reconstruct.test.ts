import fs from 'node:fs'
import path from 'node:path'
import { spawn } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { makeStore, msg, tempRoot } from './test-helpers.js'
import { openStore } from './store.js'
import { staticConfigView } from '@wren/kernel'

const cleanups: Array<() => void> = []
afterEach(() => { while (cleanups.length) cleanups.pop()!() })

const WORKER = path.join(import.meta.dirname, 'test-fixtures', 'append-worker.ts')
const REPO = path.resolve(import.meta.dirname, '../../..')

describe('reconstruct (spec 03 §13)', () => {
  it('drops index entries whose file was deleted; -n only reports', async () => {
    const { store, cleanup } = makeStore()
    cleanups.push(cleanup)
    const s = store.session('joe')
    for (const n of [1, 2, 3]) await s.append('INBOX', msg('m' + n))
    const v = s.open('INBOX')
    fs.unlinkSync(v.filePath(2))
    const dry = await store.reconstruct('joe', { reportOnly: true })
    expect(dry.missingFiles).toEqual([{ mailbox: 'user/joe/INBOX', uid: 2 }])
    expect(Array.from(v.uids())).toEqual([1, 2, 3])
    const h = v.refresh().highestModseq
    const rep = await store.reconstruct('user/joe/INBOX')
    expect(rep.missingFiles).toHaveLength(1)
    expect(Array.from(v.uids())).toEqual([1, 3])
    expect(v.changesSince(h).vanished).toEqual([2])
    expect((await store.quotaReport('joe')).msgUsed).toBe(2)
    v.close()
  })
  it('rebuilds a deleted index from the files, keeping UIDVALIDITY, UIDs and folder names', async () => {
    const root = tempRoot()
    cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }))
    let store = openStore({ dataRoot: root, config: staticConfigView({}) })
    const s = store.session('joe')
    s.create('Work/Reports')
    for (const n of [1, 2, 3]) await s.append('Work/Reports', msg('r' + n))
    await s.append('INBOX', msg('i1'))
    const uv = s.get('Work/Reports')!.uidValidity
    const dir = store.userPath('joe')
    store.close()
    for (const f of ['store.idx', 'store.idx-wal', 'store.idx-shm']) fs.rmSync(path.join(dir, f), { force: true })
    fs.rmSync(path.join(root, 'store', 'mboxlist'), { recursive: true, force: true })
    store = openStore({ dataRoot: root, config: staticConfigView({}) })
    cleanups.push(() => store.close())
    const rep = await store.reconstruct('*')
    expect(rep.recoveredMailboxes).toEqual(expect.arrayContaining(['user/joe/Work/Reports', 'user/joe/INBOX']))
    const s2 = store.session('joe')
    expect(s2.get('Work/Reports')!.uidValidity).toBe(uv)
    const v = s2.open('Work/Reports')
    expect(Array.from(v.uids())).toEqual([1, 2, 3])
    expect(v.meta(2)!.envelope.subject).toBe('r2')
    v.close()
    expect((await s2.append('Work/Reports', msg('r4'))).uid).toBe(4)
    expect(store.listUsers()).toEqual(['joe'])
  })
})

function runWorker(root: string, user: string, count: number, mode: string, tag: string) {
  // node --import tsx (not the tsx CLI, which forks a grandchild that a SIGKILL would not reach).
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, root, user, String(count), mode, tag], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] })
  const acked: number[] = []
  let buf = ''
  let err = ''
  child.stdout.on('data', (d) => {
    buf += d
    let nl
    while ((nl = buf.indexOf('\n')) !== -1) { const line = buf.slice(0, nl); buf = buf.slice(nl + 1); if (line.startsWith('ok ')) acked.push(Number(line.slice(3))) }
  })
  child.stderr.on('data', (d) => { err += d })
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  cleanups.push(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  return { child, acked, done, stderr: () => err }
}

async function waitFor(cond: () => boolean, ms = 30000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('multi-process safety', () => {
  it('two processes appending concurrently never share a UID', async () => {
    const root = tempRoot()
    cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }))
    const pre = openStore({ dataRoot: root, config: staticConfigView({}) })
    pre.ensureUser('joe')
    pre.close()
    const a = runWorker(root, 'joe', 60, 'append', 'A')
    const b = runWorker(root, 'joe', 20, 'deliver', 'B')
    expect(await a.done).toBe(0)
    expect(await b.done).toBe(0)
    const all = [...a.acked, ...b.acked]
    expect(all).toHaveLength(120)
    expect(new Set(all).size).toBe(120)
    const store = openStore({ dataRoot: root, config: staticConfigView({}) })
    cleanups.push(() => store.close())
    const v = store.session('joe').open('INBOX')
    expect(Array.from(v.uids())).toEqual(all.sort((x, y) => x - y))
    v.close()
  }, 90_000)

  it('SIGKILL during heavy appends: every acknowledged message survives, index and quota consistent', async () => {
    const root = tempRoot()
    cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }))
    const pre = openStore({ dataRoot: root, config: staticConfigView({}) })
    pre.ensureUser('joe')
    pre.close()
    const a = runWorker(root, 'joe', 0, 'append', 'A')
    const b = runWorker(root, 'joe', 0, 'deliver', 'B')
    await waitFor(() => a.acked.length >= 40 && b.acked.length >= 40)
    a.child.kill('SIGKILL')
    b.child.kill('SIGKILL')
    await Promise.all([a.done, b.done])
    const store = openStore({ dataRoot: root, config: staticConfigView({}) })
    cleanups.push(() => store.close())
    const udb = store.db('joe')!
    expect(udb.db.pragma('integrity_check', { simple: true })).toBe('ok')
    const v = store.session('joe').open('INBOX')
    const uids = new Set(v.uids())
    for (const u of [...a.acked, ...b.acked]) expect(uids.has(u)).toBe(true)
    // Every indexed message has its complete file.
    let bytes = 0
    for (const u of uids) {
      const m = v.meta(u)!
      expect(fs.statSync(v.filePath(u)).size).toBe(m.size)
      expect((await v.read(u)).toString()).toMatch(/\r\n$/)
      bytes += m.size
    }
    const rep = await store.quotaReport('joe')
    expect(rep.diskUsed).toBe(bytes)
    expect(rep.msgUsed).toBe(uids.size)
    // reconstruct finds nothing to fix in the index (at most an unacknowledged partial file to remove).
    const r = await store.reconstruct('joe')
    expect(r.missingFiles).toEqual([])
    expect(r.quotaFixed).toBe(false)
    expect(r.orphanFiles.every((o) => o.uid >= v.refresh().uidNext)).toBe(true)
    v.close()
  }, 90_000)
})
