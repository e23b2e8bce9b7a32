// Notifications through the `process` channel (spec 01 §22 "Sending to a Nonexistent Domain").
import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { QueueStore } from '../queue/queue-store.js'
import { basicPolicy } from '../basic-policy.js'
import { staticDirectory, type TransportLogMessage } from '../ports.js'
import { channelSettings } from '../jobs/channel-settings.js'
import { staticConfigView } from '@wren/kernel'
import { sendNotification } from '../dsn/notify.js'
import { processProgram } from './process.js'
import { releaseHoldChannel } from './hold-release.js'

const roots: string[] = []
afterEach(() => { for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true }) })

describe('process channel', () => {
  it('bounces go tcp_local → process (empty From, <new>,<orig>), then process → ims-ms', async () => {
    const dataRoot = mkdtempSync(join(tmpdir(), 'wren-proc-'))
    roots.push(dataRoot)
    const queue = new QueueStore({ dataRoot })
    const log: TransportLogMessage[] = []
    const deps = {
      hostname: 'mx.example.org', queue, postmaster: 'postmaster@example.org', processChannel: true,
      policy: basicPolicy({ localDomains: ['example.org'] }),
      directory: staticDirectory({ users: [{ uid: 'adam', mail: 'adam@example.org' }, { uid: 'postmaster', mail: 'postmaster@example.org' }] }),
      log: { message: (r: TransportLogMessage) => log.push(r), connection() {} },
    }
    const orig = 'From: adam@example.org\r\nSubject: s\r\nMessage-ID: <o1@example.org>\r\n\r\nhi\r\n'
    writeFileSync(join(dataRoot, 'orig'), orig)
    const env = { id: 'o', channel: 'tcp_local', sourceChannel: 'tcp_intranet', from: 'adam@example.org', created: Date.now(), size: orig.length, messageId: '<o1@example.org>', recipients: [] }
    await sendNotification(deps, { env, messagePath: join(dataRoot, 'orig'), channel: 'tcp_local', postmasterCopy: true, postHeadOnly: true,
      recipients: [{ to: 'user@very.bogus.com', action: 'failed', status: '5.1.2', diagnostic: 'Illegal host/domain name found' }] })
    expect(log.map((r) => `${r.source} ${r.destination} ${r.action} [${r.from}] ${r.origTo} ${r.to}`)).toEqual([
      'tcp_local process E [] rfc822;adam@example.org adam@example.org',
      'tcp_local process E [] rfc822;postmaster@example.org postmaster@example.org',
    ])
    expect(log[0].messageId).toMatch(/^<[^>]+>,<o1@example\.org>$/)
    const rows = queue.index.claimDue('process', 10)
    expect(rows).toHaveLength(2)
    log.length = 0
    const program = processProgram(deps)
    const ch = channelSettings(staticConfigView({}), 'process')
    for (const row of rows) {
      const e = await queue.envelope(row)
      const [out] = await program.deliver([{ key: row.key, env: e, path: queue.pathOf(row), pending: [0] }], ch)
      expect(out).toEqual([{ idx: 0, status: 'ok', statusCode: '2.0.0', diagnostic: '' }])
    }
    expect(log.map((r) => `${r.source} ${r.destination} ${r.action} [${r.from}] ${r.origTo} ${r.to}`)).toEqual([
      'process ims-ms E [] rfc822;adam@example.org adam@ims-ms-daemon',
      'process ims-ms E [] rfc822;postmaster@example.org postmaster@ims-ms-daemon',
    ])
    const ims = queue.index.claimDue('ims-ms', 10)
    expect(ims).toHaveLength(2)
    const e = await queue.envelope(ims[0])
    expect([e.from, e.isNotification, e.sourceChannel, e.recipients[0].uid]).toEqual(['', true, 'process', 'adam'])
    queue.close()
  })

  it('qm release -channel=hold re-expands held mail through process: delivered once the hold is lifted', async () => {
    const dataRoot = mkdtempSync(join(tmpdir(), 'wren-proc-'))
    roots.push(dataRoot)
    const queue = new QueueStore({ dataRoot })
    const log: TransportLogMessage[] = []
    const tlog = { message: (r: TransportLogMessage) => log.push(r), connection() {} }
    const users = [{ uid: 'kim', mail: 'kim@example.org', deliveryOptions: ['hold'] }]
    const msg = Buffer.from('From: a@remote.net\r\nSubject: s\r\n\r\nhi\r\n')
    await queue.enqueueBuffer(msg, [{ channel: 'hold', sourceChannel: 'tcp_local', from: 'a@remote.net', created: Date.now(), recipients: [{ to: 'kim@example.org', origTo: 'kim@example.org', uid: 'kim' }] }])
    const policy = basicPolicy({ localDomains: ['example.org'] })
    const ch = channelSettings(staticConfigView({}), 'process')
    const cycle = async (directory: ReturnType<typeof staticDirectory>) => {
      const r = await releaseHoldChannel(queue, { channel: 'hold' }, tlog)
      expect(r.changed).toBe(1)
      const [row] = queue.index.claimDue('process', 10)
      const env = await queue.envelope(row)
      await processProgram({ queue, policy, directory, log: tlog }).deliver([{ key: row.key, env, path: queue.pathOf(row), pending: [0] }], ch)
      await queue.complete(row)
    }
    await cycle(staticDirectory({ users })) // still on hold: back to the hold channel
    expect(queue.index.count({ channel: 'hold' })).toBe(1)
    await cycle(staticDirectory({ users: [{ ...users[0], deliveryOptions: ['mailbox'] }] }))
    expect(queue.index.count({ channel: 'hold' })).toBe(0)
    const [ims] = queue.index.claimDue('ims-ms', 10)
    const e = await queue.envelope(ims)
    expect([e.from, e.recipients[0].to, e.recipients[0].uid]).toEqual(['a@remote.net', 'kim@ims-ms-daemon', 'kim'])
    expect(log.map((r) => `${r.source} ${r.destination} ${r.action} ${r.to}`)).toEqual([
      'hold process E kim@example.org', 'process hold E kim@example.org', 'hold process E kim@example.org', 'process ims-ms E kim@ims-ms-daemon'])
    queue.close()
  })
})
