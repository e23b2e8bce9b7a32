// Outside-in: swaks / smtp-sink against the dispatcher + job controller + real store.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { readdirSync, readFileSync } from 'node:fs'
import { startMta, startSink, swaks, waitFor, type Mta } from './harness.js'

describe('SMTP in → store', () => {
  let mta: Mta
  beforeAll(async () => { mta = await startMta() })
  afterAll(async () => { await mta.stop() })

  it('swaks to a local user lands in the mailbox with E and D records', async () => {
    const r = await swaks(['--server', `127.0.0.1:${mta.ports.SMTP}`, '--from', 'someone@remote.test', '--to', 'joe@example.org', '--h-Subject', 'hello joe'])
    expect(r.out).toMatch(/<[-~]\s+250 2\.5\.0 Ok/)
    await waitFor(() => mta.inbox('joe') === 1, 'delivery to joe')
    await waitFor(() => /ims-ms D/.test(mta.mailLog()), 'D record')
    const log = mta.mailLog()
    expect(log).toMatch(/ tcp_intranet ims-ms EE 1 someone@remote\.test rfc822;joe@example\.org joe@ims-ms-daemon/)
    expect(log).toMatch(/ ims-ms D 1 someone@remote\.test rfc822;joe@example\.org joe@ims-ms-daemon/)
    expect(mta.queue.pendingCount()).toBe(0)
    // RFC 5321 §4.4: the store copy starts with the envelope sender as Return-Path
    const view = mta.store.session('joe').open('INBOX', { readOnly: true })
    try {
      const stored = (await view.read([...view.uids()][0])).toString('utf8')
      expect(stored).toMatch(/^Return-Path: <someone@remote\.test>\r\nReceived: from /)
    } finally { view.close() }
  })

  it('an alternate address and a group expand to the users', async () => {
    const r = await swaks(['--server', `127.0.0.1:${mta.ports.SMTP}`, '--from', 'x@remote.test', '--to', 'ann.smith@example.org,joe@example.org'])
    expect(r.code).toBe(0)
    await waitFor(() => mta.inbox('ann') === 1 && mta.inbox('joe') === 2, 'delivery to both')
  })

  it('unknown local user is refused at RCPT with 550 5.1.1 and a J record', async () => {
    const r = await swaks(['--server', `127.0.0.1:${mta.ports.SMTP}`, '--from', 'x@remote.test', '--to', 'nobody@example.org', '--quit-after', 'RCPT'])
    expect(r.out).toMatch(/<(?:~\*|\*\*)\s+550 5\.1\.1 unknown or illegal alias: nobody@example\.org/)
    await waitFor(() => / JE 0 x@remote\.test rfc822;nobody@example\.org/.test(mta.mailLog()), 'J record')
  })

  it('EHLO offers the extensions the manual lists; AUTH only after STARTTLS', async () => {
    const r = await swaks(['--server', `127.0.0.1:${mta.ports.SMTP}`, '--quit-after', 'EHLO', '--to', 'joe@example.org'])
    for (const ext of ['PIPELINING', '8BITMIME', 'SMTPUTF8', 'SIZE 1000000', 'DSN', 'STARTTLS', 'ENHANCEDSTATUSCODES']) expect(r.out).toMatch(new RegExp(`<-\\s+250[- ]${ext}\\r?$`, 'm'))
    expect(r.out).not.toMatch(/250[- ]AUTH/)
    const t = await swaks(['--server', `127.0.0.1:${mta.ports.SMTP}`, '--tls', '--quit-after', 'EHLO', '--to', 'joe@example.org'])
    expect(t.out).toMatch(/250[- ]AUTH PLAIN LOGIN/)
  })

  it('LMTP (tcp_lmtpss): one reply per recipient after DATA', async () => {
    const a = mta.inbox('ann'), j = mta.inbox('joe')
    const r = await swaks(['--server', `127.0.0.1:${mta.ports.LMTP}`, '--protocol', 'LMTP', '--from', 'relay@example.org', '--to', 'ann@example.org,joe@example.org,nobody@example.org'])
    expect(r.out).toMatch(/<\*\*\s+550 5\.1\.1 unknown or illegal alias: nobody@example\.org/)
    expect((r.out.match(/<-\s+250 2\.5\.0 Ok/g) ?? []).length).toBe(2)
    await waitFor(() => mta.inbox('ann') === a + 1 && mta.inbox('joe') === j + 1, 'LMTP deliveries')
  })

  it('postmaster is always accepted, even from outside with no account checks', async () => {
    const r = await swaks(['--server', `127.0.0.1:${mta.ports.SMTP}`, '--from', 'x@remote.test', '--to', 'PostMaster@example.org'])
    expect(r.code).toBe(0)
    await waitFor(() => mta.inbox('postmaster') === 1, 'postmaster delivery')
  })
})

describe('relay and submission', () => {
  let mta: Mta
  let sink: Awaited<ReturnType<typeof startSink>>
  beforeAll(async () => {
    sink = await startSink()
    // 127.0.0.1 is NOT internal here: only 10/8 is.
    mta = await startMta({ internalIps: ['10.0.0.0/8'], config: { 'channel:tcp_local.daemon': '127.0.0.1', 'channel:tcp_local.port': sink.port } })
  })
  afterAll(async () => { await mta.stop(); sink.stop() })

  it('unauthenticated relay from a non-internal address is refused with 530 5.7.1 and a J record', async () => {
    const r = await swaks(['--server', `127.0.0.1:${mta.ports.SMTP}`, '--from', 'harold@example.net', '--to', 'alan@very.bogus.com', '--quit-after', 'RCPT'])
    expect(r.out).toMatch(/<(?:~\*|\*\*)\s+530 5\.7\.1 Relaying not allowed: alan@very\.bogus\.com/)
    await waitFor(() => /tcp_local JE 0 harold@example\.net rfc822;alan@very\.bogus\.com alan@very\.bogus\.com .*530 5\.7\.1 Relaying not allowed: alan@very\.bogus\.com/.test(mta.mailLog()), 'J record')
  })

  it('submission requires AUTH', async () => {
    const r = await swaks(['--server', `127.0.0.1:${mta.ports.SUBMISSION}`, '--tls', '--from', 'joe@example.org', '--to', 'friend@remote.test', '--quit-after', 'RCPT'])
    expect(r.out).toMatch(/<(?:~\*|\*\*)\s+530/)
  })

  it('AUTH over STARTTLS on submission relays to the remote (smtp-sink) with a DE record', async () => {
    const r = await swaks(['--server', `127.0.0.1:${mta.ports.SUBMISSION}`, '--tls', '--auth', 'PLAIN', '--auth-user', 'joe', '--auth-password', 'joepass',
      '--from', 'joe@example.org', '--to', 'friend@remote.test', '--h-Subject', 'relayed'])
    expect(r.out).toMatch(/<[-~]\s+235/)
    expect(r.out).toMatch(/<[-~]\s+250 2\.5\.0 Ok/)
    await waitFor(() => / tcp_local DE? 1 joe@example\.org rfc822;friend@remote\.test friend@remote\.test .*smtp;250/.test(mta.mailLog()), 'D record')
    await waitFor(() => readdirSync(sink.dir).some((f) => readFileSync(`${sink.dir}/${f}`, 'utf8').includes('Subject: relayed')), 'message at smtp-sink')
    expect(mta.mailLog()).toMatch(/ tcp_submit tcp_local E\w* 1 joe@example\.org/)
  })

  it('implicit TLS submission (SMTPS) with AUTH LOGIN', async () => {
    const r = await swaks(['--server', `127.0.0.1:${mta.ports.SMTP_SUBMISSION}`, '--tlsc', '--auth', 'LOGIN', '--auth-user', 'ann', '--auth-password', 'annpass',
      '--from', 'ann@example.org', '--to', 'joe@example.org'])
    expect(r.out).toMatch(/<[-~]\s+250 2\.5\.0 Ok/)
    await waitFor(() => mta.inbox('joe') === 1, 'local delivery')
  })

  it('bad credentials get 535 5.7.8', async () => {
    const r = await swaks(['--server', `127.0.0.1:${mta.ports.SUBMISSION}`, '--tls', '--auth', 'PLAIN', '--auth-user', 'joe', '--auth-password', 'wrong',
      '--from', 'joe@example.org', '--to', 'friend@remote.test'])
    expect(r.out).toMatch(/<(?:~\*|\*\*)\s+535 5\.7\.8/)
  })
})
