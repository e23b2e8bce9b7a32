import { afterEach, describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GroupCommitter } from './group-commit.js'
import { QueueStore } from './queue-store.js'

const roots: string[] = []
const scratch = () => { const d = mkdtempSync(join(tmpdir(), 'wren-gc-')); roots.push(d); return d }
afterEach(() => { for (const d of roots.splice(0)) rmSync(d, { recursive: true, force: true }) })

const split = (to: string) => ({ channel: 'ims-ms', sourceChannel: 'tcp_local', from: 'a@remote.test', created: Date.now(), recipients: [{ to, origTo: to }] })

describe('GroupCommitter', () => {
  it('commits concurrent sessions in one batch: files in place, then every `after` inside one transaction', async () => {
    const d = scratch()
    const calls: string[] = []
    const gc = new GroupCommitter((fn) => { calls.push('begin'); fn(); calls.push('commit') })
    const item = async (n: number) => {
      const tmpPath = join(d, `tmp${n}`)
      const fh = await open(tmpPath, 'w')
      await fh.write(Buffer.from(`message ${n}`))
      return { fh, tmpPath, finalPath: join(d, `final${n}`), finalDir: d }
    }
    const items = await Promise.all([1, 2, 3].map(item))
    await Promise.all(items.map((it, i) => gc.commit([it], () => {
      // the file is in place (renamed, data and directory synced) before its index row is written
      expect(readFileSync(it.finalPath, 'utf8')).toBe(`message ${i + 1}`)
      calls.push(`after${i + 1}`)
    })))
    expect(calls).toEqual(['begin', 'after1', 'after2', 'after3', 'commit'])
    expect(gc.stats).toMatchObject({ batches: 1, messages: 3 })
    for (const it of items) expect(existsSync(it.tmpPath)).toBe(false)
    await gc.close()
  })

  it('a failing `after` rejects only its own session; a failing transaction rejects the whole batch', async () => {
    const d = scratch()
    const mk = async (n: number) => { const tmpPath = join(d, `t${n}`); return { fh: await open(tmpPath, 'w'), tmpPath, finalPath: join(d, `f${n}`), finalDir: d } }
    const gc = new GroupCommitter()
    const [a, b] = await Promise.all([mk(1), mk(2)])
    const r = await Promise.allSettled([gc.commit([a], () => { throw new Error('index full') }), gc.commit([b], () => {})])
    expect(r.map((x) => x.status)).toEqual(['rejected', 'fulfilled'])
    // the refused session leaves no deliverable queue file; the other one is in place
    expect(existsSync(a.finalPath)).toBe(false)
    expect(existsSync(b.finalPath)).toBe(true)
    const failing = new GroupCommitter(() => { throw new Error('SQLITE_FULL') })
    const c = await mk(3)
    await expect(failing.commit([c], () => {})).rejects.toThrow('SQLITE_FULL')
    expect(existsSync(c.finalPath)).toBe(false)
    await gc.close(); await failing.close()
  })
})

describe('QueueStore batch paths of the job controller', () => {
  it('doneSets / markDoneMany / completeMany', async () => {
    const d = scratch()
    const q = new QueueStore({ dataRoot: d })
    const keys = await Promise.all(['a', 'b', 'c'].map(async (u) => (await q.enqueueBuffer(Buffer.from(`Subject: ${u}\r\n\r\nx\r\n`), [{ ...split(`${u}@example.org`), recipients: [{ to: `${u}@example.org`, origTo: `${u}@example.org` }, { to: `${u}2@example.org`, origTo: `${u}2@example.org` }] }]))[0]))
    q.index.markDoneMany([{ key: keys[0], idxs: [0, 1] }, { key: keys[1], idxs: [1] }, { key: keys[2], idxs: [] }])
    const done = q.index.doneSets(keys)
    expect([...done.get(keys[0])!].sort()).toEqual([0, 1])
    expect([...done.get(keys[1])!]).toEqual([1])
    expect(done.has(keys[2])).toBe(false)
    const rows = keys.slice(0, 2).map((k) => q.index.get(k)!)
    await q.completeMany(rows)
    for (const r of rows) expect(existsSync(q.pathOf(r))).toBe(false)
    expect(q.index.count()).toBe(1)
    q.close()
  })
})
