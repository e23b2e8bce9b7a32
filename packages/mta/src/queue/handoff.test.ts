// The dispatcher → job controller hand-off (handoff.ts, D28) over a real Unix socket, with a real
// commit journal and index: nothing handed off is ever lost, and the journal's high-water mark
// never passes an entry that is neither delivered nor indexed.
import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { QueueStore } from './queue-store.js'
import { QueueIndex } from './index-db.js'
import { HandoffServer, handoffSocketPath, type HandedOffEntry, type HandoffPeer } from './handoff.js'

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now()
  while (!cond()) { if (Date.now() - t0 > ms) throw new Error('timed out'); await new Promise((r) => setTimeout(r, 5)) }
}

const roots: string[] = []
const cleanups: Array<() => unknown> = []
const scratch = () => { const d = mkdtempSync(join(tmpdir(), 'wren-ho-')); roots.push(d); return d }
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
  for (const d of roots.splice(0)) rmSync(d, { recursive: true, force: true })
})

const split = (channel: string, to = ['joe@example.org']) => ({ channel, sourceChannel: 'tcp_local', from: 'a@remote.test', created: Date.now(), recipients: to.map((t) => ({ to: t, origTo: t })) })

async function accept(q: QueueStore, n: number, splits = [split('ims-ms')], bodyBytes = 10): Promise<string[]> {
  const m = await q.begin()
  await q.write(m, Buffer.from(`Subject: m${n}\r\n\r\nbody ${n} ${'x'.repeat(bodyBytes)}\r\n`))
  return q.commit(m, splits)
}

/** A stand-in job controller: takes `channels`, records what it is handed, settles on demand. */
async function fakeJobController(dataRoot: string, channels = ['ims-ms']) {
  const got: Array<{ e: HandedOffEntry; peer: HandoffPeer }> = []
  const server = new HandoffServer(handoffSocketPath(dataRoot), {
    channels: () => channels,
    fresh: (entries, peer) => { for (const e of entries) got.push({ e, peer }) },
    closed: () => {},
  })
  expect(await server.listen()).toBe(true)
  cleanups.push(() => server.close())
  return { server, got, settle: (keys: string[]) => { for (const g of got) if (keys.includes(g.e.key)) g.peer.settle([g.e.key]) } }
}

/** A journal-owning queue (the dispatcher's) with the hand-off attached and connected. */
async function dispatcherQueue(dataRoot: string) {
  const q = new QueueStore({ dataRoot, journal: true })
  cleanups.push(() => q.close())
  q.attachHandoff(handoffSocketPath(dataRoot))
  return q
}

const hw = (q: QueueStore) => Math.max(0, ...q.index.segments().map((s) => s.hw))

describe('hand-off to the job controller (D28)', () => {
  it('an entry of a taken channel is handed over, not indexed; the high-water mark waits for its settlement', async () => {
    const d = scratch()
    const jc = await fakeJobController(d)
    const q = await dispatcherQueue(d)
    await until(() => q.handsOff('ims-ms'))
    const [key] = await accept(q, 1)
    await until(() => jc.got.length === 1)
    expect(jc.got[0].e.key).toBe(key)
    expect(jc.got[0].e.env.recipients[0].to).toBe('joe@example.org')
    expect(q.index.get(key)).toBeUndefined()
    expect(q.pendingCount()).toBe(1)
    expect(hw(q)).toBe(0) // a crash now re-indexes it from the journal
    jc.settle([key])
    await until(() => hw(q) > 0)
    expect(q.pendingCount()).toBe(0)
    expect(q.handoffStats).toEqual({ handedOff: 1, settled: 1, orphaned: 0 })
  })

  it('a message split over a taken and another channel: one entry handed off, the other indexed', async () => {
    const d = scratch()
    const jc = await fakeJobController(d)
    const q = await dispatcherQueue(d)
    await until(() => q.handsOff('ims-ms'))
    const [local, remote] = await accept(q, 2, [split('ims-ms'), split('tcp_local', ['x@remote.test'])])
    await until(() => jc.got.length === 1)
    expect(jc.got[0].e.key).toBe(local)
    await until(() => q.index.get(remote) !== undefined)
    expect(q.index.get(local)).toBeUndefined()
    expect(hw(q)).toBe(0)
    jc.settle([local])
    await until(() => hw(q) > 0)
  })

  it('the job controller going away: what it did not settle is indexed by the dispatcher', async () => {
    const d = scratch()
    const jc = await fakeJobController(d)
    const q = await dispatcherQueue(d)
    await until(() => q.handsOff('ims-ms'))
    const keys = (await Promise.all([1, 2, 3].map((n) => accept(q, n)))).flat()
    await until(() => jc.got.length === 3)
    jc.settle([keys[0]])
    await until(() => q.handoffStats.settled === 1)
    await jc.server.close()
    await until(() => q.index.get(keys[1]) !== undefined && q.index.get(keys[2]) !== undefined)
    expect(q.index.get(keys[0])).toBeUndefined() // delivered: never indexed
    const row = q.index.get(keys[1])!
    expect(row.seg).toBeTruthy()
    expect(row.attempts).toBe(0)
    expect(q.handoffStats.orphaned).toBe(2)
    await until(() => hw(q) > 0)
    expect(q.pendingCount()).toBe(2) // now ordinary queue entries
  })

  it('without a job controller, or for a channel it does not take, entries are indexed as before', async () => {
    const d = scratch()
    const q = await dispatcherQueue(d)
    const [a] = await accept(q, 1)
    expect(q.index.get(a)).toBeDefined()
    const jc = await fakeJobController(d, ['other'])
    await new Promise((r) => setTimeout(r, 1200)) // the dispatcher reconnects within a second
    expect(q.handsOff('ims-ms')).toBe(false)
    const [b] = await accept(q, 2)
    expect(q.index.get(b)).toBeDefined()
    expect(jc.got).toHaveLength(0)
  })

  it('a segment whose entries were all delivered through the hand-off is deleted once sealed', async () => {
    const d = scratch()
    const jc = await fakeJobController(d)
    const q = new QueueStore({ dataRoot: d, journal: { segmentBytes: 8192 } })
    cleanups.push(() => q.close())
    q.attachHandoff(handoffSocketPath(d))
    await until(() => q.handsOff('ims-ms'))
    const jnl = () => readdirSync(join(d, 'queue', '.journal')).filter((f) => f.endsWith('.jnl'))
    // (settled only after all were accepted: the segments are sealed when their last batch settles)
    const keys: string[] = []
    for (let g = 0; g < 10; g++) keys.push(...(await Promise.all([0, 1, 2, 3].map((n) => accept(q, g * 4 + n, undefined, 1500)))).flat())
    await until(() => jc.got.length === 40)
    expect(jnl().length).toBeGreaterThan(2)
    jc.settle(keys)
    await until(() => q.handoffStats.settled === 40)
    // every rotated-away segment goes; what is left is the one being appended to (and the next one, prepared)
    await until(() => jnl().length <= 2)
    await until(() => q.index.segments().every((s) => !s.sealed)) // (a segment's row goes after its file)
  })

  it('a crash before settlement: the next start re-indexes the handed-off entry from the journal', async () => {
    const d = scratch()
    const jc = await fakeJobController(d)
    const q = new QueueStore({ dataRoot: d, journal: true })
    q.attachHandoff(handoffSocketPath(d))
    await until(() => q.handsOff('ims-ms'))
    const [key] = await accept(q, 1)
    await until(() => jc.got.length === 1)
    expect(hw(q)).toBe(0)
    q.close() // (a clean stop indexes what is outstanding…)
    // …a crash does not: the record in the journal, no row, the mark below it
    const idx = new QueueIndex(join(d, 'db', 'queue-index.sqlite'))
    expect(idx.get(key)?.seg).toBeTruthy()
    idx.remove([key])
    idx.close()
    const again = new QueueStore({ dataRoot: d, journal: true })
    cleanups.push(() => again.close())
    await again.reconcile()
    const row = again.index.get(key)
    expect(row?.seg).toBeTruthy()
    expect(again.pendingCount()).toBe(1)
  })
})
