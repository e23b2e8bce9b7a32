// Outside-in test of the queue and log viewers' API (issue 6 §2 "queue entries and log lines" on
// top of issue 5 §4's queue operations): a real daemon whose tcp_local channel points at a closed
// port, so relayed mail stays queued after a 4xx-style deferral (Q records); swaks submits it over
// SMTP from loopback (INTERNAL_IP); the API lists, filters, holds, releases, retries, deletes and
// returns it over HTTP, a domain administrator sees and acts only on their domain's entries and
// log lines, and mail.log shows the K and R records the actions wrote.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { cleanup, envFor, foregroundDaemon, tempDataRoot, until } from '../server/harness.js'
import { freePort, run } from '../flow/clients.js'
import { ApiClient } from './client.js'

interface Row { key: string; sender: string; recipients: string[]; attempts: number; held: boolean; lastError: string | null }

describe('queue and mail.log through the admin API (real daemon)', () => {
  const dataRoot = tempDataRoot()
  let env: NodeJS.ProcessEnv = {}
  let daemon: ReturnType<typeof foregroundDaemon> | undefined
  let base = ''
  let smtp = 0
  const root = () => rootClient
  let rootClient: ApiClient
  let dom: ApiClient
  const mailLog = () => { const p = join(dataRoot, 'log', 'mail.log_current'); return existsSync(p) ? readFileSync(p, 'utf8') : '' }
  const send = async (from: string, to: string, subject: string) => {
    const r = await run('swaks', ['--server', `127.0.0.1:${smtp}`, '--from', from, '--to', to, '--header', `Subject: ${subject}`, '--timeout', '20'])
    expect(r.out).toMatch(/<- +250 2\.\d\.\d /)
  }
  const list = async (c: ApiClient, filter: object = {}): Promise<Row[]> => (await c.q('queue.list', { filter })).items

  beforeAll(async () => {
    smtp = await freePort()
    const closed = await freePort() // nothing listens there: every tcp_local attempt fails temporarily
    env = envFor(dataRoot, {
      'admin.port': 0, 'console.enable': 0, 'imap.enable': 0, 'pop.enable': 0, 'schedule.enable': 0, 'metermaid.enable': 0, 'ens.enable': 0,
      'dispatcher.service:SMTP.tcp_ports': [String(smtp)],
      'dispatcher.service:SMTP_SUBMIT.tcp_ports': [],
      'dispatcher.service:SMTP_SUBMIT.ssl_ports': [],
      'channel:tcp_local.daemon': '127.0.0.1',
      'channel:tcp_local.port': closed,
      'channel:tcp_local.backoff': 'PT1H',
    }, { WREN_TEST_SERVICES: '' })
    daemon = foregroundDaemon(env)
    await until('the daemon to be ready', () => daemon!.output().includes('wren: ready'), 180_000)
    const password = /administrator\s+admin \/ (\S+)/.exec(daemon.output())![1]!
    const { port } = JSON.parse(readFileSync(join(dataRoot, 'run', 'control.json'), 'utf8')) as { port: number }
    base = `http://127.0.0.1:${port}`
    rootClient = new ApiClient(base)
    expect((await rootClient.signIn('admin', password)).ok).toBe(true)
    await rootClient.m('domains.create', { name: 'a.test' })
    await rootClient.m('domains.create', { name: 'b.test' })
    await rootClient.m('admins.create', { username: 'ada', password: 'ada-password-1', role: 'domain', domains: ['a.test'] })
    dom = new ApiClient(base)
    expect((await dom.signIn('ada', 'ada-password-1')).ok).toBe(true)
    await until('the SMTP listener', async () => (await run('swaks', ['--server', `127.0.0.1:${smtp}`, '--quit-after', 'EHLO', '--timeout', '5'])).code === 0, 60_000)
  }, 240_000)

  afterAll(async () => {
    if (daemon && daemon.child.exitCode === null) {
      daemon.child.kill('SIGTERM')
      await Promise.race([daemon.exited, new Promise((r) => setTimeout(r, 20_000))])
    }
    await cleanup(dataRoot, env)
  }, 60_000)

  it('lists deferred entries with their last error and Q records, filtered and summed per channel', async () => {
    await send('alice@a.test', 'x1@remote.test', 'qa-one')
    await send('bob@b.test', 'y1@remote.test', 'qb-one')
    await send('ext@remote.test', 'z1@far.test', 'qc-one')
    const rows = await until('three deferred entries', async () => {
      const r = await list(root(), { channel: 'tcp_local' })
      return r.length === 3 && r.every((e) => e.attempts >= 1) ? r : undefined
    }, 60_000)
    expect(rows.map((r) => r.sender)).toEqual(['alice@a.test', 'bob@b.test', 'ext@remote.test'])
    expect(rows[0]!.lastError).toBeTruthy()
    expect(mailLog()).toMatch(/ tcp_local +Q \d+ alice@a\.test rfc822;x1@remote\.test x1@remote\.test /)
    const sum = await root().q('queue.summary')
    expect(sum.channels).toContainEqual(expect.objectContaining({ channel: 'tcp_local', messages: 3, held: 0, delayed: 3 }))
    expect((await list(root(), { sender: '*@b.test' })).map((r) => r.recipients)).toEqual([['y1@remote.test']])
    expect((await root().q('queue.count', { filter: { minAttempts: 1 } })).count).toBe(3)
    const detail = await root().q('queue.get', { key: rows[0]!.key })
    expect(detail.headers).toContainEqual({ name: 'Subject', value: 'qa-one' })
    expect(detail.recipientDetails).toEqual([expect.objectContaining({ address: 'x1@remote.test', done: false })])
  }, 90_000)

  it('keeps a domain administrator to their domain: list, get, actions by key and by filter, log lines', async () => {
    const mine = await list(dom)
    expect(mine.map((r) => r.sender)).toEqual(['alice@a.test'])
    const all = await list(root())
    const bobs = all.find((r) => r.sender === 'bob@b.test')!
    const get = await dom.query('queue.get', { key: bobs.key })
    expect(get.ok || get.error.code).toBe('FORBIDDEN')
    const byKey = await dom.mutate('queue.hold', { keys: [bobs.key] })
    expect(byKey.ok || byKey.error.code).toBe('FORBIDDEN')
    const byFilter = await dom.mutate('queue.hold', { filter: { domain: 'b.test' } })
    expect(byFilter.ok || byFilter.error.code).toBe('FORBIDDEN')
    expect((await list(root(), { held: true })).length).toBe(0)
    // "everything" from a domain administrator is everything in their domain
    expect(await dom.m('queue.hold', { filter: {} })).toEqual({ matched: 1, changed: 1, skipped: 0 })
    expect((await list(root(), { held: true })).map((r) => r.sender)).toEqual(['alice@a.test'])
    expect(existsSync(join(dataRoot, 'queue', 'tcp_local', `ZY${mine[0]!.key}.HELD`))).toBe(true)
    expect(await dom.m('queue.release', { keys: [mine[0]!.key] })).toMatchObject({ changed: 1 })
    expect((await list(root(), { held: true })).length).toBe(0)
    const lines = await dom.q('logs.search', { address: 'remote.test' })
    expect(lines.items.length).toBeGreaterThan(0)
    expect(lines.items.every((l: { from: string; to: string }) => l.from === 'alice@a.test' || l.to.endsWith('@a.test'))).toBe(true)
    const audit = await root().q('audit.list', { action: 'queue.' })
    expect(audit.items.map((a: { action: string; actor: string }) => `${a.actor} ${a.action}`)).toEqual(['ada queue.release', 'ada queue.hold'])
  }, 60_000)

  it('retries now (another Q record), deletes (K) and returns (R + a DSN to the sender) with confirmation', async () => {
    const [alice, bob, ext] = await list(root())
    const qCount = () => (mailLog().match(/ tcp_local +Q \d+ alice@a\.test /g) ?? []).length
    const before = qCount()
    expect(await root().m('queue.retry', { keys: [alice!.key] })).toMatchObject({ changed: 1 })
    await until('a second attempt', () => qCount() > before, 30_000)
    await until('attempt count 2', async () => (await root().q('queue.get', { key: alice!.key })).attempts >= 2, 30_000)
    const unconfirmed = await root().mutate('queue.delete', { keys: [bob!.key] })
    expect(unconfirmed.ok || unconfirmed.error.code).toBe('BAD_REQUEST')
    expect(await root().m('queue.delete', { keys: [bob!.key], confirm: true })).toEqual({ matched: 1, changed: 1, skipped: 0 })
    expect(await root().m('queue.return', { filter: { sender: 'ext@remote.test' }, confirm: true })).toMatchObject({ changed: 1 })
    expect(mailLog()).toMatch(/ tcp_local +K \d+ bob@b\.test rfc822;y1@remote\.test y1@remote\.test .*deleted by operator/)
    expect(mailLog()).toMatch(/ tcp_local +R \d+ ext@remote\.test rfc822;z1@far\.test z1@far\.test .*returned by operator/)
    // the failure notice to the (remote) sender is queued with the null sender
    const dsn = await until('the DSN entry', async () => (await list(root(), { sender: '<>' })).find((r) => r.recipients[0] === 'ext@remote.test'), 30_000)
    expect(dsn).toBeTruthy()
    const remaining = (await list(root(), { sender: '*@*' })).map((r) => r.sender)
    expect(remaining).toEqual(['alice@a.test'])
    const found = await root().q('logs.search', { actions: ['K', 'R'] })
    expect(found.items.map((r: { action: string; from: string }) => `${r.action} ${r.from}`)).toEqual(['R ext@remote.test', 'K bob@b.test'])
    expect(found.items[1].label).toBe('Recipient message rejected, no notification sent')
  }, 90_000)
})
