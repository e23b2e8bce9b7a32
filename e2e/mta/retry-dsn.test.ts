// Remote failures: permanent (550 5.1.1 → R record + DSN to the sender) and temporary (4xx → Q
// records with growing attempt counts, a delay notice W per `notices`, then the final return).
import { afterEach, describe, expect, it } from 'vitest'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { inboxTexts as inboxText, pySubmit, startMta, startSink, swaks, waitFor, type Mta } from './harness.js'

const submit = (mta: Mta, to: string, extra: string[] = []) => swaks(['--server', `127.0.0.1:${mta.ports.SUBMISSION}`, '--tls', '--auth', 'PLAIN',
  '--auth-user', 'joe', '--auth-password', 'joepass', '--from', 'joe@example.org', '--to', to, '--h-Subject', 'report me', ...extra])

describe('delivery failures', () => {
  const cleanup: Array<() => unknown> = []
  afterEach(async () => { for (const c of cleanup.splice(0)) await c() })

  it('a remote 550 5.1.1 produces an R record and an RFC 3464 DSN to the sender (and a postmaster copy)', async () => {
    const sink = await startSink(['-f', 'rcpt', '-B', '550 5.1.1 unknown user'])
    cleanup.push(() => sink.stop())
    const mta = await startMta({ config: { 'channel:tcp_local.daemon': '127.0.0.1', 'channel:tcp_local.port': sink.port, 'channel:defaults.copysendpost': 1, 'channel:defaults.postheadonly': 1, 'mta.log_message_id': 1 } })
    cleanup.push(() => mta.stop())
    const r = await submit(mta, 'nonesuch@remote.test', ['--h-Message-Id', '<orig-1@example.org>'])
    expect(r.out).toMatch(/250 2\.5\.0 Ok/)
    await waitFor(() => mta.inbox('joe') === 1, 'DSN in the sender mailbox')
    await waitFor(() => / tcp_local RE 1 joe@example\.org rfc822;nonesuch@remote\.test nonesuch@remote\.test .*smtp;550 5\.1\.1 unknown user/.test(mta.mailLog()), 'R record')
    // the notification is enqueued to the process channel with an empty From and `<new>,<orig>`
    // message ids (LOG_MESSAGE_ID), then expanded there to ims-ms (spec 01 §22)
    await waitFor(() => / tcp_local process E \d+  rfc822;joe@example\.org joe@example\.org <[^>]+>,<orig-1@example\.org>/.test(mta.mailLog()), 'notification E record')
    await waitFor(() => / process ims-ms E \d+  rfc822;joe@example\.org joe@ims-ms-daemon /.test(mta.mailLog()), 'process expansion E record')
    const [dsn] = await inboxText(mta, 'joe')
    expect(dsn).toMatch(/Content-Type: multipart\/report; report-type=delivery-status/)
    expect(dsn).toMatch(/Final-Recipient: rfc822;nonesuch@remote\.test\r\nAction: failed\r\nStatus: 5\.1\.1/)
    expect(dsn).toMatch(/Diagnostic-Code: smtp;550 5\.1\.1 unknown user/)
    expect(dsn).toContain('Content-Type: message/rfc822')
    expect(dsn).toContain('Subject: report me')
    await waitFor(() => mta.inbox('postmaster') === 1, 'postmaster copy')
    const [copy] = await inboxText(mta, 'postmaster')
    expect(copy).toContain('Content-Type: text/rfc822-headers')
    // never a bounce to a bounce: nothing else queued
    await waitFor(() => mta.queue.pendingCount() === 0, 'queue empty')
  })

  it('RET=HDRS, ENVID and ORCPT are honoured; NOTIFY=NEVER gives a K record and no DSN', async () => {
    const sink = await startSink(['-f', 'rcpt', '-B', '550 5.1.1 unknown user'])
    cleanup.push(() => sink.stop())
    const mta = await startMta({ config: { 'channel:tcp_local.daemon': '127.0.0.1', 'channel:tcp_local.port': sink.port } })
    cleanup.push(() => mta.stop())
    // swaks has no DSN options: Python's smtplib sends MAIL/RCPT parameters (RFC 3461)
    expect(await pySubmit(mta.ports.SUBMISSION, 'a@remote.test', { mail: ['RET=HDRS', 'ENVID=ENV-42'], rcpt: ['NOTIFY=FAILURE', 'ORCPT=rfc822;alias-a@remote.test'] })).toBe('ok')
    await waitFor(() => mta.inbox('joe') === 1, 'DSN')
    const [dsn] = await inboxText(mta, 'joe')
    expect(dsn).toContain('Original-Envelope-Id: ENV-42')
    expect(dsn).toContain('Original-Recipient: rfc822;alias-a@remote.test')
    expect(dsn).toContain('Content-Type: text/rfc822-headers')
    expect(await pySubmit(mta.ports.SUBMISSION, 'b@remote.test', { rcpt: ['NOTIFY=NEVER'] })).toBe('ok')
    await waitFor(() => / tcp_local KE 1 joe@example\.org rfc822;b@remote\.test/.test(mta.mailLog()), 'K record')
    await waitFor(() => mta.queue.pendingCount() === 0, 'queue empty')
    expect(mta.inbox('joe')).toBe(1)
  })

  it('4xx → Q records with growing attempt counts (ZZ→ZY→ZX), a delay notice W, then the final return R', async () => {
    const sink = await startSink(['-r', 'rcpt', '-b', '450 4.2.0 mailbox busy, try later'])
    cleanup.push(() => sink.stop())
    const mta = await startMta({
      dayMs: 1500,
      config: {
        'channel:tcp_local.daemon': '127.0.0.1', 'channel:tcp_local.port': sink.port,
        'channel:tcp_local.backoff': 'PT0.3S PT0.3S', 'channel:tcp_local.notices': '1 3',
      },
    })
    cleanup.push(() => mta.stop())
    const seen = new Set<string>()
    const dir = join(mta.dataRoot, 'queue', 'tcp_local')
    const watch = setInterval(() => { try { for (const f of readdirSync(dir)) seen.add(f.slice(0, 2)) } catch { /* not yet */ } }, 20)
    cleanup.push(() => clearInterval(watch))
    await submit(mta, 'busy@remote.test')
    await waitFor(() => (mta.mailLog().match(/ tcp_local Q 1 joe@example\.org rfc822;busy@remote\.test .*smtp;450 4\.2\.0 mailbox busy/g) ?? []).length >= 3, '3 Q records')
    await waitFor(() => seen.has('ZX'), 'third-attempt queue file')
    expect(seen.has('ZZ') || seen.has('ZY')).toBe(true)
    await waitFor(() => / tcp_local W 1 joe@example\.org rfc822;busy@remote\.test/.test(mta.mailLog()), 'W record')
    await waitFor(() => mta.inbox('joe') >= 1, 'delay notice')
    const [delay] = await inboxText(mta, 'joe')
    expect(delay).toMatch(/Action: delayed\r\nStatus: 4\.2\.0/)
    expect(delay).toContain('Will-Retry-Until:')
    await waitFor(() => / tcp_local RE 1 joe@example\.org rfc822;busy@remote\.test .*timed out/.test(mta.mailLog()), 'final return', 20_000)
    await waitFor(() => mta.inbox('joe') === 2, 'failure DSN')
    await waitFor(() => mta.queue.pendingCount() === 0, 'queue empty')
  }, 40_000)
})
