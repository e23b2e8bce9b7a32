// queue.* and logs.* over a real queue (files + SQLite index written by the MTA's QueueStore) and a
// real mail.log written by the MTA's writer; the ports are the ones the daemon uses (queue-port.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { TRPCError } from '@trpc/server'
import { staticConfigView } from '@wren/kernel'
import { QueueStore } from '@wren/mta/queue/queue-store'
import { explainPage } from '@wren/mta/queue/browse'
import { openMailLog } from '@wren/mta/maillog/writer'
import { openTestApi, type TestApi } from './testing.js'
import { openMailLogPort, openQueuePort } from './queue-port.js'

async function codeOf(p: Promise<unknown>): Promise<string> {
  try { await p; return 'ok' } catch (err) { return err instanceof TRPCError ? err.code : String(err) }
}

const body = (subject: string) => Buffer.from(`From: a@x\r\nTo: b@y\r\nSubject: ${subject}\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\nMessage-ID: <${subject.replace(/\W/g, '')}@x>\r\n\r\nsecret body text\r\n`)

describe('queue and logs routers', () => {
  let api: TestApi
  let mta: QueueStore
  const keys: Record<string, string> = {}
  const t0 = Date.now() - 3600_000

  beforeAll(async () => {
    api = await openTestApi()
    const actor = { actor: 'setup', source: 'cli' }
    await api.deps.directory.createDomain({ name: 'one.test', aliases: ['uno.test'] }, actor)
    await api.deps.directory.createDomain({ name: 'two.test' }, actor)
    const config = () => staticConfigView({ 'base.hostname': 'mx.test', 'base.defaultdomain': 'one.test' })
    api.deps.queue = openQueuePort({ dataRoot: api.dataRoot, config, directory: api.deps.directory, hostname: 'mx.test' })
    api.deps.mailLog = openMailLogPort({ dataRoot: api.dataRoot, config })
    // The MTA's own writer of queue entries (another process in the daemon: the dispatcher).
    mta = new QueueStore({ dataRoot: api.dataRoot })
    const add = async (name: string, channel: string, from: string, to: string[], age: number) => {
      const [k] = await mta.enqueueBuffer(body(name), [{ channel, sourceChannel: 'tcp_local', from, created: t0 + age * 1000, messageId: `<${name}@x>`, recipients: to.map((t) => ({ to: t, origTo: t, ...(t.startsWith('n') ? { orcpt: `rfc822;${t}`, notify: ['FAILURE'] } : {}) })) }])
      keys[name] = k!
    }
    await add('out1', 'tcp_local', 'amy@one.test', ['x@remote.example'], 1) // their user's outbound mail
    await add('in1', 'tcp_local', 'ext@remote.example', ['ned@uno.test', 'ann@two.test'], 2) // alias of one.test + two.test
    await add('two1', 'tcp_local', 'dora@two.test', ['y@remote.example'], 3)
    await add('two2', 'ims-ms', 'ext@remote.example', ['dora@two.test'], 4)
    await add('null1', 'tcp_local', '', ['z@remote.example'], 5)
    // one.test: out1, in1; two.test: in1, two1, two2
  })
  afterAll(async () => { mta?.close(); api.deps.queue?.close(); await api?.close() })

  it('lists by age with cursor pages and filters, sums channels, counts exactly', async () => {
    const root = await api.as('root', 'global')
    const p1 = await root.queue.list({ limit: 2 })
    expect(p1.items.map((e) => e.key)).toEqual([keys.out1, keys.in1])
    expect(p1.total).toBe(5)
    const p2 = await root.queue.list({ limit: 2, cursor: p1.nextCursor })
    expect(p2.items.map((e) => e.key)).toEqual([keys.two1, keys.two2])
    const p3 = await root.queue.list({ limit: 2, cursor: p2.nextCursor })
    expect(p3.items.map((e) => e.key)).toEqual([keys.null1])
    expect(p3.nextCursor).toBeUndefined()
    expect((await root.queue.list({ order: 'newest', limit: 1 })).items[0]!.key).toBe(keys.null1)
    expect((await root.queue.list({ filter: { channel: 'ims-ms' } })).items.map((e) => e.key)).toEqual([keys.two2])
    expect((await root.queue.list({ filter: { sender: '*@two.test' } })).items.map((e) => e.key)).toEqual([keys.two1])
    expect((await root.queue.list({ filter: { sender: '<>' } })).items.map((e) => e.key)).toEqual([keys.null1])
    expect((await root.queue.list({ filter: { domain: 'two.test' } })).items.map((e) => e.key)).toEqual([keys.in1, keys.two2])
    expect((await root.queue.list({ filter: { recipient: 'ned@uno.test' } })).items[0]).toMatchObject({ key: keys.in1, recipients: ['ned@uno.test', 'ann@two.test'], recipientCount: 2, sender: 'ext@remote.example', attempts: 0, held: false, file: `ZZ${keys.in1}` })
    expect((await root.queue.count({ filter: { channel: 'tcp_local' } })).count).toBe(4)
    const sum = (await root.queue.summary()).channels
    expect(sum.find((c) => c.channel === 'tcp_local')).toMatchObject({ messages: 4, held: 0, stopped: false })
    expect(sum.find((c) => c.channel === 'ims-ms')?.messages).toBe(1)
    expect(await codeOf(root.queue.list({ cursor: 'garbage' }))).toBe('BAD_REQUEST')
  })

  it('pages walk the age index: no sort of the whole queue', () => {
    const plan = explainPage(mta.index, {}, null).join(' | ')
    expect(plan).toMatch(/USING (COVERING )?INDEX entry_created/)
    expect(plan).not.toMatch(/TEMP B-TREE/)
  })

  it("shows one entry's envelope and headers, never the body", async () => {
    const root = await api.as('root', 'global')
    const d = await root.queue.get({ key: keys.in1! })
    expect(d.recipientDetails).toEqual([
      { address: 'ned@uno.test', originalAddress: 'ned@uno.test', orcpt: 'rfc822;ned@uno.test', notify: ['FAILURE'], done: false },
      { address: 'ann@two.test', originalAddress: 'ann@two.test', orcpt: null, notify: null, done: false },
    ])
    expect(d.headers.map((h) => h.name)).toEqual(['From', 'To', 'Subject', 'Date', 'Message-ID'])
    expect(d.headers.find((h) => h.name === 'Subject')?.value).toBe('in1')
    expect(JSON.stringify(d)).not.toContain('secret body')
    expect(await codeOf(root.queue.get({ key: 'zzzz.01' }))).toBe('NOT_FOUND')
  })

  it('scopes a domain administrator to entries with their sender or a recipient (aliases included)', async () => {
    const dom = await api.as('dom1', 'domain', ['one.test'])
    expect((await dom.queue.list()).items.map((e) => e.key)).toEqual([keys.out1, keys.in1])
    expect((await dom.queue.list()).total).toBe(2)
    expect((await dom.queue.count()).count).toBe(2)
    expect((await dom.queue.summary()).channels).toEqual([expect.objectContaining({ channel: 'tcp_local', messages: 2 })])
    expect((await dom.queue.get({ key: keys.in1! })).key).toBe(keys.in1)
    expect(await codeOf(dom.queue.get({ key: keys.two1! }))).toBe('FORBIDDEN')
    expect(await codeOf(dom.queue.list({ filter: { domain: 'two.test' } }))).toBe('FORBIDDEN')
    // an external recipient domain is fine: their own users' outbound mail to it
    expect((await dom.queue.list({ filter: { domain: 'remote.example' } })).items.map((e) => e.key)).toEqual([keys.out1])
    // acting: by a foreign key, or a filter naming another hosted domain → FORBIDDEN, nothing changed
    expect(await codeOf(dom.queue.hold({ keys: [keys.out1!, keys.two1!] }))).toBe('FORBIDDEN')
    expect(await codeOf(dom.queue.hold({ filter: { domain: 'two.test' } }))).toBe('FORBIDDEN')
    expect((await (await api.as('root', 'global')).queue.count({ filter: { held: true } })).count).toBe(0)
    // "everything matching" is ANDed with the scope
    expect(await dom.queue.hold({ filter: {} })).toEqual({ matched: 2, changed: 2, skipped: 0 })
    const root = await api.as('root', 'global')
    expect((await root.queue.list({ filter: { held: true } })).items.map((e) => e.key).sort()).toEqual([keys.out1, keys.in1].sort())
    expect((await root.queue.get({ key: keys.in1! })).file).toBe(`ZZ${keys.in1}.HELD`)
    expect(await dom.queue.release({ keys: [keys.out1!, keys.in1!] })).toMatchObject({ changed: 2 })
    expect((await root.queue.count({ filter: { held: true } })).count).toBe(0)
    const rows = await root.audit.list({ action: 'queue.' })
    expect(rows.items.map((r) => r.action)).toEqual(['queue.release', 'queue.hold'])
    expect(rows.items[1]).toMatchObject({ actor: 'dom1', target: 'filter', domain: 'one.test' })
    expect(rows.items[1]!.diff).toContainEqual({ field: 'changed', before: null, after: 2 })
  })

  it('auditors read but never act; delete and return need confirm and write K / R records', async () => {
    const auditor = await api.as('aud', 'auditor')
    expect((await auditor.queue.list()).items.length).toBe(5)
    expect(await codeOf(auditor.queue.hold({ keys: [keys.two1!] }))).toBe('FORBIDDEN')
    const root = await api.as('root', 'global')
    expect(await codeOf(root.queue.delete({ keys: [keys.two1!] }))).toBe('BAD_REQUEST')
    expect(await root.queue.retry({ keys: [keys.two1!] })).toMatchObject({ changed: 1 })
    expect(await root.queue.delete({ keys: [keys.two1!], confirm: true })).toEqual({ matched: 1, changed: 1, skipped: 0 })
    expect(await codeOf(root.queue.get({ key: keys.two1! }))).toBe('NOT_FOUND')
    expect(await root.queue.return({ filter: { channel: 'ims-ms' }, confirm: true })).toMatchObject({ changed: 1 })
    const log = readFileSync(join(api.dataRoot, 'log', 'mail.log_current'), 'utf8')
    expect(log).toMatch(/ tcp_local +K \d+ dora@two\.test rfc822;y@remote\.example y@remote\.example .*deleted by operator/)
    expect(log).toMatch(/ ims-ms +R \d+ ext@remote\.example rfc822;dora@two\.test dora@two\.test .*returned by operator/)
    // the DSN to the sender is a new queue entry with the null sender
    expect((await root.queue.list({ filter: { sender: '<>', recipient: 'ext@remote.example' } })).items).toHaveLength(1)
    const found = await root.logs.search({ actions: ['K'] })
    expect(found.items.map((r) => [r.action, r.label, r.from, r.to])).toEqual([['K', 'Recipient message rejected, no notification sent', 'dora@two.test', 'y@remote.example']])
  })

  it('searches mail.log newest first with filters, scope, cursor pages and a byte budget', async () => {
    const log = openMailLog({ dataRoot: api.dataRoot, options: { format: 1 } })
    const base = Date.now() - 60_000
    for (let i = 0; i < 30; i++) {
      const d = i % 3 === 0 ? 'one.test' : 'two.test'
      log.write({ kind: 'message', action: i % 2 ? 'D' : 'E', source: 'tcp_local', destination: i % 2 ? undefined : 'ims-ms', bytes: 2048, from: `s${i}@remote.example`, originalTo: `rfc822;u${i}@${d}`, to: `u${i}@${d}`, time: new Date(base + i * 1000) })
    }
    await log.close()
    const root = await api.as('root', 'global')
    const p1 = await root.logs.search({ address: 'remote.example', limit: 4 })
    expect(p1.items.map((r) => r.from)).toEqual(['s29@remote.example', 's28@remote.example', 's27@remote.example', 's26@remote.example'])
    const p2 = await root.logs.search({ address: 'remote.example', limit: 4, cursor: p1.nextCursor })
    expect(p2.items.map((r) => r.from)).toEqual(['s25@remote.example', 's24@remote.example', 's23@remote.example', 's22@remote.example'])
    expect((await root.logs.search({ address: 'u7@two.test' })).items.map((r) => [r.action, r.source, r.destination, r.size])).toEqual([['D', 'tcp_local', '', 2]])
    expect((await root.logs.search({ actions: ['E'], address: 'remote.example', since: new Date(base + 20_500).toISOString(), until: new Date(base + 40_000).toISOString() })).items.map((r) => r.from)).toEqual(['s28@remote.example', 's26@remote.example', 's24@remote.example', 's22@remote.example'])
    const dom = await api.as('dom1', 'domain', ['one.test'])
    const mine = await dom.logs.search({ address: 'remote.example' })
    expect(mine.items.length).toBe(10)
    expect(mine.items.every((r) => r.to.endsWith('@one.test'))).toBe(true)
    expect(await codeOf(dom.logs.search({ file: 'connection' }))).toBe('FORBIDDEN')
    expect(await codeOf(dom.logs.search({ actions: ['k' as 'K'] }))).toBe('BAD_REQUEST')
  })
})
