import { afterEach, describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { QueueStore } from './queue-store.js'
import { attemptPrefix, attemptsFromPrefix, parseQueueName, queueFileName } from './names.js'
import { readEnvelope } from './format.js'
import { holdMatching, releaseMatching, retryMatching } from './operations.js'

const roots: string[] = []
const open = () => { const d = mkdtempSync(join(tmpdir(), 'wren-q-')); roots.push(d); return { d, q: new QueueStore({ dataRoot: d }) } }
afterEach(() => { for (const d of roots.splice(0)) rmSync(d, { recursive: true, force: true }) })

const split = (channel: string, to: string[], from = 'a@remote.test') => ({
  channel, sourceChannel: 'tcp_local', from, created: Date.now(), recipients: to.map((t) => ({ to: t, origTo: t })),
})

describe('queue file names (spec 01 §9)', () => {
  it('ZZ untried, ZY second attempt, ZX third', () => {
    expect(attemptPrefix(0)).toBe('ZZ')
    expect(attemptPrefix(1)).toBe('ZY')
    expect(attemptPrefix(2)).toBe('ZX')
    expect(attemptPrefix(26)).toBe('YZ')
    for (const n of [0, 1, 2, 25, 26, 100]) expect(attemptsFromPrefix(attemptPrefix(n))).toBe(n)
    expect(parseQueueName('ZX0abc.01.HELD')).toEqual({ key: '0abc.01', attempts: 2, held: true })
    expect(parseQueueName('junk.txt')).toBeUndefined()
    expect(queueFileName('0abc.01', 1, false)).toBe('ZY0abc.01')
  })
})

describe('QueueStore', () => {
  it('one durable entry per destination channel, envelope in the trailer, message bytes first', async () => {
    const { d, q } = open()
    const body = Buffer.from('Subject: t\r\n\r\nhello\r\n')
    const keys = await q.enqueueBuffer(body, [split('ims-ms', ['joe@example.org']), split('tcp_local', ['x@remote.test', 'y@remote.test'])])
    expect(keys).toHaveLength(2)
    expect(readdirSync(join(d, 'queue', 'ims-ms'))).toEqual([`ZZ${keys[0]}`])
    const row = q.index.get(keys[1])!
    const env = await readEnvelope(q.pathOf(row))
    expect(env.recipients.map((r) => r.to)).toEqual(['x@remote.test', 'y@remote.test'])
    expect(env.size).toBe(body.length)
    expect(q.index.count({ domain: 'remote.test' })).toBe(1)
    expect(q.index.count({ recipient: '*@example.org' })).toBe(1)
    expect(q.index.count({ sender: 'a@remote.test' })).toBe(2)
    // `qm dir -to=@domain` / `-from=@domain` (docs/admin/mta.md)
    expect(q.index.count({ recipient: '@remote.test' })).toBe(1)
    expect(q.index.count({ recipient: '@REMOTE.test' })).toBe(1)
    expect(q.index.count({ recipient: '@elsewhere.test' })).toBe(0)
    expect(q.index.count({ sender: '@remote.test' })).toBe(2)
    q.close()
  })

  it('requeue renames ZZ→ZY and rewrites only the remaining recipients', async () => {
    const { q } = open()
    const [key] = await q.enqueueBuffer(Buffer.from('x\r\n'), [split('tcp_local', ['a@r.test', 'b@r.test'])])
    let row = q.index.claimDue('tcp_local', 10)[0]
    const env = await q.envelope(row)
    q.index.markDone(key, [0])
    row = { ...(await q.requeue(row, env, [1], Date.now() - 1, '450 busy')) }
    expect(q.pathOf(q.index.get(key)!)).toMatch(/ZY[^/]+$/)
    const env2 = await q.envelope(q.index.get(key)!)
    expect(env2.recipients.map((r) => r.to)).toEqual(['b@r.test'])
    expect(q.index.get(key)!.last_error).toBe('450 busy')
    q.close()
  })

  it('reconcile: the files are the truth (index lost, stray files, duplicates after a crash)', async () => {
    const { d, q } = open()
    const keys = await q.enqueueBuffer(Buffer.from('x\r\n'), [split('ims-ms', ['joe@example.org'])])
    const keys2 = await q.enqueueBuffer(Buffer.from('y\r\n'), [split('tcp_local', ['a@r.test'])])
    q.index.remove([...keys, ...keys2]) // index lost
    const dir = join(d, 'queue', 'tcp_local')
    // a crash in the middle of a rewrite leaves ZZ and ZY for one key: the later attempt wins
    const zz = join(dir, `ZZ${keys2[0]}`)
    writeFileSync(join(dir, `ZY${keys2[0]}`), (await import('node:fs')).readFileSync(zz))
    writeFileSync(join(dir, 'ZZbroken.01'), 'not a queue file')
    const r = await q.reconcile()
    expect(r.added).toBe(2)
    expect(q.index.get(keys2[0])!.attempts).toBe(1)
    expect(existsSync(zz)).toBe(false)
    expect(existsSync(join(dir, 'ZZbroken.01.HELD'))).toBe(true)
    // a file renamed by hand to .HELD is seen as held
    renameSync(join(d, 'queue', 'ims-ms', `ZZ${keys[0]}`), join(d, 'queue', 'ims-ms', `ZZ${keys[0]}.HELD`))
    expect((await q.reconcile()).fixed).toBe(1)
    expect(q.index.get(keys[0])!.held).toBe(1)
    q.close()
  })

  it('bulk hold / release / retry by filter skip entries being delivered', async () => {
    const { d, q } = open()
    for (let i = 0; i < 5; i++) await q.enqueueBuffer(Buffer.from('x\r\n'), [split('tcp_local', [`u${i}@r.test`], i % 2 ? 'odd@s.test' : 'even@s.test')])
    const active = q.index.claimDue('tcp_local', 1) // the job controller holds one
    const res = await holdMatching(q, { sender: 'even@s.test' })
    expect(res.changed + res.skipped).toBe(3)
    expect(res.skipped).toBe(active[0].sender === 'even@s.test' ? 1 : 0)
    expect(readdirSync(join(d, 'queue', 'tcp_local')).filter((f) => f.endsWith('.HELD'))).toHaveLength(res.changed)
    expect(q.index.count({ held: true })).toBe(res.changed)
    expect((await releaseMatching(q, { channel: 'tcp_local' })).changed).toBe(res.changed)
    expect(q.index.count({ held: true })).toBe(0)
    expect((await retryMatching(q, {})).changed).toBe(4)
    q.close()
  })
})
