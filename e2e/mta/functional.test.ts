// Outside-in checks of the MTA's functional features: vacation autoreply through delivery_options,
// SUCCESS DSNs for relayed mail (RFC 3461 §5.2.2), two-tier LMTP delivery to a second Wren's LMTP
// listener (tcp_lmtpcs → tcp_lmtpss), and outbound STARTTLS to a second Wren.
import { afterEach, describe, expect, it } from 'vitest'
import { SMTPServer } from 'smtp-server'
import { inboxTexts as texts, pySubmit, startMta, startSink, swaks, waitFor } from './harness.js'

async function smtpPeer(hideDSN: boolean) {
  const seen: Array<{ rcpt: string; notify?: string[]; orcpt?: string; ret?: string; envid?: string }> = []
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false, hideDSN,
    onData(stream, s, cb) {
      stream.resume()
      stream.on('end', () => {
        const env = s.envelope as typeof s.envelope & { dsn?: { ret?: string; envid?: string } }
        for (const r of env.rcptTo) {
          const d = (r as typeof r & { dsn?: { notify?: string[]; orcpt?: string } }).dsn
          seen.push({ rcpt: r.address, notify: d?.notify, orcpt: d?.orcpt, ret: env.dsn?.ret, envid: env.dsn?.envid })
        }
        cb()
      })
    },
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return { seen, port: (server.server.address() as { port: number }).port, close: () => new Promise<void>((r) => server.close(() => r())) }
}

describe('MTA functional features', () => {
  const cleanup: Array<() => unknown> = []
  afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c() })

  it('vacation: mailbox + autoreply delivers and replies once per sender; the internal text for the own domain', async () => {
    const mta = await startMta({ users: [
      { uid: 'joe', mail: 'joe@example.org', deliveryOptions: ['mailbox', 'autoreply'],
        vacation: { start: '20200101000000Z', end: '20991231000000Z', mode: 'reply', subject: 'Away', text: 'External: away.', textInternal: 'Internal: away until Monday.' } },
      { uid: 'ann', mail: 'ann@example.org' },
    ] })
    cleanup.push(() => mta.stop())
    for (let i = 0; i < 2; i++) {
      const r = await swaks(['--server', `127.0.0.1:${mta.ports.SMTP}`, '--from', 'ann@example.org', '--to', 'joe@example.org', '--h-Subject', `lunch ${i}`])
      expect(r.code).toBe(0)
    }
    await waitFor(() => mta.inbox('joe') === 2 && (mta.mailLog().match(/ bitbucket D /g) ?? []).length === 2, 'both messages and both bitbucket copies')
    await waitFor(() => mta.inbox('ann') === 1, 'the vacation reply')
    await waitFor(() => mta.queue.pendingCount() === 0, 'queue empty')
    expect(mta.inbox('ann')).toBe(1) // one reply per sender per period
    const [reply] = await texts(mta, 'ann')
    expect(reply).toMatch(/^Return-Path: <>\r\n/)
    expect(reply).toContain('From: <joe@example.org>')
    expect(reply).toContain('Subject: Away')
    expect(reply).toContain('Auto-Submitted: auto-replied')
    expect(reply).toContain('Internal: away until Monday.')
    const log = mta.mailLog()
    expect(log).toMatch(/ tcp_intranet bitbucket EE 1 ann@example\.org rfc822;joe@example\.org joe\+example\.org@bitbucket/)
    expect(log).toMatch(/ bitbucket ims-ms E \d+  rfc822;ann@example\.org ann@ims-ms-daemon/)
  })

  it('NOTIFY=SUCCESS relayed to a peer without DSN gets a "relayed" DSN; a DSN peer gets NOTIFY, ORCPT, RET and ENVID', async () => {
    const old = await smtpPeer(true)
    cleanup.push(() => old.close())
    let mta = await startMta({ config: { 'channel:tcp_local.daemon': '127.0.0.1', 'channel:tcp_local.port': old.port } })
    cleanup.push(() => mta.stop())
    expect(await pySubmit(mta.ports.SUBMISSION, 'friend@remote.test', { mail: ['RET=HDRS', 'ENVID=E-42'], rcpt: ['NOTIFY=SUCCESS,FAILURE', 'ORCPT=rfc822;Friend@remote.test'], subject: 'tell me', messageId: '<rel-1@example.org>' })).toBe('ok')
    await waitFor(() => mta.inbox('joe') === 1, 'relayed DSN')
    const [dsn] = await texts(mta, 'joe')
    expect(dsn).toContain('Subject: Delivery Notification: Relayed')
    expect(dsn).toMatch(/Original-Envelope-Id: E-42\r\n/)
    expect(dsn).toMatch(/Original-Recipient: rfc822;Friend@remote\.test\r\nFinal-Recipient: rfc822;friend@remote\.test\r\nAction: relayed\r\nStatus: 2\.0\.0\r\nRemote-MTA: dns;127\.0\.0\.1/)
    expect(dsn).toContain('Content-Type: text/rfc822-headers') // RET=HDRS
    expect(old.seen).toEqual([{ rcpt: 'friend@remote.test', notify: undefined, orcpt: undefined, ret: undefined, envid: undefined }])

    const peer = await smtpPeer(false)
    cleanup.push(() => peer.close())
    mta = await startMta({ config: { 'channel:tcp_local.daemon': '127.0.0.1', 'channel:tcp_local.port': peer.port } })
    cleanup.push(() => mta.stop())
    expect(await pySubmit(mta.ports.SUBMISSION, 'friend@remote.test', { mail: ['RET=HDRS', 'ENVID=E-42'], rcpt: ['NOTIFY=SUCCESS,FAILURE', 'ORCPT=rfc822;Friend@remote.test'], subject: 'tell me', messageId: '<rel-1@example.org>' })).toBe('ok')
    await waitFor(() => / tcp_local DE /.test(mta.mailLog()) && mta.queue.pendingCount() === 0, 'relayed with DSN passed on')
    expect(peer.seen).toEqual([{ rcpt: 'friend@remote.test', notify: ['SUCCESS', 'FAILURE'], orcpt: 'rfc822;Friend@remote.test', ret: 'HDRS', envid: 'E-42' }])
    expect(mta.inbox('joe')).toBe(0) // the next hop reports success itself
  })

  it('two-tier: tcp_lmtpcs delivers by LMTP to a second Wren (tcp_lmtpss) with per-recipient results', async () => {
    const store = await startMta({ localDomains: ['store.test'], users: [{ uid: 'joe', mail: 'joe@store.test' }, { uid: 'amy', mail: 'amy@store.test' }] })
    cleanup.push(() => store.stop())
    const relay = await startMta({ realPolicy: true, config: {
      'rewrite.rule': ['store.test $U%$D@lmtpcs-daemon'],
      'channel:tcp_lmtpcs.daemon': '127.0.0.1', 'channel:tcp_lmtpcs.port': store.ports.LMTP,
    } })
    cleanup.push(() => relay.stop())
    const r = await swaks(['--server', `127.0.0.1:${relay.ports.SMTP}`, '--from', 'x@example.org', '--to', 'joe@store.test,amy@store.test,nobody@store.test'])
    expect(r.code).toBe(0)
    await waitFor(() => store.inbox('joe') === 1 && store.inbox('amy') === 1, 'LMTP deliveries in the second store')
    await waitFor(() => / tcp_lmtpcs R\S* 1 x@example\.org rfc822;nobody@store\.test .*lmtp;550 5\.1\.1/.test(relay.mailLog()), 'R for the unknown recipient')
    const log = relay.mailLog()
    expect(log).toMatch(/ tcp_intranet tcp_lmtpcs EE 1 x@example\.org rfc822;joe@store\.test joe@store\.test/)
    expect(log).toMatch(/ tcp_lmtpcs DL 1 x@example\.org rfc822;joe@store\.test joe@store\.test .*lmtp;250 /)
    expect(log).toMatch(/ tcp_lmtpcs DL 1 x@example\.org rfc822;amy@store\.test amy@store\.test/)
    expect(store.mailLog()).toMatch(/ tcp_lmtpss ims-ms EL 1 x@example\.org rfc822;joe@store\.test joe@ims-ms-daemon/)
    const [msg] = await texts(store, 'joe')
    expect(msg).toMatch(/^Return-Path: <x@example\.org>\r\n/)
  })

  it('outbound STARTTLS: opportunistic to a TLS peer (DES); musttls to a peer without it waits with 4.7.0', async () => {
    const peer = await startMta({ localDomains: ['store.test'], users: [{ uid: 'joe', mail: 'joe@store.test' }] })
    cleanup.push(() => peer.stop())
    const mta = await startMta({ config: { 'channel:tcp_local.daemon': '127.0.0.1', 'channel:tcp_local.port': peer.ports.SMTP } })
    cleanup.push(() => mta.stop())
    await swaks(['--server', `127.0.0.1:${mta.ports.SMTP}`, '--from', 'x@example.org', '--to', 'joe@store.test'])
    await waitFor(() => peer.inbox('joe') === 1, 'delivery over TLS')
    await waitFor(() => / tcp_local DES 1 x@example\.org rfc822;joe@store\.test /.test(mta.mailLog()), 'DES record')
    expect(peer.mailLog()).toMatch(/ tcp_intranet ims-ms EES 1 x@example\.org /)

    const sink = await startSink() // postfix smtp-sink offers no STARTTLS
    cleanup.push(() => sink.stop())
    const strict = await startMta({ config: { 'channel:tcp_local.daemon': '127.0.0.1', 'channel:tcp_local.port': sink.port, 'channel:tcp_local.musttls': 1 } })
    cleanup.push(() => strict.stop())
    await swaks(['--server', `127.0.0.1:${strict.ports.SMTP}`, '--from', 'x@example.org', '--to', 'joe@store.test'])
    await waitFor(() => / tcp_local Q 1 x@example\.org rfc822;joe@store\.test joe@store\.test .*4\.7\.0 TLS required/.test(strict.mailLog()), 'Q record with 4.7.0')
    expect(strict.queue.pendingCount()).toBe(1)
  })
})
