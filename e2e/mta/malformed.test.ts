// Malformed SMTP gets the right replies and never crashes or wedges the listener.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { inboxTexts, smtpSession, startMta, swaks, waitFor, type Mta } from './harness.js'
import { RawSmtpClient } from '../../packages/mta/src/dispatcher/smtp-engine/raw-smtp-client.js'

const Raw = RawSmtpClient
type Raw = RawSmtpClient

const session = smtpSession

describe('malformed SMTP', () => {
  let mta: Mta
  beforeAll(async () => { mta = await startMta() })
  afterAll(async () => { await mta.stop() })

  const stillServes = async () => {
    const r = await swaks(['--server', `127.0.0.1:${mta.ports.SMTP}`, '--from', 'x@remote.test', '--to', 'joe@example.org'])
    expect(r.out).toMatch(/250 2\.5\.0 Ok/)
  }

  it('bad syntax gets 5xx and the session continues', async () => {
    const c = await session(mta)
    expect(await c.cmd('MAIL FROM:<<<broken')).toMatch(/^501 /)
    expect(await c.cmd('MAIL FROM:<a b@remote.test>')).toMatch(/^501 5\.1\.7 /) // an unquoted space (RFC 5321 §4.1.2)
    expect(await c.cmd('XYZZY')).toMatch(/^500 /)
    expect(await c.cmd('RCPT TO:<joe@example.org>')).toMatch(/^503 /)
    expect(await c.cmd('MAIL FROM:<a@remote.test>')).toMatch(/^250 /)
    expect(await c.cmd('RCPT TO:<"jo e"@example.org>')).toMatch(/^550 5\.1\.1 /) // valid syntax, no such user
    expect(await c.cmd('RCPT TO:<joe@example.org>')).toMatch(/^250 /)
    expect(await c.cmd('QUIT')).toMatch(/^221 /)
  })

  it('bad commands are logged as B records, at most mta.max_b_entries (10) per session; AUTH data never', async () => {
    const c = await session(mta)
    expect(await c.cmd('AUTH PLAIN c2VjcmV0LXBhc3N3b3Jk')).toMatch(/^5\d\d /)
    for (let i = 0; i < 12; i++) {
      const r = await c.cmd(`BOGUS${i}`)
      if (r.startsWith('421')) break
      expect(r).toMatch(/^500 5\.5\.2 /)
    }
    c.close()
    // (the manual's J line shows the shape: `from rfc822; to reply`, the orig-to empty)
    await waitFor(() => / B 0 .* BOGUS8 /.test(mta.mailLog()), 'B records')
    const log = mta.mailLog()
    expect(log).toMatch(/ tcp_\w+ B 0  rfc822; AUTH PLAIN .* 538 5\.7\.11 /)
    expect(log).toMatch(/ tcp_\w+ B 0  rfc822; BOGUS0 .* 500 5\.5\.2 Error: command not recognized/)
    expect(log.match(/ B 0 .* (BOGUS\d+|AUTH PLAIN) /g)).toHaveLength(10) // the 10th error also ends the session (421)
    expect(log).not.toContain('c2VjcmV0')
  })

  it('8-bit header without SMTPUTF8 → 554 5.6.7; with SMTPUTF8 accepted', async () => {
    const c = await session(mta)
    await c.cmd('MAIL FROM:<a@remote.test>'); await c.cmd('RCPT TO:<joe@example.org>')
    expect(await c.cmd('DATA')).toMatch(/^354/)
    c.send(Buffer.concat([Buffer.from('Subject: caf'), Buffer.from([0xc3, 0xa9]), Buffer.from('\r\n\r\nbody\r\n.\r\n')]))
    expect(await c.reply()).toMatch(/^554 5\.6\.7 /)
    expect(await c.cmd('MAIL FROM:<a@remote.test> SMTPUTF8')).toMatch(/^250 /)
    await c.cmd('RCPT TO:<joe@example.org>')
    expect(await c.cmd('DATA')).toMatch(/^354/)
    c.send(Buffer.concat([Buffer.from('Subject: caf'), Buffer.from([0xc3, 0xa9]), Buffer.from('\r\n\r\nbody\r\n.\r\n')]))
    expect(await c.reply()).toMatch(/^250 2\.5\.0/)
    c.close()
  })

  it('a body line longer than 998 octets is accepted and kept whole; a header line over 64 KB → 554 5.6.0, nothing queued', async () => {
    await waitFor(() => mta.queue.pendingCount() === 0, 'queue empty')
    const before = mta.inbox('joe')
    const c = await session(mta)
    await c.cmd('MAIL FROM:<a@remote.test>'); await c.cmd('RCPT TO:<joe@example.org>')
    await c.cmd('DATA')
    c.send(`Subject: long\r\n\r\n${'x'.repeat(5000)}\r\n.\r\n`)
    expect(await c.reply()).toMatch(/^250 2\.5\.0/)
    await waitFor(() => mta.inbox('joe') === before + 1, 'delivered')
    expect((await inboxTexts(mta, 'joe')).some((m) => m.includes(`\r\n${'x'.repeat(5000)}\r\n`))).toBe(true)
    await c.cmd('MAIL FROM:<a@remote.test>'); await c.cmd('RCPT TO:<joe@example.org>')
    await c.cmd('DATA')
    c.send(`Subject: long\r\nX-Long: ${'y'.repeat(70_000)}\r\n\r\nbody\r\n.\r\n`)
    expect(await c.reply()).toMatch(/^554 5\.6\.0 Header line longer than 65536 octets/)
    expect(await c.cmd('NOOP')).toMatch(/^250/)
    c.close()
    await new Promise((r) => setTimeout(r, 300))
    expect(mta.queue.pendingCount()).toBe(0)
    expect(mta.inbox('joe')).toBe(before + 1)
  })

  it('oversize (SIZE declared and actual) → 552', async () => {
    const c = await session(mta)
    expect(await c.cmd('MAIL FROM:<a@remote.test> SIZE=5000000')).toMatch(/^552 /)
    expect(await c.cmd('MAIL FROM:<a@remote.test>')).toMatch(/^250 /)
    await c.cmd('RCPT TO:<joe@example.org>')
    await c.cmd('DATA')
    const line = 'y'.repeat(900) + '\r\n'
    c.send('Subject: big\r\n\r\n' + line.repeat(1300) + '.\r\n')
    expect(await c.reply()).toMatch(/^552 /)
    c.close()
  })

  it('a bare-LF storm is accepted and stored with CRLF line ends', async () => {
    const n = mta.inbox('ann')
    const c = await session(mta)
    await c.cmd('MAIL FROM:<a@remote.test>'); await c.cmd('RCPT TO:<ann@example.org>')
    await c.cmd('DATA')
    c.send('Subject: lf\n\n' + 'bare line\n'.repeat(20000) + '\r\n.\r\n')
    expect(await c.reply()).toMatch(/^250 /)
    c.close()
    await waitFor(() => mta.inbox('ann') === n + 1, 'delivery')
    const view = mta.store.session('ann').open('INBOX', { readOnly: true })
    const body = (await view.read(view.uids().at(-1)!)).toString('latin1')
    view.close()
    expect(body).toContain('bare line\r\nbare line\r\n')
    expect(/[^\r]\n/.test(body)).toBe(false)
  })

  it('a looping message (too many Received: lines) is sidelined as .HELD and not delivered', async () => {
    const n = mta.inbox('joe')
    const c = await session(mta)
    await c.cmd('MAIL FROM:<loop@remote.test>'); await c.cmd('RCPT TO:<joe@example.org>')
    await c.cmd('DATA')
    c.send(Array.from({ length: 60 }, (_, i) => `Received: from hop${i}.test by hop${i + 1}.test; Mon, 1 Jan 2024 00:00:00 +0000\r\n`).join('') + 'Subject: loop\r\n\r\nx\r\n.\r\n')
    expect(await c.reply()).toMatch(/^250 /)
    c.close()
    await waitFor(() => mta.queue.index.count({ held: true, sender: 'loop@remote.test' }) === 1, 'held entry')
    const files = readdirSync(join(mta.dataRoot, 'queue', 'ims-ms'))
    expect(files.some((f) => /^ZZ.*\.HELD$/.test(f))).toBe(true)
    await new Promise((r) => setTimeout(r, 500))
    expect(mta.inbox('joe')).toBe(n)
  })

  it('early pipelining before the greeting and a flood of junk do not wedge the listener', async () => {
    const c = await Raw.open(mta.ports.SMTP)
    c.send('EHLO early\r\nMAIL FROM:<a@remote.test>\r\nRCPT TO:<joe@example.org>\r\nDATA\r\n')
    const replies: string[] = []
    for (let i = 0; i < 3 && !c.closed; i++) replies.push(await c.reply().catch(() => 'none'))
    expect(replies[0]).toMatch(/^(220|421|554)/)
    c.close()
    const junk = await Raw.open(mta.ports.SMTP)
    await junk.reply()
    junk.send(Buffer.alloc(200_000, 0x41))
    junk.send('\r\n'.repeat(100))
    await new Promise((r) => setTimeout(r, 300))
    junk.close()
    const many = await Promise.all(Array.from({ length: 20 }, () => Raw.open(mta.ports.SMTP)))
    for (const m of many) { m.send('HELO x\r\n\x00\x01\x02garbage\r\n'); }
    for (const m of many) m.close()
    await stillServes()
  })
})
