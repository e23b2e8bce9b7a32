// The engine over loopback: raw socket conversations (PIPELINING, DATA framing, SIZE, AUTH,
// STARTTLS, LMTP, DSN parameters, bad sequences, limits).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RawSmtpClient } from './raw-smtp-client.js'
import { SmtpEngineServer, SmtpError, type EngineOptions, type MailFrom, type RcptTo, type SmtpHandler, type SmtpReply } from './index.js'

const Raw = RawSmtpClient
type Raw = RawSmtpClient

interface Msg { from: MailFrom; rcpts: RcptTo[]; body: string; user?: string }

/** A handler that keeps messages in memory; `bad…` recipients get 550, `slow…` ones wait. */
function memoryHandler(msgs: Msg[], lmtp = false): SmtpHandler {
  return {
    connect: async (s) => { if (s.remoteAddress === '203.0.113.9') throw new SmtpError(421, '4.7.1', 'Connection declined') },
    auth: async (_s, u, p) => { if (u === 'joe' && p === 'secret') return 'joe'; throw new SmtpError(535, '5.7.8', 'Authentication credentials invalid') },
    mailFrom: (_s, f) => { if (f.address === 'spam@x.test') throw new SmtpError(550, '5.7.1', 'Sender refused') },
    rcptTo: async (_s, r) => {
      if (r.address.startsWith('slow')) await new Promise((res) => setTimeout(res, 30))
      if (r.address.startsWith('bad')) throw new SmtpError(550, '5.1.1', `unknown user: ${r.address}`)
    },
    data: (s) => {
      const parts: Buffer[] = []
      return {
        write: (c) => { parts.push(Buffer.from(c)); return c.length % 2 ? new Promise<void>((r) => setImmediate(r)) : undefined },
        end: async (tooBig): Promise<SmtpReply | SmtpReply[]> => {
          if (tooBig) return { code: 552, text: 'x' }
          msgs.push({ from: s.mailFrom!, rcpts: [...s.rcpts], body: Buffer.concat(parts).toString('latin1'), user: s.user })
          if (lmtp) return s.rcpts.map((r) => (r.address.startsWith('full') ? { code: 452, enhanced: '4.2.2', text: 'mailbox full' } : { code: 250, enhanced: '2.1.5', text: `delivered to ${r.address}` }))
          return { code: 250, enhanced: '2.5.0', text: `Ok, queued as M${msgs.length}` }
        },
        abort: () => {},
      }
    },
    disconnected: () => {},
  }
}

const base: EngineOptions = {
  hostname: 'mx.test', banner: 'Wren', lmtp: false, implicitTls: false, starttls: true, authRequired: false, allowInsecureAuth: false,
  maxClients: 5, idleTimeout: 30_000, size: 10_000, maxRecipients: 3,
}

describe('SMTP engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wren-engine-'))
  let tls: { key: Buffer; cert: Buffer }
  const servers: SmtpEngineServer[] = []
  const msgs: Msg[] = []
  let smtp: number, submit: number, lmtp: number, smtps: number, tiny: number

  async function start(o: Partial<EngineOptions>, h: SmtpHandler = memoryHandler(msgs)): Promise<number> {
    const s = new SmtpEngineServer({ ...base, tls, ...o }, h)
    servers.push(s)
    return s.listen(0, '127.0.0.1')
  }

  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'),
      '-days', '2', '-subj', '/CN=mx.test'], { stdio: 'ignore' })
    tls = { key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }
    smtp = await start({})
    submit = await start({ authRequired: true })
    lmtp = await start({ lmtp: true, starttls: false }, memoryHandler(msgs, true))
    smtps = await start({ implicitTls: true, authRequired: true })
    tiny = await start({ maxClients: 2, idleTimeout: 300 })
  })
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()))
    rmSync(dir, { recursive: true, force: true })
  })

  async function session(port = smtp, helo = 'EHLO client.test'): Promise<Raw> {
    const c = await Raw.open(port)
    expect(await c.reply()).toMatch(/^220 mx\.test E?[SL]MTP Wren$/)
    expect(await c.cmd(helo)).toMatch(/^250/)
    return c
  }

  it('EHLO lists the extensions; HELO is plain; STARTTLS offered, AUTH not before TLS', async () => {
    const c = await Raw.open(smtp)
    await c.reply()
    const ehlo = await c.cmd('EHLO client.test')
    expect(ehlo.split('\r\n')).toEqual(['250-mx.test Nice to meet you, [127.0.0.1]', '250-PIPELINING', '250-8BITMIME', '250-SMTPUTF8',
      '250-ENHANCEDSTATUSCODES', '250-DSN', '250-STARTTLS', '250 SIZE 10000'])
    expect(await c.cmd('HELO client.test')).toBe('250 mx.test Nice to meet you, [127.0.0.1]')
    expect(await c.cmd('AUTH PLAIN AGpvZQBzZWNyZXQ=')).toMatch(/^538 5\.7\.11 /)
    expect(await c.cmd('QUIT')).toBe('221 2.0.0 Bye')
    expect(await c.reply()).toMatch(/^closed:/)
  })

  it('QUIT: 221, then the server closes at once — no waiting for a client that keeps its end open, no error from its reset', async () => {
    let disconnected = 0
    const port = await start({}, { ...memoryHandler(msgs), disconnected: () => { disconnected = Date.now() } })
    const sock = connect({ port, host: '127.0.0.1', allowHalfOpen: true })
    const c = new Raw(sock)
    expect(await c.reply()).toMatch(/^220 /)
    let ended = false
    sock.on('end', () => { ended = true })
    const t0 = Date.now()
    expect(await c.cmd('QUIT')).toBe('221 2.0.0 Bye')
    // the server's side is gone (its session ended) while this client still has its end open
    while ((!disconnected || !ended) && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 10))
    expect(disconnected - t0).toBeGreaterThanOrEqual(0)
    expect(disconnected - t0).toBeLessThan(1000)
    expect(ended).toBe(true)
    sock.resetAndDestroy() // (what smtp-source does: a reset the server no longer reads)
  })

  it('pipelined commands in one write are answered in order, in one write', async () => {
    const c = await session()
    c.reads.length = 0
    c.send('MAIL FROM:<a@x.test>\r\nRCPT TO:<slow1@y.test>\r\nRCPT TO:<bad@y.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n')
    const replies = [await c.reply(), await c.reply(), await c.reply(), await c.reply(), await c.reply()]
    expect(replies).toEqual(['250 2.1.0 Accepted', '250 2.1.5 Accepted', '550 5.1.1 unknown user: bad@y.test', '250 2.1.5 Accepted', '354 End data with <CR><LF>.<CR><LF>'])
    expect(c.reads.length).toBe(1)
    c.reads.length = 0
    c.send('Subject: p\r\n\r\nbody\r\n.\r\nMAIL FROM:<>\r\nRSET\r\nNOOP\r\nQUIT\r\n')
    expect(await c.reply()).toMatch(/^250 2\.5\.0 Ok, queued as M\d+$/)
    expect([await c.reply(), await c.reply(), await c.reply(), await c.reply()]).toEqual(['250 2.1.0 Accepted', '250 2.0.0 OK', '250 2.0.0 OK', '221 2.0.0 Bye'])
    expect(c.reads.length).toBe(1)
    expect(msgs.at(-1)!.rcpts.map((r) => r.address)).toEqual(['slow1@y.test', 'b@y.test'])
    expect(msgs.at(-1)!.body).toBe('Subject: p\r\n\r\nbody\r\n')
  })

  it('DATA split at every byte boundary around CRLF.CRLF, with dot-stuffing', async () => {
    const wire = 'Subject: s\r\n\r\n..dot\r\nend\r\n.\r\n'
    for (let i = wire.length - 12; i <= wire.length; i++) {
      const c = await session()
      await c.cmd('MAIL FROM:<a@x.test>'); await c.cmd('RCPT TO:<b@y.test>')
      expect(await c.cmd('DATA')).toMatch(/^354 /)
      c.send(wire.slice(0, i))
      await new Promise((r) => setTimeout(r, 15))
      c.send(wire.slice(i) + 'NOOP\r\n')
      expect(await c.reply()).toMatch(/^250 2\.5\.0 /)
      expect(await c.reply()).toBe('250 2.0.0 OK')
      expect(msgs.at(-1)!.body).toBe('Subject: s\r\n\r\n.dot\r\nend\r\n')
      c.close()
    }
  })

  it('SIZE: declared too big → 552 at MAIL; actual too big → 552 after the data is drained', async () => {
    const c = await session()
    expect(await c.cmd('MAIL FROM:<a@x.test> SIZE=20000')).toBe('552 5.3.4 Message size exceeds fixed maximum message size 10000')
    expect(await c.cmd('MAIL FROM:<a@x.test> SIZE=100')).toMatch(/^250 /)
    await c.cmd('RCPT TO:<b@y.test>')
    await c.cmd('DATA')
    const n = msgs.length
    c.send('Subject: big\r\n\r\n' + ('y'.repeat(98) + '\r\n').repeat(200) + '.\r\n')
    expect(await c.reply()).toBe('552 5.3.4 Message size exceeds fixed maximum message size 10000')
    expect(msgs.length).toBe(n)
    expect(await c.cmd('NOOP')).toBe('250 2.0.0 OK')
    c.close()
  })

  it('bad sequences and syntax: 503 / 501 / 500 / 555, and too many errors → 421', async () => {
    const c = await Raw.open(smtp)
    await c.reply()
    expect(await c.cmd('MAIL FROM:<a@x.test>')).toBe('503 5.5.1 Error: send HELO/EHLO first')
    expect(await c.cmd('EHLO')).toMatch(/^501 /)
    await c.cmd('EHLO c')
    expect(await c.cmd('RCPT TO:<b@y.test>')).toBe('503 5.5.1 Error: need MAIL command')
    expect(await c.cmd('DATA')).toBe('503 5.5.1 Error: need MAIL command')
    expect(await c.cmd('MAIL FROM:<<<broken')).toMatch(/^501 5\.1\.7 /)
    expect(await c.cmd('MAIL FROM:<a@x.test> FOO=1')).toMatch(/^555 5\.5\.4 /)
    expect(await c.cmd('MAIL FROM:<a@x.test>')).toMatch(/^250 /)
    expect(await c.cmd('MAIL FROM:<a@x.test>')).toBe('503 5.5.1 Error: nested MAIL command')
    expect(await c.cmd('DATA')).toBe('503 5.5.1 Error: need RCPT command')
    expect(await c.cmd('XYZZY')).toBe('500 5.5.2 Error: command not recognized')
    expect(await c.cmd(`NOOP ${'x'.repeat(5000)}`)).toBe('500 5.5.2 Line too long')
    // that was the 10th protocol error
    expect(await c.reply()).toMatch(/^421 4\.7\.0 mx\.test Too many errors/)
    expect(await c.reply()).toMatch(/^closed:/)
    const d = await session()
    expect(await d.cmd('VRFY joe')).toMatch(/^252 2\.1\.5 /)
    expect(await d.cmd('HELP')).toMatch(/^214 /)
    // known commands this server does not offer (RFC 5321 §4.2.4): 502, not 500
    for (const cmd of ['EXPN staff', 'ETRN example.org', 'BDAT 10 LAST']) expect(await d.cmd(cmd)).toBe('502 5.5.1 Command not implemented')
    expect(await d.cmd('MAIL FROM:<a@x.test>')).toMatch(/^250 /)
    expect(await d.cmd('RSET')).toBe('250 2.0.0 OK')
    expect(await d.cmd('MAIL FROM:<spam@x.test>')).toBe('550 5.7.1 Sender refused')
    expect(await d.cmd('MAIL FROM:<a@x.test>')).toMatch(/^250 /)
    d.close()
  })

  it('max recipients → 452; DSN parameters reach the handler decoded', async () => {
    const c = await session()
    await c.cmd('MAIL FROM:<a@x.test> RET=HDRS ENVID=QQ+2B1 BODY=8BITMIME SMTPUTF8')
    expect(await c.cmd('RCPT TO:<r1@y.test> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;r1+2Bx@y.test')).toMatch(/^250 /)
    expect(await c.cmd('RCPT TO:<r2@y.test> NOTIFY=NEVER')).toMatch(/^250 /)
    expect(await c.cmd('RCPT TO:<r3@y.test> NOTIFY=BOGUS')).toMatch(/^501 /)
    expect(await c.cmd('RCPT TO:<r3@y.test>')).toMatch(/^250 /)
    expect(await c.cmd('RCPT TO:<r4@y.test>')).toBe('452 4.5.3 Error: too many recipients')
    expect(await c.cmd('RCPT TO:<R1@y.test>')).toMatch(/^250 /) // a repeat does not count
    await c.cmd('DATA')
    c.send('x\r\n.\r\n')
    expect(await c.reply()).toMatch(/^250 /)
    const m = msgs.at(-1)!
    expect(m.from.params).toEqual({ ret: 'HDRS', envid: 'QQ+1', bodyType: '8bitmime', smtpUtf8: true })
    expect(m.rcpts.map((r) => [r.address, r.params])).toEqual([
      ['r1@y.test', { notify: ['SUCCESS', 'DELAY'], orcpt: 'rfc822;r1+x@y.test' }], ['r2@y.test', { notify: ['NEVER'] }], ['r3@y.test', {}]])
    c.close()
  })

  it('non-ASCII addresses need SMTPUTF8 (RFC 6531)', async () => {
    const c = await session()
    expect(await c.cmd('MAIL FROM:<jöe@x.test>')).toMatch(/^553 5\.6\.7 /)
    expect(await c.cmd('MAIL FROM:<jöe@x.test> SMTPUTF8')).toMatch(/^250 /)
    expect(await c.cmd('RCPT TO:<ünï@y.test>')).toMatch(/^250 /)
    c.close()
  })

  it('submission: 530 before AUTH; STARTTLS discards pipelined cleartext; AUTH PLAIN/LOGIN; cancel; bad credentials', async () => {
    const c = await session(submit)
    expect(await c.cmd('MAIL FROM:<a@x.test>')).toBe('530 5.7.0 Authentication required')
    // RFC 3207 §6: a command injected after STARTTLS in the same packet must not run
    c.send('STARTTLS\r\nRSET\r\n')
    expect(await c.reply()).toBe('220 2.0.0 Ready to start TLS')
    await c.startTls()
    expect(await c.cmd('MAIL FROM:<a@x.test>')).toBe('503 5.5.1 Error: send HELO/EHLO first')
    const ehlo = await c.cmd('EHLO client.test')
    expect(ehlo).toContain('250-AUTH PLAIN LOGIN')
    expect(ehlo).not.toContain('STARTTLS')
    expect(await c.cmd('STARTTLS')).toMatch(/^503 5\.5\.1 /)
    expect(await c.cmd('AUTH PLAIN')).toBe('334')
    expect(await c.cmd('*')).toBe('501 5.7.0 Authentication aborted')
    expect(await c.cmd(`AUTH PLAIN ${Buffer.from('\0joe\0wrong').toString('base64')}`)).toBe('535 5.7.8 Authentication credentials invalid')
    expect(await c.cmd('AUTH PLAIN !!!')).toMatch(/^501 /)
    expect(await c.cmd('AUTH LOGIN')).toBe('334 VXNlcm5hbWU6')
    expect(await c.cmd(Buffer.from('joe').toString('base64'))).toBe('334 UGFzc3dvcmQ6')
    expect(await c.cmd(Buffer.from('secret').toString('base64'))).toBe('235 2.7.0 Authentication successful')
    expect(await c.cmd('AUTH LOGIN')).toMatch(/^503 /)
    expect(await c.cmd('MAIL FROM:<joe@x.test>')).toMatch(/^250 /)
    await c.cmd('RCPT TO:<b@y.test>')
    await c.cmd('DATA')
    expect(await c.cmd('hi\r\n.')).toMatch(/^250 2\.5\.0 /)
    expect(msgs.at(-1)!.user).toBe('joe')
    c.close()
  })

  it('implicit TLS with AUTH PLAIN initial response', async () => {
    const c = await Raw.openTls(smtps)
    expect(await c.reply()).toMatch(/^220 /)
    expect(await c.cmd('EHLO c')).toContain('AUTH PLAIN LOGIN')
    expect(await c.cmd(`AUTH PLAIN ${Buffer.from('\0joe\0secret').toString('base64')}`)).toBe('235 2.7.0 Authentication successful')
    expect(await c.cmd('MAIL FROM:<joe@x.test>')).toMatch(/^250 /)
    c.close()
  })

  it('LMTP: LHLO, one reply per accepted RCPT after DATA; no AUTH, no STARTTLS, no EHLO', async () => {
    const c = await Raw.open(lmtp)
    expect(await c.reply()).toBe('220 mx.test LMTP Wren')
    expect(await c.cmd('EHLO c')).toMatch(/^500 /)
    const lhlo = await c.cmd('LHLO c')
    expect(lhlo).not.toMatch(/AUTH|STARTTLS/)
    expect(await c.cmd('STARTTLS')).toMatch(/^502 /)
    expect(await c.cmd('AUTH PLAIN')).toBe('502 5.5.1 Command not implemented')
    c.send('MAIL FROM:<a@x.test>\r\nRCPT TO:<u1@y.test>\r\nRCPT TO:<bad@y.test>\r\nRCPT TO:<full@y.test>\r\nDATA\r\n')
    expect([await c.reply(), await c.reply(), await c.reply(), await c.reply(), await c.reply()].map((r) => r.slice(0, 3))).toEqual(['250', '250', '550', '250', '354'])
    c.send('Subject: l\r\n\r\nx\r\n.\r\n')
    expect(await c.reply()).toBe('250 2.1.5 delivered to u1@y.test')
    expect(await c.reply()).toBe('452 4.2.2 mailbox full')
    expect(await c.cmd('QUIT')).toMatch(/^221 /)
  })

  it('max clients → 421; idle timeout → 421 and close; talking before the greeting → 421', async () => {
    const a = await Raw.open(tiny)
    const b = await Raw.open(tiny)
    await a.reply(); await b.reply()
    const c = await Raw.open(tiny)
    expect(await c.reply()).toMatch(/^421 4\.3\.2 mx\.test Too many connected clients/)
    expect(await a.reply(2000)).toMatch(/^421 4\.4\.2 mx\.test Timeout/)
    expect(await a.reply(2000)).toMatch(/^closed:/)
    b.close()
    const e = await new Promise<Raw>((resolve) => { const s = connect(smtp, '127.0.0.1', () => { s.write('EHLO early\r\n'); resolve(new Raw(s)) }) })
    expect(await e.reply()).toMatch(/^(421 4\.5\.0 mx\.test You talk too soon|220 )/)
    e.close()
  })

  it('a throwing handler costs only its own session', async () => {
    const port = await start({}, { ...memoryHandler(msgs), rcptTo: () => { throw new Error('boom') }, mailFrom: () => { throw new TypeError('x') } })
    const c = await session(port)
    expect(await c.cmd('MAIL FROM:<a@x.test>')).toBe('451 4.3.0 Internal error')
    c.close()
    const d = await session()
    expect(await d.cmd('NOOP')).toMatch(/^250 /)
    d.close()
  })

  it('junk (NULs, a huge line without CRLF, HTTP) never crashes the server', async () => {
    const c = await session()
    c.send(Buffer.alloc(100_000, 0x41))
    c.send('\r\n')
    expect(await c.reply()).toBe('500 5.5.2 Line too long')
    c.send('\x00\x01\x02garbage\r\n')
    expect(await c.reply()).toMatch(/^500 /)
    c.close()
    const h = await Raw.open(smtp)
    await h.reply()
    expect(await h.cmd('POST / HTTP/1.1')).toMatch(/^421 /)
    const d = await session()
    expect(await d.cmd('QUIT')).toMatch(/^221 /)
  })

  it('random input (commands, junk, DATA fragments) in random splits never crashes the server', async () => {
    let seed = 7
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n }
    const words = ['EHLO x\r\n', 'MAIL FROM:<a@x.test>\r\n', 'RCPT TO:<b@y.test>\r\n', 'DATA\r\n', '.\r\n', '\r\n.\r\n', 'AUTH PLAIN\r\n',
      'AUTH LOGIN\r\n', '*\r\n', 'STARTTLS\r\n', 'RSET\r\n', 'BDAT 10\r\n', '..\r\n', '\r', '\n', '\x00\xff', 'x'.repeat(700)]
    const aborts: number[] = []
    const port = await start({ maxClients: 0 }, { ...memoryHandler(msgs), data: (sess) => ({ ...memoryHandler(msgs).data(sess), abort: () => { aborts.push(1) } }) })
    await Promise.all(Array.from({ length: 40 }, async () => {
      const c = await Raw.open(port)
      for (let k = 0; k < 30 && !c.closed; k++) {
        let chunk = ''
        for (let j = rnd(6); j >= 0; j--) chunk += words[rnd(words.length)]
        c.send(Buffer.from(chunk, 'latin1'))
        if (rnd(3) === 0) await new Promise((r) => setTimeout(r, 1))
      }
      c.close()
    }))
    const d = await session(port)
    expect(await d.cmd('NOOP')).toBe('250 2.0.0 OK')
    d.close()
  })

  it('PORT_ACCESS refusal: the connect hook reply, then close', async () => {
    const port = await start({}, { ...memoryHandler(msgs), connect: () => { throw new SmtpError(421, '4.7.1', 'Connection declined at this time') } })
    const c = await Raw.open(port)
    expect(await c.reply()).toBe('421 4.7.1 Connection declined at this time')
    expect(await c.reply()).toMatch(/^closed:/)
  })
})
