// POP3 outside-in: python3 poplib (and raw sockets) against the real POP server over the real store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parsed, python, startPop, waitFor, type PopFixture } from './harness.js'


const MSG = (n: number, extra = '') =>
  Buffer.from(`From: a@example.com\r\nTo: joe@example.com\r\nSubject: message ${n}\r\nMessage-ID: <m${n}@example.com>\r\n\r\nline one of ${n}\r\n.leading dot\r\nline three\r\n${extra}`)

async function inbox(f: PopFixture, user: string): Promise<number[]> {
  const s = f.store.session(user)
  const v = s.open('INBOX', { readOnly: true })
  try { return Array.from(v.uids()) } finally { v.close(); s.close() }
}

describe('POP3 server (RFC 1939, 2449, 2595, 5034)', () => {
  let f: PopFixture
  beforeAll(async () => {
    f = await startPop()
    await f.addUser('joe', 'joe-secret')
    await f.addUser('mary', 'mary-secret')
    await f.addUser('held', 'held-secret', { inetUserStatus: 'hold' })
    await f.addUser('big', 'big-secret')
    for (let i = 1; i <= 3; i++) {
      const o = await f.store.deliver({ userid: 'joe' }, MSG(i))
      expect(o.ok).toBe(true)
    }
    await f.store.deliver({ userid: 'mary' }, MSG(9))
  })
  afterAll(async () => { await f?.close() })

  it('refuses plaintext login before STLS, then USER/PASS, STAT, LIST, UIDL, TOP, RETR over STLS', async () => {
    const r = await python(`
p = poplib.POP3("127.0.0.1", PORT, timeout=10)
res = {"welcome": b(p.getwelcome())}
res["capa_before"] = sorted(p.capa().keys())
try:
    p.user("joe")
    res["user_plain"] = "accepted"
except poplib.error_proto as e:
    res["user_plain"] = b(e.args[0])
p.stls(ctx)
res["capa_after"] = sorted(p.capa().keys())
p.user("joe"); res["pass"] = b(p.pass_("joe-secret"))
res["stat"] = list(p.stat())
res["list"] = [b(x) for x in p.list()[1]]
res["uidl"] = [b(x) for x in p.uidl()[1]]
res["uidl1"] = b(p.uidl(1))
res["top"] = [b(x) for x in p.top(2, 1)[1]]
resp, lines, octets = p.retr(1)
res["retr_resp"] = b(resp); res["retr"] = [b(x) for x in lines]; res["octets"] = octets
res["quit"] = b(p.quit())
out(res)
`, { PORT: f.port })
    expect(r.stderr).toBe('')
    const res = parsed(r)
    expect(res.welcome).toBe('+OK pop.test POP3 service (Wren Messaging Server)')
    expect(res.capa_before).toContain('STLS')
    expect(res.capa_before).not.toContain('USER')
    expect(res.user_plain).toMatch(/^-ERR \[AUTH\] Plaintext authentication disallowed/)
    expect(res.capa_after).toEqual(expect.arrayContaining(['USER', 'SASL', 'TOP', 'UIDL', 'PIPELINING', 'RESP-CODES']))
    expect(res.capa_after).not.toContain('STLS')
    expect(res.pass).toMatch(/^\+OK Maildrop has 3 messages/)
    const sizes = (res.list as string[]).map((l) => Number(l.split(' ')[1]))
    expect(res.stat).toEqual([3, sizes.reduce((a, b) => a + b, 0)])
    expect((res.list as string[]).map((l) => l.split(' ')[0])).toEqual(['1', '2', '3'])
    const uidls = (res.uidl as string[]).map((l) => l.split(' ')[1]!)
    expect(new Set(uidls).size).toBe(3)
    for (const u of uidls) expect(u).toMatch(/^\d+\.\d+$/)
    expect(res.uidl1).toBe(`+OK 1 ${uidls[0]}`)
    // TOP 2 1: the header, the blank line, one body line.
    expect(res.top.slice(-2)).toEqual(['', 'line one of 2'])
    expect(res.top).toContain('Subject: message 2')
    // RETR: byte-stuffing undone by the client, exact content.
    expect(res.retr_resp).toBe(`+OK ${sizes[0]} octets`)
    expect(res.retr).toEqual(MSG(1).toString().split('\r\n').slice(0, -1))
    expect(res.quit).toMatch(/^\+OK pop.test POP3 server signing off \(3 messages left\)/)
  })

  it('AUTH PLAIN with an initial response on the implicit-TLS port, and as a continuation', async () => {
    const r = await python(`
p = poplib.POP3_SSL("127.0.0.1", SSLPORT, context=ctx, timeout=10)
cred = base64.b64encode(b"\\0joe\\0joe-secret").decode()
res = {"auth": b(p._shortcmd("AUTH PLAIN " + cred))}
res["stat"] = list(p.stat())
p.quit()
p = poplib.POP3_SSL("127.0.0.1", SSLPORT, context=ctx, timeout=10)
res["cont"] = b(p._shortcmd("AUTH PLAIN"))
res["auth2"] = b(p._shortcmd(cred))
p.quit()
p = poplib.POP3_SSL("127.0.0.1", SSLPORT, context=ctx, timeout=10)
bad = base64.b64encode(b"\\0joe\\0wrong").decode()
try:
    p._shortcmd("AUTH PLAIN " + bad); res["bad"] = "accepted"
except poplib.error_proto as e:
    res["bad"] = b(e.args[0])
try:
    p._shortcmd("AUTH PLAIN"); p._shortcmd("*"); res["cancel"] = "accepted"
except poplib.error_proto as e:
    res["cancel"] = b(e.args[0])
p.quit()
out(res)
`, { PORT: f.port, SSLPORT: f.sslPort })
    expect(r.stderr).toBe('')
    const res = parsed(r)
    expect(res.auth).toMatch(/^\+OK Maildrop has \d+ messages/)
    expect(res.stat[0]).toBeGreaterThan(0)
    expect(res.cont).toBe('+ ')
    expect(res.auth2).toMatch(/^\+OK Maildrop has/)
    expect(res.bad).toBe('-ERR [AUTH] user not found')
    expect(res.cancel).toBe('-ERR Authentication cancelled')
    expect(f.logger.lines.some((l) => /^Account Notice: badlogin: \[127\.0\.0\.1:\d+\] plaintext joe authentication failure$/.test(l))).toBe(true)
    expect(f.logger.lines.some((l) => /^Account Information: login \[127\.0\.0\.1:\d+\] joe plaintext$/.test(l))).toBe(true)
  })

  it('DELE is applied only at QUIT; RSET undoes it; a dropped connection deletes nothing', async () => {
    const before = await inbox(f, 'joe')
    expect(before.length).toBe(3)
    const dropped = await python(`
p = poplib.POP3_SSL("127.0.0.1", SSLPORT, context=ctx, timeout=10)
p.user("joe"); p.pass_("joe-secret")
res = {"dele": b(p.dele(1)), "dele2": b(p.dele(2))}
try:
    p.retr(1); res["retr_deleted"] = "ok"
except poplib.error_proto as e:
    res["retr_deleted"] = b(e.args[0])
res["stat"] = list(p.stat())
p.sock.close()
out(res)
`, { PORT: f.port, SSLPORT: f.sslPort })
    const d = parsed(dropped)
    expect(d.dele).toBe('+OK message 1 deleted')
    expect(d.retr_deleted).toBe('-ERR message 1 already deleted')
    expect(d.stat[0]).toBe(1)
    // The session ends without UPDATE: the lock goes and every message stays.
    await waitFor(() => f.server.sessionCount === 0, 5000, 'session end')
    expect(await inbox(f, 'joe')).toEqual(before)

    const rset = await python(`
p = poplib.POP3_SSL("127.0.0.1", SSLPORT, context=ctx, timeout=10)
p.user("joe"); p.pass_("joe-secret")
p.dele(1); res = {"rset": b(p.rset()), "stat": list(p.stat())}
res["quit"] = b(p.quit())
out(res)
`, { PORT: f.port, SSLPORT: f.sslPort })
    const rs = parsed(rset)
    expect(rs.rset).toMatch(/^\+OK maildrop has 3 messages/)
    expect(rs.stat[0]).toBe(3)
    expect(await inbox(f, 'joe')).toEqual(before)

    const quit = await python(`
p = poplib.POP3_SSL("127.0.0.1", SSLPORT, context=ctx, timeout=10)
p.user("joe"); p.pass_("joe-secret")
p.dele(2)
out({"quit": b(p.quit())})
`, { PORT: f.port, SSLPORT: f.sslPort })
    expect(parsed(quit).quit).toMatch(/\(2 messages left\)/)
    expect(await inbox(f, 'joe')).toEqual([before[0], before[2]])
    expect(f.logger.lines.some((l) => l === 'Store Information: expunge:user/joe:<m2@example.com>')).toBe(true)
  })

  it('a second login to a locked maildrop gets [IN-USE]; the lock goes with the first session', async () => {
    const r = await python(`
a = poplib.POP3_SSL("127.0.0.1", SSLPORT, context=ctx, timeout=10)
a.user("mary"); a.pass_("mary-secret")
b2 = poplib.POP3_SSL("127.0.0.1", SSLPORT, context=ctx, timeout=10)
b2.user("mary")
res = {}
try:
    b2.pass_("mary-secret"); res["second"] = "accepted"
except poplib.error_proto as e:
    res["second"] = b(e.args[0])
a.quit()
b2.user("mary"); res["retry"] = b(b2.pass_("mary-secret"))
b2.quit()
out(res)
`, { PORT: f.port, SSLPORT: f.sslPort })
    const res = parsed(r)
    expect(res.second).toBe('-ERR [IN-USE] maildrop already locked by another session')
    expect(res.retry).toMatch(/^\+OK Maildrop has 1 message /)
  })

  it('malformed and out-of-state commands get -ERR and the session continues (pipelined)', async () => {
    const r = await python(`
s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
f = s.makefile("rb")
f.readline()
s.sendall(b"NOOP\\r\\nXYZZY\\r\\nSTAT\\r\\n" + b"USER " + b"x" * 400 + b"\\r\\nRETR\\r\\nCAPA\\r\\n")
lines = []
while True:
    l = f.readline().decode().rstrip("\\r\\n")
    lines.append(l)
    if l == ".": break
s.sendall(b"QUIT\\r\\n"); lines.append(f.readline().decode().rstrip("\\r\\n"))
out(lines)
`, { PORT: f.port })
    const lines = parsed(r) as string[]
    expect(lines[0]).toBe('-ERR NOOP not valid in the AUTHORIZATION state')
    expect(lines[1]).toBe('-ERR Unknown command')
    expect(lines[2]).toBe('-ERR STAT not valid in the AUTHORIZATION state')
    expect(lines[3]).toBe('-ERR Command line too long')
    expect(lines[4]).toBe('-ERR RETR not valid in the AUTHORIZATION state')
    expect(lines[5]).toBe('+OK Capability list follows')
    expect(lines.at(-1)).toMatch(/^\+OK pop.test POP3 server signing off/)
  })

  it('commands pipelined after STLS are discarded, not run under TLS (RFC 2595 §4)', async () => {
    const r = await python(`
s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
f = s.makefile("rb"); f.readline()
s.sendall(b"STLS\\r\\nUSER joe\\r\\n")
res = {"stls": f.readline().decode().strip()}
t = ctx.wrap_socket(s, server_hostname="localhost")
tf = t.makefile("rb")
t.sendall(b"PASS joe-secret\\r\\n")
res["pass"] = tf.readline().decode().strip()
t.sendall(b"QUIT\\r\\n"); tf.readline()
out(res)
`, { PORT: f.port })
    const res = parsed(r)
    expect(res.stls).toBe('+OK Begin TLS negotiation')
    // The injected USER was dropped, so PASS has no user to go with.
    expect(res.pass).toBe('-ERR USER first')
  })

  it('TRANSACTION-state errors: bad message numbers, wrong arguments, AUTH after login', async () => {
    const r = await python(`
p = poplib.POP3_SSL("127.0.0.1", SSLPORT, context=ctx, timeout=10)
p.user("mary"); p.pass_("mary-secret")
res = []
for cmd in ["RETR 0", "RETR 99", "RETR abc", "TOP 1", "TOP 1 x", "DELE", "LIST 5", "USER mary", "STLS"]:
    try:
        res.append(b(p._shortcmd(cmd)))
    except poplib.error_proto as e:
        res.append(b(e.args[0]))
res.append(b(p.noop()))
p.quit()
out(res)
`, { PORT: f.port, SSLPORT: f.sslPort })
    expect(parsed(r)).toEqual([
      '-ERR no such message', '-ERR no such message', '-ERR no such message', '-ERR Usage: TOP msg n',
      '-ERR Invalid line count', '-ERR Usage: DELE msg', '-ERR no such message',
      '-ERR USER not valid in the TRANSACTION state', '-ERR STLS not valid in the TRANSACTION state', '+OK',
    ])
  })

  it('wrong password and disabled accounts get [AUTH]; the close line counts the bytes', async () => {
    const r = await python(`
p = poplib.POP3("127.0.0.1", PORT, timeout=10)
p.stls(ctx)
res = {}
p.user("joe")
try:
    p.pass_("nope"); res["bad"] = "accepted"
except poplib.error_proto as e:
    res["bad"] = b(e.args[0])
p.user("held")
try:
    p.pass_("held-secret"); res["held"] = "accepted"
except poplib.error_proto as e:
    res["held"] = b(e.args[0])
try:
    p._shortcmd("PASS joe-secret"); res["nouser"] = "accepted"
except poplib.error_proto as e:
    res["nouser"] = b(e.args[0])
p.quit()
out(res)
`, { PORT: f.port })
    const res = parsed(r)
    expect(res.bad).toBe('-ERR [AUTH] user not found')
    expect(res.held).toBe('-ERR [AUTH] account disabled')
    expect(res.nouser).toBe('-ERR USER first')
    expect(f.logger.lines.some((l) => /badlogin: \[127\.0\.0\.1:\d+\] plaintext held account disabled \(hold\)$/.test(l))).toBe(true)
    await waitFor(() => f.logger.lines.some((l) => /^Account Notice: close \[127\.0\.0\.1\] \[unauthenticated\] \d{4}\/\d+\/\d+ \d+:\d\d:\d\d 0:00:\d\d \d+ \d+ 0$/.test(l)), 5000, 'close line')
  })

  it('large messages stream intact with byte-stuffing (RETR of 3 MB with dot lines)', async () => {
    const body = Array.from({ length: 60_000 }, (_, i) => (i % 7 === 0 ? `.dot line ${i}` : `body line ${i} ${'x'.repeat(30)}`)).join('\r\n')
    const big = Buffer.from(`Subject: big\r\nMessage-ID: <big@example.com>\r\n\r\n${body}\r\n`)
    expect((await f.store.deliver({ userid: 'big' }, big)).ok).toBe(true)
    const r = await python(`
import hashlib
p = poplib.POP3_SSL("127.0.0.1", SSLPORT, context=ctx, timeout=20)
p.user("big"); p.pass_("big-secret")
resp, lines, octets = p.retr(1)
data = b"\\r\\n".join(lines) + b"\\r\\n"
out({"len": len(data), "sha": hashlib.sha256(data).hexdigest(), "list": b(p.list(1))})
p.quit()
`, { PORT: f.port, SSLPORT: f.sslPort }, 60_000)
    const res = parsed(r)
    const { createHash } = await import('node:crypto')
    expect(res.len).toBe(big.length)
    expect(res.sha).toBe(createHash('sha256').update(big).digest('hex'))
    expect(res.list).toBe(`+OK 1 ${big.length}`)
  })
})

describe('POP3 limits', () => {
  it('pop.maxsessions refuses extra connections with [SYS/TEMP]; the idle timer closes idle sessions', async () => {
    const f = await startPop({ maxSessions: 1, idleTimeoutMs: 400 })
    try {
      const r = await python(`
import time
a = socket.create_connection(("127.0.0.1", PORT), timeout=10)
fa = a.makefile("rb"); res = {"first": fa.readline().decode().strip()}
c = socket.create_connection(("127.0.0.1", PORT), timeout=10)
res["second"] = c.makefile("rb").readline().decode().strip()
res["idle"] = fa.readline().decode().strip()
res["eof"] = fa.readline().decode()
out(res)
`, { PORT: f.port })
      const res = parsed(r)
      expect(res.first).toMatch(/^\+OK /)
      expect(res.second).toBe('-ERR [SYS/TEMP] Too many connections, try again later')
      expect(res.idle).toBe('-ERR Disconnected for inactivity')
      expect(res.eof).toBe('')
    } finally {
      await f.close()
    }
  })
})
