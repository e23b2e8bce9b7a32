// Outside-in: options `msconfig set` reports as "Applied without restart" really apply to the
// running dispatcher (review finding: the SIZE limit and LOG_CONNECTION changed only after
// `imsimta restart`). The real daemon with the dispatcher and job controller in their own processes;
// the real bin/msconfig; python smtplib as the client. The dispatcher's pid is the same before and
// after, and an SMTP session opened before the change is not dropped.
import { existsSync, readFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, run, startFlowDaemon, stopFlowDaemon, type FlowDaemon } from '../flow/clients.js'
import { envFor, status, svc, tempDataRoot, tool, until } from '../server/harness.js'

/** EHLO (SIZE keyword), a 21 KB message without SIZE= (the limit at end of DATA), then MAIL SIZE=. */
const CLIENT = `
import json, smtplib, sys
port, rcpt = int(sys.argv[1]), sys.argv[2]
s = smtplib.SMTP('127.0.0.1', port, timeout=30)
s.ehlo('client.test')
out = {'size': s.esmtp_features.get('size'), 'local_port': s.sock.getsockname()[1]}
body = ('Subject: refresh test\\r\\n\\r\\n' + ('x' * 70 + '\\r\\n') * 300).encode()
out['bytes'] = len(body)
out['mail'] = s.mail('sender@remote.test')[0]
c, m = s.rcpt(rcpt)
out['rcpt'] = [c, m.decode()]
if c == 250:
    c, m = s.data(body)
    out['data'] = [c, m.decode()]
s.rset()
c, m = s.mail('sender@remote.test', ['SIZE=%d' % len(body)])
out['mail_size'] = [c, m.decode()]
s.quit()
print(json.dumps(out))
`

interface ClientResult { size?: string; local_port: number; bytes: number; rcpt: [number, string]; data?: [number, string]; mail_size: [number, string] }

/** A raw SMTP connection held open across the refresh. */
function openSession(port: number): Promise<{ sock: Socket; cmd(line: string): Promise<string> }> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1')
    sock.setEncoding('utf8')
    let buf = ''
    let waiting: ((s: string) => void) | undefined
    sock.on('data', (d: string) => {
      buf += d
      // a complete reply: its last line is `NNN text`
      if (/(^|\r\n)\d{3} [^\r\n]*\r\n$/.test(buf) && waiting) { const w = waiting; waiting = undefined; const r = buf; buf = ''; w(r) }
    })
    sock.once('error', reject)
    const next = () => new Promise<string>((r) => { waiting = r; if (/(^|\r\n)\d{3} [^\r\n]*\r\n$/.test(buf)) { waiting = undefined; const x = buf; buf = ''; r(x) } })
    next().then((greeting) => {
      if (!greeting.startsWith('220')) return reject(new Error(`greeting: ${greeting}`))
      resolve({ sock, cmd: (line) => { const p = next(); sock.write(`${line}\r\n`); return p } })
    }, reject)
  })
}

describe('msconfig set of refreshable MTA options applies to the running dispatcher', () => {
  const dataRoot = tempDataRoot()
  let env: NodeJS.ProcessEnv
  let daemon: FlowDaemon | undefined
  let domain = ''
  const ports = { smtp: 0, submit: 0 }
  const mailLog = () => {
    const p = path.join(dataRoot, 'log', 'mail.log_current')
    return existsSync(p) ? readFileSync(p, 'utf8') : ''
  }
  const client = async (): Promise<ClientResult> => {
    const r = await run('python3', ['-c', CLIENT, String(ports.smtp), `admin@${domain}`])
    expect(r.code, r.out).toBe(0)
    return JSON.parse(r.out.trim().split('\n').pop()!) as ClientResult
  }
  const dispatcherPid = async () => svc(await status(env), 'dispatcher')?.pid

  beforeAll(async () => {
    ports.smtp = await freePort()
    ports.submit = await freePort()
    // (the listener ports come from WREN_OPTIONS; the options under test must not: they would win over msconfig)
    env = envFor(dataRoot, {
      'admin.port': 0, 'ens.port': 0, 'schedule.enable': 0, 'console.enable': 0, 'imap.enable': 0, 'pop.enable': 0,
      'dispatcher.service:SMTP.tcp_ports': [String(ports.smtp)],
      'dispatcher.service:SMTP_SUBMIT.tcp_ports': [String(ports.submit)],
    }, { WREN_TEST_SERVICES: '' })
    daemon = await startFlowDaemon(env, ['dispatcher', 'job_controller'])
    domain = /default domain\s+(\S+)/.exec(daemon.output())![1]!
  }, 300_000)

  afterAll(async () => {
    await stopFlowDaemon(daemon, dataRoot, env)
  }, 60_000)

  it('mta.max_message_size 10000: EHLO says SIZE 10000 and a 21 KB message gets 552 5.3.4, no restart', async () => {
    const pid = await dispatcherPid()
    expect(pid).toBeGreaterThan(0)
    const before = await client()
    expect(before.size).not.toBe('10000')
    expect(before.rcpt[0]).toBe(250)
    expect(before.data?.[0], JSON.stringify(before)).toBe(250)
    const held = await openSession(ports.smtp)
    try {
      expect(await held.cmd('EHLO held.test')).toMatch(/^250/)

      const set = await tool('msconfig', ['set', 'mta.max_message_size', '10000'], env)
      expect(set.code, set.stderr + set.stdout).toBe(0)
      expect(set.stdout + set.stderr).toMatch(/Applied without restart: .*mta\.max_message_size/)

      const after = await client()
      expect(after.bytes).toBeGreaterThan(20_000)
      expect(after.size).toBe('10000')
      expect(after.rcpt[0]).toBe(250)
      expect(after.data?.[0], JSON.stringify(after)).toBe(552)
      expect(after.data?.[1]).toMatch(/^5\.3\.4 /)
      // RFC 1870 §6.3: a declared size over the limit is refused at MAIL
      expect(after.mail_size[0]).toBe(552)
      expect(after.mail_size[1]).toMatch(/^5\.3\.4 /)

      // the session opened before the change is still there, and now has the new limit as well
      expect(await held.cmd('NOOP')).toMatch(/^250/)
      expect(await held.cmd('EHLO held.test')).toMatch(/250[- ]SIZE 10000\r\n/)
      expect(await held.cmd('QUIT')).toMatch(/^221/)
    } finally {
      held.sock.destroy()
    }
    expect(await dispatcherPid()).toBe(pid)

    // 0 = no fixed maximum (the help text): the 21 KB message is accepted again
    const unset = await tool('msconfig', ['set', 'mta.max_message_size', '0'], env)
    expect(unset.code, unset.stderr + unset.stdout).toBe(0)
    const unlimited = await client()
    // (SIZE with no number or SIZE 0 would say the same, RFC 1870 §4; no SIZE at all: no limit announced)
    expect([undefined, null, '', '0'], `SIZE ${unlimited.size}`).toContain(unlimited.size)
    expect(unlimited.data?.[0], JSON.stringify(unlimited)).toBe(250)
    expect(unlimited.mail_size[0]).toBe(250)
    expect(await dispatcherPid()).toBe(pid)
  }, 120_000)

  it('mta.log_connection 3: connection records appear in mail.log without a restart', async () => {
    const pid = await dispatcherPid()
    // `<channel> + O|C TCP|server ip|port|client ip|port SMTP…` (the C record names the session's source channel: tcp_intranet here)
    const connRecord = (port: number, action = 'O') => new RegExp(` tcp_\\w+ \\+ ${action} TCP\\|127\\.0\\.0\\.1\\|${ports.smtp}\\|127\\.0\\.0\\.1\\|${port} SMTP`)
    const quiet = await client()
    // the writer flushes within 100 ms; the message's own records show the session's lines are out
    await new Promise((r) => setTimeout(r, 500))
    expect(mailLog()).not.toMatch(connRecord(quiet.local_port))
    expect(mailLog()).not.toMatch(/ [+-] O TCP\|/)

    const set = await tool('msconfig', ['set', 'mta.log_connection', '3'], env)
    expect(set.code, set.stderr + set.stdout).toBe(0)
    expect(set.stdout + set.stderr).toMatch(/Applied without restart: .*mta\.log_connection/)

    const logged = await client()
    await until('+ O and + C records of the new session', () => {
      const log = mailLog()
      return (connRecord(logged.local_port).test(log) && connRecord(logged.local_port, 'C').test(log)) || undefined
    }, 20_000)
    expect(await dispatcherPid()).toBe(pid)
  }, 120_000)
})
