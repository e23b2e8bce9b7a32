import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, renameSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { staticConfigView } from '@wren/kernel'
import { XMLValidator } from 'fast-xml-parser'
import { formatLogRecord } from './format.js'
import { DEFAULT_LOG_OPTIONS, logOptionsFromConfig, type LogOptions } from './options.js'
import { parseLogLine, parseLogText } from './parse.js'
import { ACTION_CODES, type ActionCode, type MessageLogRecord } from './record.js'
import { openMailLog } from './writer.js'
import { readMailLog } from './read.js'
import { msUntilMidnight, rolloverMailLogs } from './rollover.js'

const opts = (o: Partial<LogOptions> = {}): LogOptions => ({ ...DEFAULT_LOG_OPTIONS, ...o })
const at = (y: number, mo: number, d: number, h: number, mi: number, s: number, cs: number) => new Date(y, mo - 1, d, h, mi, s, cs * 10)

const dirs: string[] = []
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'wren-maillog-')); dirs.push(d); return d }

describe('mail.log line format (spec 01 §22)', () => {
  it('writes the manual’s basic enqueue line', () => {
    const line = formatLogRecord({
      time: at(2007, 2, 16, 14, 54, 13, 72), action: 'E', modifiers: 'E', source: 'tcp_local', destination: 'ims-ms',
      bytes: 700, from: 'adam@example.com', originalTo: 'marlowe@example.org', to: 'marlowe@ims-ms-daemon',
    }, opts())
    expect(line).toBe('16-Feb-2007 14:54:13.72 tcp_local ims-ms EE 1 adam@example.com rfc822;marlowe@example.org marlowe@ims-ms-daemon')
  })

  it('writes every optional field in the manual’s order (LOG_PROCESS, NOTARY, FILENAME, MESSAGE_ID, USERNAME, CONNECTION)', () => {
    const o = opts({ process: true, notary: true, filename: true, messageId: true, username: true, connection: 1 })
    const rec: MessageLogRecord = {
      time: at(2007, 2, 16, 15, 4, 1, 14), process: '2bbe.5.3', action: 'E', modifiers: 'E', source: 'tcp_local', destination: 'ims-ms',
      blocks: 1, from: 'service@example.org', originalTo: 'adam@example.com', to: 'adam@ims-ms-daemon', notary: 20,
      filename: '/opt/sun/comms/messaging64/data/queue/ims-ms/000/ZZf0r2i0HIaY1.01', messageId: '<0JDJ00803FAON200@mailstore.example.org>',
      username: 'mailsrv', sourceSystem: 'example.org (example.org [192.160.253.66])',
    }
    const line = formatLogRecord(rec, o)
    expect(line).toBe('16-Feb-2007 15:04:01.14 2bbe.5.3 tcp_local ims-ms EE 1 service@example.org rfc822;adam@example.com adam@ims-ms-daemon 20 /opt/sun/comms/messaging64/data/queue/ims-ms/000/ZZf0r2i0HIaY1.01 <0JDJ00803FAON200@mailstore.example.org> mailsrv example.org (example.org [192.160.253.66])')
    // optional fields stay out when their option is off
    expect(formatLogRecord(rec, opts())).toBe('16-Feb-2007 15:04:01.14 tcp_local ims-ms EE 1 service@example.org rfc822;adam@example.com adam@ims-ms-daemon')
    const back = parseLogLine(line, o)!
    expect(back).toMatchObject({ kind: 'message', process: '2bbe.5.3', action: 'E', modifiers: 'E', source: 'tcp_local', destination: 'ims-ms', blocks: 1, notary: 20, filename: rec.filename, messageId: rec.messageId, username: 'mailsrv', sourceSystem: rec.sourceSystem })
    expect(back.time.getTime()).toBe(rec.time!.getTime())
  })

  it('relay denied: J record with the SMTP reply (manual example)', () => {
    const line = formatLogRecord({
      time: at(2007, 2, 26, 14, 10, 6, 89), action: 'J', modifiers: 'E', source: 'tcp_local', blocks: 0,
      from: 'harold@example.org', originalTo: '', to: 'alan@very.bogus.com', diagnostic: '530 5.7.1 Relaying not allowed: alan@very.bogus.com',
    }, opts())
    expect(line).toBe('26-Feb-2007 14:10:06.89 tcp_local JE 0 harold@example.org rfc822; alan@very.bogus.com 530 5.7.1 Relaying not allowed: alan@very.bogus.com')
    expect(parseLogLine(line)).toMatchObject({ action: 'J', modifiers: 'E', source: 'tcp_local', blocks: 0, from: 'harold@example.org', originalTo: 'rfc822;', to: 'alan@very.bogus.com', diagnostic: '530 5.7.1 Relaying not allowed: alan@very.bogus.com' })
  })

  it('SMTP dequeue with transport and banner (LOG_CONNECTION bits 0, 5, 6)', () => {
    const o = opts({ connection: 1 + 32 + 64 })
    const rec: MessageLogRecord = {
      time: at(2007, 2, 16, 15, 41, 34, 73), action: 'D', modifiers: 'E', source: 'tcp_local', blocks: 1,
      from: 'adam@example.com', originalTo: 'marlowe@example.org', to: 'marlowe@example.org',
      sourceSystem: 'thor.example.org dns;thor.example.org', transport: 'TCP|206.184.139.12|2788|192.160.253.66|25',
      application: 'thor.example.org ESMTP Sendmail ready Thu 15 Feb 2007 21:37:29 -0700 [MST]',
      diagnostic: 'smtp;250 2.1.5 <marlowe@example.org>... Receipt ok',
    }
    const line = formatLogRecord(rec, o)
    expect(line).toBe('16-Feb-2007 15:41:34.73 tcp_local DE 1 adam@example.com rfc822;marlowe@example.org marlowe@example.org thor.example.org dns;thor.example.org (TCP|206.184.139.12|2788|192.160.253.66|25) (thor.example.org ESMTP Sendmail ready Thu 15 Feb 2007 21:37:29 -0700 [MST]) smtp;250 2.1.5 <marlowe@example.org>... Receipt ok')
    expect(parseLogLine(line, o)).toMatchObject({ sourceSystem: rec.sourceSystem, transport: rec.transport, application: rec.application, diagnostic: rec.diagnostic })
    expect(parseLogLine(line)).toMatchObject({ sourceSystem: rec.sourceSystem, transport: rec.transport, application: rec.application, diagnostic: rec.diagnostic })
  })

  it('remote 550: the manual’s RE record with LOG_FILENAME, LOG_MESSAGE_ID, LOG_BANNER, LOG_TRANSPORTINFO', () => {
    const o = opts({ filename: true, messageId: true, banner: true, transportInfo: true })
    const line = formatLogRecord({
      time: at(2007, 2, 26, 13, 56, 35, 20), action: 'R', modifiers: 'E', source: 'tcp_local', blocks: 1,
      from: 'adam@example.com', originalTo: 'nonesuch@example.org', to: 'nonesuch@example.org',
      filename: '/opt/sun/comms/messaging64/data/queue/tcp_local/000/ZZf0s690a3mf2.01', messageId: '<0JE100J08UU24H00@example.com>',
      sourceSystem: 'thor.example.org dns;thor.example.org', transport: 'TCP|206.184.139.12|2788|192.160.253.66|25',
      application: 'thor.example.org -- Server ESMTP [Sun Java System Messaging Server 6.2-8.01 [built Feb 16 2007]]',
      diagnostic: 'smtp;550 5.1.1 unknown or illegal alias: nonesuch@example.org',
    }, o)
    expect(line).toBe('26-Feb-2007 13:56:35.20 tcp_local RE 1 adam@example.com rfc822;nonesuch@example.org nonesuch@example.org /opt/sun/comms/messaging64/data/queue/tcp_local/000/ZZf0s690a3mf2.01 <0JE100J08UU24H00@example.com> thor.example.org dns;thor.example.org (TCP|206.184.139.12|2788|192.160.253.66|25) (thor.example.org -- Server ESMTP [Sun Java System Messaging Server 6.2-8.01 [built Feb 16 2007]]) smtp;550 5.1.1 unknown or illegal alias: nonesuch@example.org')
    expect(parseLogLine(line, o)).toMatchObject({ action: 'R', modifiers: 'E', sourceSystem: 'thor.example.org dns;thor.example.org', transport: 'TCP|206.184.139.12|2788|192.160.253.66|25', application: 'thor.example.org -- Server ESMTP [Sun Java System Messaging Server 6.2-8.01 [built Feb 16 2007]]', diagnostic: 'smtp;550 5.1.1 unknown or illegal alias: nonesuch@example.org' })
  })

  it('connection records, inbound and outbound (LOG_CONNECTION=3 examples)', () => {
    const o = opts({ connection: 3 })
    const open = formatLogRecord({ kind: 'connection', time: at(2007, 2, 28, 11, 50, 59, 10), channel: 'tcp_local', direction: '+', action: 'O', transport: 'TCP|206.184.139.12|25|192.160.253.66|1244', application: 'SMTP' }, o)
    expect(open).toBe('28-Feb-2007 11:50:59.10 tcp_local + O TCP|206.184.139.12|25|192.160.253.66|1244 SMTP')
    const out = formatLogRecord({ kind: 'connection', time: at(2007, 2, 28, 9, 13, 19, 87), process: '40a5.2.0', channel: 'tcp_local', direction: '-', action: 'O', transport: 'TCP|206.184.139.12|5900|206.184.139.66|25', application: 'SMTP/hostb.example.com/mailhub.example.com' }, opts({ process: true }))
    expect(out).toBe('28-Feb-2007 09:13:19.87 40a5.2.0 tcp_local - O TCP|206.184.139.12|5900|206.184.139.66|25 SMTP/hostb.example.com/mailhub.example.com')
    expect(parseLogLine(out)).toMatchObject({ kind: 'connection', process: '40a5.2.0', channel: 'tcp_local', direction: '-', action: 'O', transport: 'TCP|206.184.139.12|5900|206.184.139.66|25', application: 'SMTP/hostb.example.com/mailhub.example.com' })
    const close = formatLogRecord({ kind: 'connection', time: at(2007, 2, 28, 11, 51, 15, 66), channel: 'tcp_local', direction: '+', action: 'C', transport: 'TCP|206.184.139.12|25|192.160.253.66|1244', application: 'SMTP', diagnostic: 'QUIT received' }, o)
    expect(parseLogLine(close)).toMatchObject({ action: 'C', diagnostic: 'QUIT received' })
  })

  it('LOG_FORMAT=4: the manual’s <co> sample exactly, and <en>/<he> elements', () => {
    const o = opts({ format: 4, process: true })
    const co = formatLogRecord({ kind: 'connection', time: at(2004, 12, 8, 0, 38, 28, 41), process: '1074b3.61.281', channel: 'tcp_local', direction: '+', action: 'O', transport: 'TCP|209.55.107.55|25|209.55.107.104|33469', application: 'SMTP' }, o)
    expect(co).toBe('<co ts="2004-12-08T00:38:28.41" pi="1074b3.61.281" sc="tcp_local" dr="+" ac="O" tr="TCP|209.55.107.55|25|209.55.107.104|33469" ap="SMTP"/>')
    const he = formatLogRecord({ kind: 'header', time: at(2004, 12, 8, 0, 38, 31, 41), process: '1074b3.61.281', value: 'Subject: foo' }, o)
    expect(he).toBe('<he ts="2004-12-08T00:38:31.41" pi="1074b3.61.281" va="Subject: foo"/>')
    expect(parseLogLine(he)).toMatchObject({ kind: 'header', value: 'Subject: foo', process: '1074b3.61.281' })
    const en = formatLogRecord({ time: at(2004, 12, 8, 0, 40, 26, 70), process: '0d3730.10.43', action: 'E', source: 'tcp_local', destination: 'l', blocks: 12, from: 'a"b@example.com', originalTo: 'ned+2Bcharsets@mauve.sun.com', to: 'ned+charsets@mauve.sun.com', messageId: '<11a3b401c4dd01$7c1c1ee0$1906fad0@elara>' }, { ...o, messageId: true })
    expect(en).toBe('<en ts="2004-12-08T00:40:26.70" pi="0d3730.10.43" sc="tcp_local" dc="l" ac="E" sz="12" so="a&quot;b@example.com" od="rfc822;ned+2Bcharsets@mauve.sun.com" de="ned+charsets@mauve.sun.com" mi="&lt;11a3b401c4dd01$7c1c1ee0$1906fad0@elara>"/>')
    expect(parseLogLine(en)).toMatchObject({ kind: 'message', action: 'E', source: 'tcp_local', destination: 'l', blocks: 12, from: 'a"b@example.com', messageId: '<11a3b401c4dd01$7c1c1ee0$1906fad0@elara>' })
  })

  it('parses the manual’s <en> sample', () => {
    const line = '<en ts="2004-12-08T00:40:26.70" pi="0d3730.10.43" sc="tcp_local" dc="1" ac="E" sz="12" so="info-E8944AE8D033CB92C2241E@whittlesong.com" od="rfc822;ned+2Bcharsets@mauve.sun.com" de="ned+charsets@mauve.sun.com" rf="22" fi="/path/ZZ01LI4XPX0DTM00IKA8.00" ei="01LI4XPQR2EU00IKA8@mauve.sun.com" mi="&lt;11a3b401c4dd01$7c1c1ee0$1906fad0@elara>" us="" ss="elara.whittlesong.com ([208.250.6.25])" in="ned+charsets@mauve.sun.com" ia="ietf-charsets@innosoft.com" fl="spamfilter1:rvLiXh158xWdQKa9iJ0d7Q==, addheader, keep"/>'
    expect(parseLogLine(line)).toMatchObject({
      kind: 'message', process: '0d3730.10.43', source: 'tcp_local', destination: '1', action: 'E', blocks: 12,
      from: 'info-E8944AE8D033CB92C2241E@whittlesong.com', notary: 22, filename: '/path/ZZ01LI4XPX0DTM00IKA8.00',
      envelopeId: '01LI4XPQR2EU00IKA8@mauve.sun.com', messageId: '<11a3b401c4dd01$7c1c1ee0$1906fad0@elara>', username: '',
      sourceSystem: 'elara.whittlesong.com ([208.250.6.25])',
    })
  })

  it('parses the manual’s sample lines without knowing the options', () => {
    const lines = [
      '20-Feb-2007 14:17:08.46 tcp_local R 1 adam@example.com rfc822;user@very.bogus.com user@very.bogus.com /opt/sun/comms/messaging64/data/queue/tcp_local/008/ZZf0r2D0CVaL0.00 <0JDQ00903RS89T00@example.com> Illegal host/domain name found (TCP active open: Failed gethostbyname() on very.bogus.com, resolver errno = 1)',
      '20-Feb-2007 14:17:08.24 tcp_local process E 1  rfc822;adam@example.com adam@example.com /opt/sun/comms/messaging64/data/queue/process/ZZf0r2D0CVbR0.00 <0JDQ00904RSK9Z00@example.com>,<0JDQ00903RS89T00@example.com> tcp-daemon.mailhost.example.com',
      '26-Feb-2007 16:58:11.20 tcp_local Q 1 adam@example.com rfc822;user@some.org user@some.org /opt/sun/comms/messaging64/data/queue/tcp_local/001/ZYf0s690kN_y0.01 <0JE100L05WRJIC00@example.com> TCP active open: Failed connect() 192.1.1.1:25 Error: no route to host',
      '20-Feb-2007 14:00:16.68 ims-ms D 1 adam@example.com rfc822;test-list@example.com bob@ims-ms-daemon /opt/sun/comms/messaging64/data/queue/ims-ms/008/ZZf0r2D0yuej6.01 <0JDQ00706R0FX100@example.com>',
      '28-Feb-2007 11:51:15.12 tcp_local ims-ms EE 1 service@example.org rfc822;adam@example.com adam@ims-ms-daemon THOR.EXAMPLE.ORG (THOR.EXAMPLE.ORG [192.160.253.66])',
      '28-Feb-2007 09:13:20.50 40a5.2.6 tcp_local - C TCP|206.184.139.12|5901|206.184.139.70|25 SMTP/hosta.example.com/hosta.example.com',
      '28-Feb-2007 09:13:20.23 40a5.3.4 tcp_local - 0 TCP|206.184.139.12|5901|206.184.139.70|25 SMTP/hosta.example.com/hosta.example.com',
      '26-Feb-2007 15:31:04.73 conversion ims-ms E 1 amy@example.edu rfc822;bert@example.com bert@ims-ms-daemon /opt/sun/comms/messaging64/data/queue/ims-ms/007/ZZf0s090wMwq1.00 <0JE100206Z7J5F00@example.edu>',
    ]
    const [r, bounce, q, d, ee, c, o, conv] = lines.map((l) => parseLogLine(l))
    expect(r).toMatchObject({ action: 'R', source: 'tcp_local', filename: '/opt/sun/comms/messaging64/data/queue/tcp_local/008/ZZf0r2D0CVaL0.00', messageId: '<0JDQ00903RS89T00@example.com>', diagnostic: 'Illegal host/domain name found (TCP active open: Failed gethostbyname() on very.bogus.com, resolver errno = 1)' })
    expect(r!.kind === 'message' && r!.destination).toBeUndefined()
    expect(bounce).toMatchObject({ action: 'E', source: 'tcp_local', destination: 'process', from: '', originalTo: 'rfc822;adam@example.com', to: 'adam@example.com', messageId: '<0JDQ00904RSK9Z00@example.com>,<0JDQ00903RS89T00@example.com>', sourceSystem: 'tcp-daemon.mailhost.example.com' })
    expect(q).toMatchObject({ action: 'Q', filename: expect.stringContaining('/ZYf0s690kN_y0.01'), diagnostic: 'TCP active open: Failed connect() 192.1.1.1:25 Error: no route to host' })
    expect(d).toMatchObject({ action: 'D', source: 'ims-ms', to: 'bob@ims-ms-daemon' })
    expect(ee).toMatchObject({ action: 'E', modifiers: 'E', sourceSystem: 'THOR.EXAMPLE.ORG (THOR.EXAMPLE.ORG [192.160.253.66])' })
    expect(c).toMatchObject({ kind: 'connection', action: 'C', direction: '-', process: '40a5.2.6' })
    expect(o).toMatchObject({ kind: 'connection', action: 'O' })
    expect(conv).toMatchObject({ source: 'conversion', destination: 'ims-ms', action: 'E' })
    expect(parseLogText(lines.join('\n') + '\n\nnot a log line\n')).toHaveLength(lines.length)
  })

  it('reads the manual’s sequences: list expansion shares one message id; retries show ZZ → ZY → ZX then DE', () => {
    const o = { filename: true, messageId: true, format: 1 as const }
    const list = parseLogText([
      '20-Feb-2007 14:00:16.46 tcp_local tcp_local EE 1 adam@example.com rfc822;test-list@example.com carol@example.org /opt/sun/comms/messaging64/data/queue/tcp_local/004/ZZf0r2D0yuej4.01 <0JDQ00706R0FX100@example.com> example.org (example.org [192.160.253.66])',
      '20-Feb-2007 14:00:16.47 tcp_local tcp_local EE 1 adam@example.com rfc822;test-list@example.com david@example.org /opt/sun/comms/messaging64/data/queue/tcp_local/004/ZZf0r2D0yuej4.01 <0JDQ00706R0FX100@example.com> example.org (example.org [192.160.253.66])',
      '20-Feb-2007 14:00:16.48 tcp_local ims-ms EE 1 adam@example.com rfc822;test-list@example.com bob@ims-ms-daemon /opt/sun/comms/messaging64/data/queue/ims-ms/008/ZZf0r2D0yuej6.01 <0JDQ00706R0FX100@example.com> example.org (example.org [192.160.253.66])',
    ].join('\n'), { ...o, connection: 1 })
    expect(list.map((l) => l.kind === 'message' && [l.action + (l.modifiers ?? ''), l.originalTo, l.to, l.messageId])).toEqual([
      ['EE', 'rfc822;test-list@example.com', 'carol@example.org', '<0JDQ00706R0FX100@example.com>'],
      ['EE', 'rfc822;test-list@example.com', 'david@example.org', '<0JDQ00706R0FX100@example.com>'],
      ['EE', 'rfc822;test-list@example.com', 'bob@ims-ms-daemon', '<0JDQ00706R0FX100@example.com>'],
    ])
    const retries = parseLogText([
      '26-Feb-2007 14:38:16.27 tcp_intranet tcp_local EE 1 adam@example.com rfc822;user@some.org user@some.org /opt/sun/comms/messaging64/data/queue/tcp_local/001/ZZf0s690kN_y0.00 <0JE100L05WRJIC00@example.com>',
      '26-Feb-2007 14:38:16.70 tcp_local Q 1 adam@example.com rfc822;user@some.org user@some.org /opt/sun/comms/messaging64/data/queue/tcp_local/001/ZZf0s690kN_y0.00 <0JE100L05WRJIC00@example.com> TCP active open: Failed connect() 192.1.1.1:25 Error: no route to host',
      '26-Feb-2007 16:58:11.20 tcp_local Q 1 adam@example.com rfc822;user@some.org user@some.org /opt/sun/comms/messaging64/data/queue/tcp_local/001/ZYf0s690kN_y0.01 <0JE100L05WRJIC00@example.com> TCP active open: Failed connect() 192.1.1.1:25 Error: no route to host',
      '26-Feb-2007 19:15:12.11 tcp_local Q 1 adam@example.com rfc822;user@some.org user@some.org /opt/sun/comms/messaging64/data/queue/tcp_local/001/ZXf0s690kN_y0.00 <0JE100L05WRJIC00@example.com> TCP active open: Failed connect() 192.1.1.1:25 Error: Connection refused',
      '26-Feb-2007 22:41:12.63 tcp_local DE 1 adam@example.com rfc822;user@some.org user@some.org /opt/sun/comms/messaging64/data/queue/tcp_local/001/ZXf0s690kN_y0.00 <0JE100L05WRJIC00@example.com> host.some.org dns;host.some.org (TCP|206.184.139.12|2788|192.1.1.1|25) (All set, fire away) smtp;250 2.1.5 <user@some.org >... Recipient ok',
    ].join('\n'), { ...o, connection: 1 + 32 + 64 })
    expect(retries.map((l) => l.kind === 'message' && `${l.action}${l.modifiers ?? ''}:${l.filename!.split('/').pop()!.slice(0, 2)}`)).toEqual(['EE:ZZ', 'Q:ZZ', 'Q:ZY', 'Q:ZX', 'DE:ZX'])
    expect(retries[4]).toMatchObject({ transport: 'TCP|206.184.139.12|2788|192.1.1.1|25', application: 'All set, fire away', diagnostic: 'smtp;250 2.1.5 <user@some.org >... Recipient ok' })
  })

  const codes = Object.keys(ACTION_CODES) as ActionCode[]
  for (const format of [1, 2, 3, 4] as const) {
    it(`round-trips every action code in LOG_FORMAT=${format}`, () => {
      const o = opts({ format, process: true, notary: true, filename: true, messageId: true, username: true, connection: 1 + 32 + 64, queueTime: true })
      for (const action of codes) {
        const rec: MessageLogRecord = {
          time: at(2026, 11, 24, 10, 11, 12, 34), process: '1f2e.3.4', action, modifiers: action === 'D' ? 'ESQ' : 'E',
          source: 'tcp_local', ...(action === 'E' || action === 'V' ? { destination: 'ims-ms' } : {}), bytes: 2049,
          from: action === 'R' ? '' : format >= 3 ? 'a b@example.com' : '"a.b"@example.com', originalTo: 'rcpt@example.org', to: action === 'J' ? '' : 'rcpt@ims-ms-daemon',
          notary: 22, filename: '/data/queue/ims-ms/000/ZZabc.00', messageId: '<id1@example.com>', username: '*adam@example.com',
          sourceSystem: 'client.example (client.example [192.0.2.1])', transport: 'TCP|192.0.2.10|25|192.0.2.1|4444', application: 'SMTP',
          queueTime: 7, diagnostic: 'smtp;250 2.1.5 ok',
        }
        const line = formatLogRecord(rec, o)
        const back = parseLogLine(line, o)
        expect(back, line).toBeDefined()
        expect(back, line).toMatchObject({
          kind: 'message', process: '1f2e.3.4', action, modifiers: rec.modifiers, source: 'tcp_local', blocks: 3,
          from: rec.from, to: rec.to, notary: 22, filename: rec.filename, messageId: rec.messageId, username: rec.username,
          sourceSystem: rec.sourceSystem, transport: rec.transport, application: 'SMTP', queueTime: 7, diagnostic: rec.diagnostic,
        })
        expect(back!.kind === 'message' ? back!.destination : null).toBe(rec.destination)
        expect(back!.time.getTime()).toBe(rec.time!.getTime())
        expect(formatLogRecord(back!, o)).toBe(line)
        if (format === 4) expect(XMLValidator.validate(line)).toBe(true)
        expect(line).not.toContain('\n')
      }
    })
  }

  it('LOG_FORMAT=2 writes <> for empty addresses; LOG_FORMAT=3 counts variable fields', () => {
    const rec: MessageLogRecord = { time: at(2026, 1, 2, 3, 4, 5, 6), action: 'E', source: 'tcp_local', destination: 'process', blocks: 1, from: '', originalTo: 'adam@example.com', to: 'adam@example.com' }
    expect(formatLogRecord(rec, opts({ format: 2 }))).toBe('02-Jan-2026 03:04:05.06 tcp_local process E 1 <> rfc822;adam@example.com adam@example.com')
    expect(formatLogRecord(rec, opts({ format: 3 }))).toBe('02-Jan-2026 03:04:05.06 9 tcp_local 7 process E 1 0  23 rfc822;adam@example.com 16 adam@example.com')
    expect(parseLogLine(formatLogRecord(rec, opts({ format: 3 })))).toMatchObject({ source: 'tcp_local', destination: 'process', from: '', to: 'adam@example.com' })
  })

  it('reads the LOG_* options from mta.* (or bare) option names', () => {
    const o = logOptionsFromConfig(staticConfigView({ 'mta.log_format': 4, log_connection: '3', 'mta.separate_connection_log': 1, 'mta.log_message_id': 1, 'mta.block_size': 2048 }))
    expect(o).toMatchObject({ format: 4, connection: 3, separateConnectionLog: true, messageId: true, filename: false, blockSize: 2048 })
  })
})

describe('MailLog writer and rollover', () => {
  it('writes only for logging channels, connection records to connection.log when separate', async () => {
    const dataRoot = tmp()
    const log = openMailLog({
      dataRoot, options: { connection: 1, separateConnectionLog: true, process: true },
      channelLogging: (c) => c === 'tcp_local' || c === 'ims-ms',
    })
    log.message({ action: 'E', modifiers: 'E', source: 'tcp_local', destination: 'ims-ms', bytes: 10, from: 'a@x', originalTo: 'b@y', to: 'b@ims-ms-daemon' })
    log.message({ action: 'E', source: 'bitbucket', destination: 'hold', bytes: 10, from: 'a@x', originalTo: 'b@y', to: 'b@y' })
    log.connection({ channel: 'tcp_local', direction: '+', action: 'O', transport: 'TCP|127.0.0.1|25|127.0.0.1|5000', application: 'SMTP' })
    log.connection({ channel: 'tcp_local', direction: '+', action: 'U', transport: 'TCP|127.0.0.1|25|127.0.0.1|5000', application: 'SMTP' }) // needs bit 128
    log.header('Subject: not in format 1')
    await log.close()
    const mail = parseLogText(readFileSync(join(dataRoot, 'log', 'mail.log_current'), 'utf8'))
    expect(mail).toHaveLength(1)
    expect(mail[0]).toMatchObject({ action: 'E', source: 'tcp_local', destination: 'ims-ms', process: expect.stringMatching(/^[0-9a-f]+\.1$/) })
    const conn = parseLogText(readFileSync(join(dataRoot, 'log', 'connection.log_current'), 'utf8'))
    expect(conn).toHaveLength(1)
    const streamed = []
    for await (const r of readMailLog(join(dataRoot, 'log', 'mail.log_current'))) streamed.push(r)
    expect(streamed.map((r) => r.raw)).toEqual(mail.map((r) => r.raw))
    expect(conn[0]).toMatchObject({ kind: 'connection', action: 'O', direction: '+' })
  })

  it('the nightly job runs at local midnight', () => {
    expect(msUntilMidnight(new Date(2026, 10, 24, 23, 59, 30))).toBe(30_000)
    expect(msUntilMidnight(new Date(2026, 10, 24, 0, 0, 0))).toBe(86_400_000)
  })

  it('batches lines and follows a rollover; the second rollover appends yesterday to mail.log', async () => {
    const dataRoot = tmp()
    const logDir = join(dataRoot, 'log')
    const log = openMailLog({ dataRoot, flushIntervalMs: 10_000 })
    const rec = (to: string): MessageLogRecord => ({ action: 'D', source: 'ims-ms', bytes: 1, from: 'a@x', originalTo: to, to })
    log.message(rec('day1@x'))
    expect(existsSync(join(logDir, 'mail.log_current'))).toBe(false) // still buffered
    await log.flush()
    expect(await rolloverMailLogs(logDir)).toEqual(['mail.log'])
    log.message(rec('day2@x'))
    await log.flush()
    writeFileSync(join(logDir, 'connection.log_current'), '')
    expect(await rolloverMailLogs(logDir)).toEqual(['mail.log', 'connection.log'])
    log.message(rec('day3@x'))
    await log.close()
    const read = (f: string) => parseLogText(readFileSync(join(logDir, f), 'utf8')).map((r) => r.kind === 'message' ? r.to : '')
    expect(read('mail.log')).toEqual(['day1@x'])
    expect(read('mail.log_yesterday')).toEqual(['day2@x'])
    expect(read('mail.log_current')).toEqual(['day3@x'])
    expect(existsSync(join(logDir, 'connection.log_yesterday'))).toBe(true)
  })

  it('sync() writes at once; a rollover by another process is followed within a second', async () => {
    const logDir = join(tmp(), 'log')
    const log = openMailLog({ logDir, flushIntervalMs: 60_000 })
    const rec = (to: string): MessageLogRecord => ({ action: 'D', source: 'ims-ms', bytes: 1, from: 'a@x', originalTo: to, to })
    const read = (f: string) => parseLogText(readFileSync(join(logDir, f), 'utf8')).map((r) => r.kind === 'message' ? r.to : '')
    log.message(rec('one@x'))
    log.sync()
    expect(read('mail.log_current')).toEqual(['one@x'])
    // another process renames the file (its reopenMailLogs() does not reach this one)
    renameSync(join(logDir, 'mail.log_current'), join(logDir, 'mail.log_yesterday'))
    log.message(rec('two@x'))
    log.sync()
    expect(read('mail.log_yesterday')).toEqual(['one@x', 'two@x']) // (the open file, renamed)
    await new Promise((r) => setTimeout(r, 1100))
    log.message(rec('three@x'))
    log.sync()
    expect(read('mail.log_current')).toEqual(['three@x'])
    await log.close()
  })
})
