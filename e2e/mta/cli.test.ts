// imsimta qm / counters and sendmail against a running dispatcher + job controller.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { memoryIO } from '../../apps/cli/src/io.js'
import { run as imsimta } from '../../apps/cli/src/commands/imsimta.js'
import { run as sendmail } from '../../apps/cli/src/commands/sendmail.js'
import { startMta, startSink, swaks, waitFor, type Mta } from './harness.js'

describe('imsimta qm and sendmail', () => {
  let mta: Mta
  let sink: Awaited<ReturnType<typeof startSink>>
  const cli = async (tool: typeof imsimta, args: string[], stdin?: string) => {
    const m = memoryIO({ env: { WREN_DATA: mta.dataRoot }, stdin })
    const code = await tool(args, m.io)
    return { code, out: m.stdout(), err: m.stderr() }
  }
  const send = (to: string) => swaks(['--server', `127.0.0.1:${mta.ports.SUBMISSION}`, '--tls', '--auth', 'PLAIN', '--auth-user', 'joe', '--auth-password', 'joepass', '--from', 'joe@example.org', '--to', to])

  beforeAll(async () => {
    sink = await startSink()
    mta = await startMta({ config: { 'channel:tcp_local.daemon': '127.0.0.1', 'channel:tcp_local.port': sink.port } })
  })
  afterAll(async () => { await mta.stop(); sink.stop() })

  it('stop a channel, see it in summarize, hold/release, start it and the queue drains', async () => {
    expect((await cli(imsimta, ['qm', 'stop', 'tcp_local'])).code).toBe(0)
    for (const to of ['a@remote.test', 'b@remote.test']) expect((await send(to)).out).toMatch(/250 2\.5\.0/)
    const sum = await cli(imsimta, ['qm', 'summarize'])
    expect(sum.out).toMatch(/tcp_local \(stopped\)\s+2\s+0\.00/)
    expect((await cli(imsimta, ['qm', 'summarize', '-database'])).out).toMatch(/tcp_local \(stopped\)\s+2 =\s+0 \+\s+2 \+\s+0/)
    const dir = await cli(imsimta, ['qm', 'directory', 'tcp_local'])
    expect(dir.out).toMatch(/1\. ZZ[0-9a-z]+\.01 /)
    expect(dir.out).toContain('To: b@remote.test')
    expect(dir.out).toContain('Total messages: 2')
    expect((await cli(imsimta, ['qm', 'hold', '-channel=tcp_local', '-to=a@remote.test'])).out).toMatch(/1 message held/)
    expect(readdirSync(join(mta.dataRoot, 'queue', 'tcp_local')).filter((f) => f.endsWith('.HELD'))).toHaveLength(1)
    const held = await cli(imsimta, ['qm', 'summarize', '-held'])
    expect(held.out).toMatch(/tcp_local \(stopped\)\s+1\s+0\.00\s+\d+ \w{3}, [\d:]{8}\s+1\s+0\.00/)
    const conflict = await cli(imsimta, ['qm', 'sum', '-held', '-database'])
    expect(conflict.code).toBe(1)
    expect(conflict.err).toContain('%QM-E-CMDERR, Conflicting parameters and/or qualifiers: (DATABASE AND HELD)')
    expect((await cli(imsimta, ['qm', 'start', 'tcp_local'])).code).toBe(0)
    await waitFor(() => mta.queue.index.count({ held: false }) === 0, 'unheld message delivered')
    expect(mta.queue.index.count({ held: true })).toBe(1)
    expect((await cli(imsimta, ['qm', 'release', '-all'])).out).toMatch(/1 message released/)
    await waitFor(() => mta.queue.pendingCount() === 0, 'queue drained')
    await waitFor(async () => /tcp_local\s+(?:.*\n)*?Delivered\s+2\s+2/.test((await cli(imsimta, ['counters', '-show'])).out), 'counters')
    // spec 02 §2: Stored = received minus dequeued, per channel; the section can be deleted and re-created
    const shown = (await cli(imsimta, ['counters', '-show'])).out
    expect(shown).toMatch(/tcp_local\n(?:.*\n)*?Received\s+2\s+2\s+\d+\nStored\s+0\s+0\s+0\nDelivered\s+2\s+2/)
    expect((await cli(imsimta, ['counters', '-delete'])).code).toBe(0)
    const none = await cli(imsimta, ['qm', 'counters'])
    expect([none.code, none.err]).toEqual([1, '%IMSIMTA-E-NOSECTION, no channel counters section for this MTA run; use imsimta counters -create\n'])
    expect((await cli(imsimta, ['counters', '-create'])).code).toBe(0)
    expect((await cli(imsimta, ['counters', '-show'])).out).not.toContain('tcp_local')
  })

  it('qm delete writes K records; dir filters by sender and domain', async () => {
    expect((await cli(imsimta, ['qm', 'stop', 'tcp_local'])).code).toBe(0)
    await send('gone@remote.test')
    const dir = await cli(imsimta, ['qm', 'dir', '-domain=remote.test', '-from=joe@example.org'])
    const id = /\d+\. (ZZ\S+)/.exec(dir.out)![1]
    expect((await cli(imsimta, ['qm', 'delete', id])).out).toMatch(/1 message deleted/)
    await waitFor(() => / tcp_local K 1 joe@example\.org rfc822;gone@remote\.test/.test(mta.mailLog()), 'K record')
    expect(mta.queue.pendingCount()).toBe(0)
    await cli(imsimta, ['qm', 'start', 'tcp_local'])
  })

  it('sendmail -t queues a message (durable at exit 0) that the job controller delivers; Bcc is removed', async () => {
    const r = await cli(sendmail, ['-t', '-f', 'cron@example.org'], 'To: Report <ops@remote.test>\nBcc: boss@remote.test\nSubject: nightly report\n\nall good\n')
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    const dumps = () => readdirSync(sink.dir).map((f) => readFileSync(join(sink.dir, f), 'utf8')).filter((t) => t.includes('nightly report'))
    await waitFor(() => dumps().length > 0 && mta.queue.pendingCount() === 0, 'sendmail delivery', 20_000)
    const text = dumps()[0]
    expect(text).toMatch(/^Message-ID: </m)
    expect(text).not.toMatch(/^Bcc:/m)
    await waitFor(() => / tcp_local DE? 1 cron@example\.org rfc822;boss@remote\.test/.test(mta.mailLog()), 'D record')
    expect(mta.mailLog()).toMatch(/ l tcp_local E 1 cron@example\.org rfc822;ops@remote\.test ops@remote\.test/)
    expect(mta.mailLog()).toMatch(/ l tcp_local E 1 cron@example\.org rfc822;boss@remote\.test boss@remote\.test/)
  })

  it('counters count `qm delete` (K) and `qm return` (R, the DSN\'s E) and show the manual\'s lines (spec 02 §2)', async () => {
    expect((await cli(imsimta, ['qm', 'stop', 'tcp_local'])).code).toBe(0)
    // The services flush their counts each second: let the earlier tests' counts land before the clear.
    await new Promise((r) => setTimeout(r, 1200))
    expect((await cli(imsimta, ['counters', '-clear'])).code).toBe(0)
    for (const to of ['del@remote.test', 'ret@remote.test']) expect((await send(to)).out).toMatch(/250 2\.5\.0/)
    expect((await cli(imsimta, ['qm', 'delete', '-to=del@remote.test'])).out).toMatch(/1 message deleted/)
    expect((await cli(imsimta, ['qm', 'return', '-to=ret@remote.test'])).out).toMatch(/1 message returned/)
    expect((await cli(imsimta, ['qm', 'start', 'tcp_local'])).code).toBe(0)
    // The DSN to joe@example.org is routed by imsimta's own policy (tcp_local here, to the sink).
    const block = (out: string, ch: string) => new RegExp(`^${ch}\n((?:(?!\\S+\n).*\n)*)`, 'm').exec(out)?.[1] ?? ''
    const shown = await waitFor(async () => {
      const out = (await cli(imsimta, ['counters', '-show'])).out
      return /Delivered\s+1\s+1\s+\d+ \(1 first time\)/.test(block(out, 'tcp_local')) ? out : ''
    }, 'counters of the DSN delivery')
    const tcp = block(shown, 'tcp_local')
    expect(tcp).toMatch(/^Received\s+3\s+3\s+\d+\nStored\s+0\s+0\s+0\nDelivered\s+1\s+1\s+\d+ \(1 first time\)\nSubmitted\s+1\s+1\s+\d+\n/)
    expect(tcp).toMatch(/\nFailed\s+2\s+2\s+\d+\nQueue time\/count \d+\/1 = \d+\.\d\d\nQueue first time\/count \d+\/1 = \d+\.\d\d\nTotal In Assocs\s+0\nTotal Out Assocs\s+1\n$/)
    expect(block(shown, 'tcp_submit')).toMatch(/^Received(?:.*\n)*Submitted\s+2\s+2\s+\d+\n(?:.*\n)*Total In Assocs\s+2\n/)
  })

  it('qm hold keeps an earlier delivery error; after qm release -all, qm dir no longer shows "held by operator"', async () => {
    expect((await cli(imsimta, ['qm', 'stop', 'tcp_local'])).code).toBe(0)
    for (const to of ['op@remote.test', 'real@remote.test']) expect((await send(to)).out).toMatch(/250 2\.5\.0/)
    // The second entry carries a real error from an earlier delivery attempt.
    const real = mta.queue.index.list({}, { limit: 10 }).find((r) => mta.queue.index.recipients(r.key).some((x) => x.address === 'real@remote.test'))!
    mta.queue.index.db.prepare('UPDATE entry SET last_error = ? WHERE key = ?').run('452 4.2.2 Mailbox full', real.key)
    expect((await cli(imsimta, ['qm', 'hold', '-channel=tcp_local'])).out).toMatch(/2 messages held/)
    const heldDir = (await cli(imsimta, ['qm', 'dir', '-held', 'tcp_local'])).out
    expect(heldDir.match(/Last error: held by operator/g) ?? [], heldDir).toHaveLength(1)
    expect(heldDir).toContain('Last error: 452 4.2.2 Mailbox full')
    expect((await cli(imsimta, ['qm', 'release', '-all'])).out).toMatch(/2 messages released/)
    const dir = (await cli(imsimta, ['qm', 'dir', 'tcp_local'])).out
    expect(dir).toContain('Total messages: 2')
    expect(dir).not.toContain('held by operator')
    expect(dir).toContain('Last error: 452 4.2.2 Mailbox full')
    expect((await cli(imsimta, ['qm', 'start', 'tcp_local'])).code).toBe(0)
    await waitFor(() => mta.queue.pendingCount() === 0, 'queue drained')
  })
})
