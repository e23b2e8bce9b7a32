// The manual's mail.log sequences (spec 01 §22 "Tests"), each checked against what Wren writes: the
// action codes, their order and the field order `date time src [dst] CODE size from orig-to current-to …`.
import { afterEach, describe, expect, it } from 'vitest'
import { SMTPServer } from 'smtp-server'
import { startMta, startSink, swaks, waitFor, type Mta } from './harness.js'

const LINE = /^(\d\d-[A-Z][a-z]{2}-\d{4}) (\d\d:\d\d:\d\d\.\d\d) (\S+) (?:(\S+) )?([A-Z]{1,5}) (\d+) (\S*) (\S*) (\S*)(?: (.*))?$/
interface Rec { src: string; dst?: string; code: string; size: number; from: string; orig: string; to: string; rest: string }
function records(mta: Mta): Rec[] {
  return mta.mailLog().split('\n').filter(Boolean).map((l) => {
    const m = LINE.exec(l)
    if (!m) throw new Error(`not a mail.log line: ${l}`)
    return { src: m[3], dst: m[4], code: m[5], size: Number(m[6]), from: m[7], orig: m[8], to: m[9], rest: m[10] ?? '' }
  })
}
const shape = (r: Rec) => `${r.src}${r.dst ? ` ${r.dst}` : ''} ${r.code}`

describe('mail.log sequences (spec 01 §22)', () => {
  const cleanup: Array<() => unknown> = []
  afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c() })

  it('outbound: tcp_intranet tcp_local EE, then tcp_local DE … smtp;250', async () => {
    const sink = await startSink()
    cleanup.push(() => sink.stop())
    const mta = await startMta({ config: { 'channel:tcp_local.daemon': '127.0.0.1', 'channel:tcp_local.port': sink.port } })
    cleanup.push(() => mta.stop())
    await swaks(['--server', `127.0.0.1:${mta.ports.SMTP}`, '--from', 'joe@example.org', '--to', 'friend@remote.test'])
    await waitFor(() => records(mta).some((r) => r.code === 'DE'), 'DE record')
    const rs = records(mta)
    expect(rs.map(shape)).toEqual(['tcp_intranet tcp_local EE', 'tcp_local DE'])
    expect(rs[0]).toMatchObject({ size: 1, from: 'joe@example.org', orig: 'rfc822;friend@remote.test', to: 'friend@remote.test' })
    expect(rs[1]).toMatchObject({ from: 'joe@example.org', orig: 'rfc822;friend@remote.test', to: 'friend@remote.test' })
    // `dns;host (TCP|local ip|port|remote ip|port) (banner) smtp;250 …` as in the manual's outbound example
    expect(rs[1].rest).toMatch(/^dns;127\.0\.0\.1 \(TCP\|127\.0\.0\.1\|\d+\|127\.0\.0\.1\|\d+\) \(.+ESMTP.*\) smtp;250 /)
  })

  it('list expansion: one EE per member, sharing the message id, each with orig-to rfc822;<list>', async () => {
    const mta = await startMta({
      config: { 'mta.log_message_id': 1 },
      users: [{ uid: 'a', mail: 'a@example.org' }, { uid: 'b', mail: 'b@example.org' }, { uid: 'c', mail: 'c@example.org' }],
      groups: [{ mail: 'test-list@example.org', members: ['a@example.org', 'b@example.org', 'c@example.org'] }],
    })
    cleanup.push(() => mta.stop())
    await swaks(['--server', `127.0.0.1:${mta.ports.SMTP}`, '--from', 'x@remote.test', '--to', 'test-list@example.org', '--h-Message-Id', '<list-1@remote.test>'])
    await waitFor(() => records(mta).filter((r) => r.code === 'D').length === 3, '3 D records')
    const ee = records(mta).filter((r) => r.code === 'EE')
    expect(ee.map(shape)).toEqual(['tcp_intranet ims-ms EE', 'tcp_intranet ims-ms EE', 'tcp_intranet ims-ms EE'])
    expect(ee.map((r) => r.orig)).toEqual(['rfc822;test-list@example.org', 'rfc822;test-list@example.org', 'rfc822;test-list@example.org'])
    expect(ee.map((r) => r.to).sort()).toEqual(['a@ims-ms-daemon', 'b@ims-ms-daemon', 'c@ims-ms-daemon'])
    for (const r of ee) expect(r.rest).toContain('<list-1@remote.test>')
  })

  it('bad domain: E, R … Illegal host/domain name found, bounces to the sender and postmaster with an empty From and <new>,<orig>', async () => {
    const mta = await startMta({ config: { 'mta.log_message_id': 1, 'channel:defaults.copysendpost': 1 } })
    cleanup.push(() => mta.stop())
    await swaks(['--server', `127.0.0.1:${mta.ports.SMTP}`, '--from', 'joe@example.org', '--to', 'someone@no-such-domain.invalid', '--h-Message-Id', '<bad-1@example.org>'])
    await waitFor(() => records(mta).filter((r) => r.src === 'ims-ms' && r.code === 'D').length === 2, 'both notifications delivered')
    const rs = records(mta)
    expect(rs[0]).toMatchObject({ src: 'tcp_intranet', dst: 'tcp_local', code: 'EE', orig: 'rfc822;someone@no-such-domain.invalid' })
    const r = rs.find((x) => x.code.startsWith('R'))!
    expect(r).toMatchObject({ src: 'tcp_local', from: 'joe@example.org', to: 'someone@no-such-domain.invalid' })
    expect(r.rest).toMatch(/Illegal host\/domain name found/)
    // The manual: the bounce is enqueued to `process` (tcp_local process E) before the original's R,
    // then expanded by the process channel (process ims-ms E) and delivered (ims-ms D).
    const bounces = rs.filter((x) => x.code === 'E' && x.src === 'tcp_local')
    expect(bounces.map((b) => [b.dst, b.from, b.orig])).toEqual([['process', '', 'rfc822;joe@example.org'], ['process', '', 'rfc822;postmaster@example.org']])
    for (const b of bounces) expect(b.rest).toMatch(/<[^>]+>,<bad-1@example\.org>/)
    const rIndex = rs.findIndex((x) => x.code.startsWith('R'))
    expect(rs.indexOf(bounces[bounces.length - 1]!)).toBeLessThan(rIndex)
    expect(rs.filter((x) => x.src === 'process' && x.code === 'E').map((x) => x.dst)).toEqual(['ims-ms', 'ims-ms'])
    expect(rs.filter((x) => x.src === 'ims-ms' && x.code === 'D').map((x) => x.to).sort()).toEqual(['joe@ims-ms-daemon', 'postmaster@ims-ms-daemon'])
  })

  it('remote 550: tcp_local R … smtp;550 5.1.1; relay denied: JE 0 … 530 5.7.1', async () => {
    const sink = await startSink(['-f', 'rcpt', '-B', '550 5.1.1 unknown user'])
    cleanup.push(() => sink.stop())
    const mta = await startMta({ internalIps: [], config: { 'channel:tcp_local.daemon': '127.0.0.1', 'channel:tcp_local.port': sink.port } })
    cleanup.push(() => mta.stop())
    await swaks(['--server', `127.0.0.1:${mta.ports.SUBMISSION}`, '--tls', '--auth', 'PLAIN', '--auth-user', 'joe', '--auth-password', 'joepass',
      '--from', 'joe@example.org', '--to', 'nonesuch@remote.test'])
    await waitFor(() => records(mta).some((r) => r.code.startsWith('R')), 'R record')
    const r = records(mta).find((x) => x.code.startsWith('R'))!
    expect(shape(r)).toBe('tcp_local RE')
    expect(r.rest).toMatch(/smtp;550 5\.1\.1 unknown user/)
    await swaks(['--server', `127.0.0.1:${mta.ports.SMTP}`, '--from', 'harold@example.net', '--to', 'alan@very.bogus.com', '--quit-after', 'RCPT'])
    await waitFor(() => records(mta).some((x) => x.code === 'JE'), 'JE record')
    const j = records(mta).find((x) => x.code === 'JE')!
    expect(j).toMatchObject({ src: 'tcp_local', dst: undefined, size: 0, from: 'harold@example.net', orig: 'rfc822;alan@very.bogus.com', to: 'alan@very.bogus.com' })
    expect(j.rest).toMatch(/530 5\.7\.1 /)
  })

  it('retries: Q (ZZ) → Q (ZY) → Q (ZX) → DE', async () => {
    let tries = 0
    const peer = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
      onRcptTo(_a, _s, cb) { tries++; cb(tries <= 3 ? Object.assign(new Error('4.2.0 busy, try later'), { responseCode: 450 }) : undefined) } })
    await new Promise<void>((r) => peer.listen(0, '127.0.0.1', () => r()))
    cleanup.push(() => new Promise<void>((r) => peer.close(() => r())))
    const port = (peer.server.address() as { port: number }).port
    const mta = await startMta({ config: { 'mta.log_filename': 1, 'channel:tcp_local.daemon': '127.0.0.1', 'channel:tcp_local.port': port, 'channel:tcp_local.backoff': 'PT0.2S' } })
    cleanup.push(() => mta.stop())
    await swaks(['--server', `127.0.0.1:${mta.ports.SMTP}`, '--from', 'joe@example.org', '--to', 'busy@remote.test'])
    await waitFor(() => records(mta).some((r) => r.code === 'DE'), 'DE record', 20_000)
    const rs = records(mta)
    expect(rs.map(shape)).toEqual(['tcp_intranet tcp_local EE', 'tcp_local Q', 'tcp_local Q', 'tcp_local Q', 'tcp_local DE'])
    const files = rs.filter((r) => r.code === 'Q').map((r) => /\/(Z[ZYX])[^/\s]+/.exec(r.rest)?.[1])
    expect(files).toEqual(['ZZ', 'ZY', 'ZX'])
  }, 30_000)

  it('LOG_CONNECTION=3: + O, EE, + C inbound; - O, DE and - C outbound, in mail.log', async () => {
    const sink = await startSink()
    cleanup.push(() => sink.stop())
    const mta = await startMta({ config: { 'mta.log_connection': 3, 'channel:tcp_local.daemon': '127.0.0.1', 'channel:tcp_local.port': sink.port } })
    cleanup.push(() => mta.stop())
    await swaks(['--server', `127.0.0.1:${mta.ports.SMTP}`, '--from', 'joe@example.org', '--to', 'friend@remote.test'])
    const kinds = () => mta.mailLog().split('\n').filter(Boolean).map((l) => {
      const c = /^\S+ \S+ (\S+) ([+-]) ([A-Z]) (TCP\|\S+)/.exec(l)
      if (c) return `${c[2]} ${c[3]}`
      return LINE.exec(l)?.[5] ?? '?'
    })
    await waitFor(() => kinds().includes('- C') && kinds().includes('+ C'), 'both connections closed')
    const k = kinds()
    expect(k.indexOf('+ O')).toBeLessThan(k.indexOf('EE'))
    expect(k.indexOf('EE')).toBeLessThan(k.lastIndexOf('+ C'))
    expect(k.indexOf('- O')).toBeLessThan(k.indexOf('DE'))
    // The manual's order: the connection closes after the DE record is written
    expect(k.indexOf('DE')).toBeLessThan(k.indexOf('- C'))
    expect(k.filter((x) => x === '- C')).toHaveLength(1)
    expect(mta.mailLog()).toMatch(/ tcp_local \+ O TCP\|127\.0\.0\.1\|\d+\|127\.0\.0\.1\|\d+ SMTP/)
    expect(mta.mailLog()).toMatch(/ tcp_local - O TCP\|127\.0\.0\.1\|\d+\|127\.0\.0\.1\|\d+ SMTP\/remote\.test\/127\.0\.0\.1/)
  })
})
