// The job controller's own store (the daemon runs it in its own process, with no store handed in)
// enforces the directory's mailQuota (spec 03 §4) when store.defaultmailboxquota is unset: bob holds
// ~6 KB against mailQuota 1K → ims-ms defers with 4.2.2; carol (no mailQuota, no default) gets hers.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { createLocalBus, nullLogger, staticConfigView } from '@wren/kernel'
import { openDirectory } from '@wren/directory'
import { openStore } from '@wren/store'
import { JobControllerService } from '@wren/mta/job-controller-service'
import { basicPolicy } from '@wren/mta/basic-policy'
import { staticDirectory } from '@wren/mta/ports'
import { QueueStore } from '@wren/mta/queue/queue-store'
import { waitFor } from './harness.js'

const dataRoot = mkdtempSync(join(tmpdir(), 'wren-jc-quota-'))
const cleanups: Array<() => unknown> = []
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
  rmSync(dataRoot, { recursive: true, force: true })
})

it('ims-ms in the job controller applies mailQuota from the directory without a default quota', async () => {
  const config = staticConfigView({ 'base.defaultdomain': 'example.org' })
  const dir = await openDirectory({ dataRoot, config, hostname: 'mx.example.org' })
  try {
    await dir.createDomain({ name: 'example.org' }, { actor: 'test' })
    await dir.createUser({ uid: 'bob', password: 'pw', attributes: { mailQuota: '1K' } }, { actor: 'test' })
    await dir.createUser({ uid: 'carol', password: 'pw' }, { actor: 'test' })
  } finally {
    await dir.close()
  }
  const reader = openStore({ dataRoot, config })
  cleanups.push(() => reader.close())
  const old = Buffer.from(`Subject: old\r\n\r\n${'x'.repeat(6000)}\r\n`)
  expect((await reader.deliver({ userid: 'bob', bypassQuota: true }, old)).ok).toBe(true)
  reader.ensureUser('carol')

  const queue = new QueueStore({ dataRoot, journal: true, checkpointEveryMs: 1000 })
  cleanups.push(() => queue.close())
  const directory = staticDirectory({ users: [{ uid: 'bob', mail: 'bob@example.org' }, { uid: 'carol', mail: 'carol@example.org' }] })
  const jobs = new JobControllerService({ policy: basicPolicy({ localDomains: ['example.org'] }), directory, queue, pollMs: 100 })
  // no 'store' in this process: the job controller opens its own, as in the daemon
  await jobs.start({ dataRoot, hostname: 'mx.example.org', config, bus: createLocalBus(), logger: () => nullLogger, lookup: () => undefined })
  cleanups.push(() => jobs.stop())

  const body = Buffer.from('From: a@remote.net\r\nSubject: hi\r\n\r\nhello\r\n')
  await queue.enqueueBuffer(body, [{
    channel: 'ims-ms', sourceChannel: 'tcp_local', from: 'a@remote.net', created: Date.now(),
    recipients: [{ to: 'bob@example.org', origTo: 'bob@example.org', uid: 'bob' }, { to: 'carol@example.org', origTo: 'carol@example.org', uid: 'carol' }],
  }])
  jobs.controller?.kick()
  const log = () => { try { return readFileSync(join(dataRoot, 'log', 'mail.log_current'), 'utf8') } catch { return '' } }
  await waitFor(() => reader.session('carol').status('INBOX').messages === 1, 'carol delivered')
  await waitFor(() => /bob@example\.org.*4\.2\.2|4\.2\.2.*bob@example\.org/.test(log()), 'bob deferred over quota (4.2.2)')
  expect(reader.session('bob').status('INBOX').messages).toBe(1)
})
