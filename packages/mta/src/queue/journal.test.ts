import { afterEach, describe, expect, it } from 'vitest'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { QueueStore } from './queue-store.js'
import { readEnvelope } from './format.js'
import { locate, readMessagePrefix } from './message-ref.js'
import { QueueIndex } from './index-db.js'
import { CommitJournal, encodeRecord } from './journal.js'

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now()
  while (!cond()) { if (Date.now() - t0 > ms) throw new Error('timed out'); await new Promise((r) => setTimeout(r, 10)) }
}

const roots: string[] = []
const scratch = () => { const d = mkdtempSync(join(tmpdir(), 'wren-j-')); roots.push(d); return d }
afterEach(() => { for (const d of roots.splice(0)) rmSync(d, { recursive: true, force: true }) })

const split = (channel: string, to: string[]) => ({ channel, sourceChannel: 'tcp_local', from: 'a@remote.test', created: Date.now(), recipients: to.map((t) => ({ to: t, origTo: t })) })
const journalStore = (d: string, segmentBytes = 1 << 20) => new QueueStore({ dataRoot: d, journal: { segmentBytes } })
const body = (n: number) => Buffer.from(`Subject: m${n}\r\n\r\n${'x'.repeat(200)} ${n}\r\n`)

/** Accepts a message the way the dispatcher does: begin, write the bytes, commit. */
async function accept(q: QueueStore, b: Buffer, splits = [split('ims-ms', ['joe@example.org'])]): Promise<string[]> {
  const m = await q.begin()
  await q.write(m, b)
  return q.commit(m, splits)
}

const segmentFiles = (d: string) => readdirSync(join(d, 'queue', '.journal')).filter((f) => f.endsWith('.jnl'))

describe('commit journal (D26)', () => {
  it('small messages go to a journal segment, not to queue files, and read back byte for byte', async () => {
    const d = scratch()
    const q = journalStore(d)
    const keys = await Promise.all([1, 2, 3].map((n) => accept(q, body(n), [split('ims-ms', ['joe@example.org']), split('tcp_local', ['x@remote.test'])])))
    expect(existsSync(join(d, 'queue', 'ims-ms')) ? readdirSync(join(d, 'queue', 'ims-ms')) : []).toEqual([])
    expect(segmentFiles(d)).toHaveLength(1)
    for (const [i, [k1, k2]] of keys.entries()) {
      for (const k of [k1, k2]) {
        const row = q.index.get(k)!
        expect(row.seg).toBeTruthy()
        expect(locate(q.pathOf(row)).path).toMatch(/\.journal\/.+\.jnl$/)
        const env = await q.envelope(row)
        expect((await readMessagePrefix(q.pathOf(row), env.size)).equals(body(i + 1))).toBe(true)
      }
      expect(q.index.get(k2)!.channel).toBe('tcp_local')
    }
    q.close()
  })

  it('a message larger than journalMaxBytes streams to an ordinary queue file', async () => {
    const d = scratch()
    const q = new QueueStore({ dataRoot: d, journal: { journalMaxBytes: 1024 } })
    const big = Buffer.alloc(4096, 'y')
    const [key] = await accept(q, big)
    const row = q.index.get(key)!
    expect(row.seg).toBeNull()
    expect((await readEnvelope(q.pathOf(row))).size).toBe(4096)
    q.close()
  })

  it('completed entries free their segment: a sealed segment nothing refers to is deleted', async () => {
    const d = scratch()
    const q = journalStore(d, 8192) // a few records per segment: rotation every couple of batches
    const keys: string[] = []
    for (let n = 0; n < 12; n++) keys.push(...await accept(q, body(n)))
    expect(q.index.segments().length).toBeGreaterThan(2)
    const rows = q.index.claimDue('ims-ms', 100)
    expect(rows).toHaveLength(12)
    await q.completeMany(rows)
    // only the segment still being appended to remains (and the one prepared next, if any)
    const left = q.index.segments()
    expect(left.filter((s) => s.sealed)).toEqual([])
    expect(segmentFiles(d).length).toBe(left.length)
    q.close()
  })

  it('concurrent sessions across segment rotations: every message reads back, nothing overlaps', async () => {
    const d = scratch()
    const q = journalStore(d, 8192)
    const keys = (await Promise.all(Array.from({ length: 60 }, (_, n) => accept(q, body(n))))).map((k) => k[0])
    for (const [n, k] of keys.entries()) {
      const row = q.index.get(k)!
      expect((await readMessagePrefix(q.pathOf(row), row.size)).equals(body(n))).toBe(true)
    }
    await q.completeMany(q.index.claimDue('ims-ms', 100))
    expect(q.index.segments().filter((s) => s.sealed)).toEqual([])
    q.close()
  })

  it('after a crash, records the index lost are re-indexed; completed ones are not resurrected', async () => {
    const d = scratch()
    const q = journalStore(d)
    // batch A (messages 1, 2), then batch B (3, 4)
    const keys = (await Promise.all([1, 2].map((n) => accept(q, body(n))))).flat()
    const hwAfterA = q.index.segments()[0].hw
    keys.push(...(await Promise.all([3, 4].map((n) => accept(q, body(n))))).flat())
    expect(q.index.segments()[0].hw).toBeGreaterThan(hwAfterA)
    // message 1 was delivered and completed before the crash
    await q.complete(q.index.get(keys[0])!)
    // the crash loses batch B's index transaction: its rows and the mark it raised
    q.index.remove([keys[2], keys[3]])
    q.index.db.prepare('UPDATE journal_segment SET hw = ?').run(hwAfterA)
    q.close()

    const q2 = journalStore(d)
    const r = await q2.reconcile({ cleanIncoming: true })
    expect(r.added).toBe(2)
    expect(q2.index.get(keys[0])).toBeUndefined() // delivered: stays gone
    for (const [i, k] of keys.entries()) {
      if (i === 0) continue
      const row = q2.index.get(k)!
      const env = await q2.envelope(row)
      expect((await readMessagePrefix(q2.pathOf(row), env.size)).equals(body(i + 1))).toBe(true)
    }
    // the old segment is sealed (appends go to a new one) and a second reconcile finds nothing more
    expect(q2.index.segments().every((s) => s.sealed)).toBe(true)
    expect((await q2.reconcile()).added).toBe(0)
    q2.close()
  })

  it('a torn batch is skipped without losing a complete batch written after it', async () => {
    const d = scratch()
    const q = journalStore(d)
    const [k1] = await accept(q, body(1)) // batch 1
    const [k2] = await accept(q, body(2)) // batch 2, on the next 4 KB boundary
    const off1 = q.index.get(k1)!.seg_off!, off2 = q.index.get(k2)!.seg_off!
    expect(Math.floor(off2 / 4096)).toBeGreaterThan(Math.floor(off1 / 4096))
    const seg = join(d, 'queue', '.journal', segmentFiles(d)[0])
    q.index.remove([k1, k2])
    q.index.db.prepare('UPDATE journal_segment SET hw = 0').run()
    q.close()
    // tear batch 1: flip a byte of its message
    const data = readFileSync(seg)
    data[off1 + 5] ^= 0xff
    writeFileSync(seg, data)
    const q2 = journalStore(d)
    await q2.reconcile({ cleanIncoming: true })
    expect(q2.index.get(k1)).toBeUndefined()
    expect(q2.index.get(k2)).toBeDefined()
    q2.close()
  })

  it('a retry gives the entry its own queue file (ZY…), with the envelope trailer the tools read', async () => {
    const d = scratch()
    const q = journalStore(d)
    const [key] = await accept(q, body(7), [split('tcp_local', ['a@r.test', 'b@r.test'])])
    const row = q.index.claimDue('tcp_local', 10)[0]
    const env = await q.envelope(row)
    q.index.markDone(key, [0])
    await q.requeue(row, env, [1], Date.now() + 60_000, '450 busy')
    const after = q.index.get(key)!
    expect(after.seg).toBeNull()
    expect(q.pathOf(after)).toMatch(/queue\/tcp_local\/ZY[^/]+$/)
    const env2 = await readEnvelope(q.pathOf(after))
    expect(env2.recipients.map((r) => r.to)).toEqual(['b@r.test'])
    expect((await readMessagePrefix(q.pathOf(after), env2.size)).equals(body(7))).toBe(true)
    q.close()
  })

  it('hold and release act on a queue file; a reader process (no journal) can do it too', async () => {
    const d = scratch()
    const q = journalStore(d)
    const [key] = await accept(q, body(8))
    const reader = new QueueStore({ dataRoot: d })
    await reader.hold(reader.index.get(key)!, 'held by operator')
    expect(readdirSync(join(d, 'queue', 'ims-ms'))).toEqual([`ZZ${key}.HELD`])
    await reader.release(reader.index.get(key)!)
    expect(readdirSync(join(d, 'queue', 'ims-ms'))).toEqual([`ZZ${key}`])
    const row = reader.index.get(key)!
    expect((await readMessagePrefix(reader.pathOf(row), row.size)).equals(body(8))).toBe(true)
    reader.close(); q.close()
  })
})

describe('journaled messages are answered before they are indexed', () => {
  it('commit resolves once the record is on disk, even while another process holds the index lock; the rows follow', async () => {
    const d = scratch()
    const q = journalStore(d)
    await accept(q, body(0)) // the segment exists
    const other = new QueueIndex(join(d, 'db', 'queue-index.sqlite'))
    other.db.prepare('BEGIN IMMEDIATE').run() // the job controller's write transaction
    const seen: string[][] = []
    const m = await q.begin()
    await q.write(m, body(1))
    const keys = await q.commit(m, [split('ims-ms', ['joe@example.org'])], { indexed: (k) => seen.push(k) })
    // acknowledged (250) while the lock is held: the bytes are in the journal, the row is not yet
    expect(q.index.get(keys[0])).toBeUndefined()
    expect(seen).toEqual([])
    other.db.prepare('COMMIT').run()
    await until(() => seen.length === 1)
    expect(seen[0]).toEqual(keys)
    expect(q.index.get(keys[0])?.seg).toBeTruthy()
    other.close(); q.close()
  })

  it('a crash between the answer and the index transaction loses nothing: the next start indexes it once', async () => {
    const d = scratch()
    const q = journalStore(d)
    await accept(q, body(0))
    const other = new QueueIndex(join(d, 'db', 'queue-index.sqlite'))
    other.db.prepare('BEGIN IMMEDIATE').run()
    const m = await q.begin()
    await q.write(m, body(1))
    const [key] = await q.commit(m, [split('ims-ms', ['joe@example.org'])])
    q.close() // "crash": the index transaction never ran
    other.db.prepare('COMMIT').run(); other.close()
    const q2 = journalStore(d)
    expect(q2.index.get(key)).toBeUndefined()
    expect((await q2.reconcile({ cleanIncoming: true })).added).toBe(1)
    const row = q2.index.get(key)!
    expect((await readMessagePrefix(q2.pathOf(row), (await q2.envelope(row)).size)).equals(body(1))).toBe(true)
    expect((await q2.reconcile()).added).toBe(0)
    q2.close()
  })

  it('the high-water mark never passes a batch that is not indexed yet (batches indexed out of order)', async () => {
    const d = scratch()
    const index = new QueueIndex(join(d, 'db', 'queue-index.sqlite'))
    mkdirSync(join(d, 'queue', '.journal'), { recursive: true })
    const j = new CommitJournal(join(d, 'queue'), index, index, 1 << 20)
    const rec = (n: number) => encodeRecord([{ key: `k${n}`, dir: '', env: { ...split('ims-ms', ['joe@example.org']), id: `m${n}`, size: 10 } }], body(n))
    const a = await j.place([rec(1)])
    const b = await j.place([rec(2)])
    expect(b.at).toBeGreaterThan(a.at)
    const hw = () => index.segments().find((s) => s.name === a.seg.name)!.hw
    j.indexed(b.seg, b.at) // B first: A is still in flight
    expect(hw()).toBe(0)
    j.indexed(a.seg, a.at)
    expect(hw()).toBe(b.at + b.buf.length)
    await j.close(); index.close()
  })
})

describe('index WAL checkpoints', () => {
  it('the journal owner leaves checkpoints to the process that asks for them (the job controller)', async () => {
    const d = scratch()
    const owner = journalStore(d)
    const dbBytes = () => readFileSync(join(d, 'db', 'queue-index.sqlite')).length
    expect(owner.index.db.pragma('wal_autocheckpoint', { simple: true })).toBe(16384)
    const before = dbBytes()
    for (let i = 0; i < 300; i++) await accept(owner, body(i))
    // The owner's commits stay in the WAL: its own event loop never copies them.
    expect(dbBytes()).toBe(before)
    const jobs = new QueueStore({ dataRoot: d, checkpointEveryMs: 50 })
    try {
      expect(jobs.index.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000)
      await new Promise((r) => setTimeout(r, 300))
      // The other process's timer copied them into the database file.
      expect(dbBytes()).toBeGreaterThan(before)
      expect(jobs.index.count({})).toBe(300)
    } finally { jobs.close(); owner.close() }
  })
})
