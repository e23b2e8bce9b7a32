// The whole server as `npm start` runs it (one daemon, one process per service): mail sent with real
// clients travels SMTP → queue → job controller (ims-ms) → store, and is read back over IMAP and POP
// by Python's imaplib/poplib, logged in mail.log on the way. The account is the one `configure`
// creates, with the password the first start prints once.
import { readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, IMAP_READ, run, startFlowDaemon, stopFlowDaemon, type FlowDaemon } from './clients.js'
import { envFor, tempDataRoot, until } from '../server/harness.js'



const python = (code: string, ...args: string[]) => run('python3', ['-c', code, ...args])


const POP_READ = `
import poplib, ssl, sys, time
port, user, pw, subject = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
deadline = time.time() + 60
while True:
    P = poplib.POP3('127.0.0.1', port)
    P.stls(context=ctx)
    P.user(user); P.pass_(pw)
    found = None
    for i in range(1, len(P.list()[1]) + 1):
        lines = P.top(i, 0)[1]
        if any(subject.encode() in l for l in lines): found = i
    if found or time.time() > deadline: break
    P.quit(); time.sleep(0.2)
print('\\n'.join(l.decode() for l in P.retr(found)[1]))
P.quit()
`

describe('mail flow through the whole daemon', () => {
  const dataRoot = tempDataRoot()
  let env: NodeJS.ProcessEnv
  let daemon: FlowDaemon
  let domain = ''
  let password = ''
  const ports = { smtp: 0, submit: 0, smtps: 0, imap: 0, pop: 0 }

  beforeAll(async () => {
    for (const k of Object.keys(ports) as Array<keyof typeof ports>) ports[k] = await freePort()
    env = envFor(dataRoot, {
      'admin.port': 0, 'ens.port': 0, 'schedule.enable': 0, 'console.enable': 0,
      'imap.port': ports.imap, 'imap.enablesslport': 0, 'pop.port': ports.pop, 'pop.enablesslport': 0,
      'dispatcher.service:SMTP.tcp_ports': [String(ports.smtp)],
      'dispatcher.service:SMTP_SUBMIT.tcp_ports': [String(ports.submit), String(ports.smtps)],
      'dispatcher.service:SMTP_SUBMIT.ssl_ports': [String(ports.smtps)],
    }, { WREN_TEST_SERVICES: '' })
    daemon = await startFlowDaemon(env, ['dispatcher', 'job_controller', 'store', 'imap', 'pop'])
    const out = daemon.output()
    domain = /default domain\s+(\S+)/.exec(out)![1]!
    password = /administrator\s+admin \/ (\S+)/.exec(out)![1]!
  }, 300_000)

  afterAll(async () => {
    await stopFlowDaemon(daemon, dataRoot, env)
  }, 60_000)

  it('SMTP to a local user lands in the mailbox and is read over IMAP (STARTTLS)', async () => {
    const subject = `flow-smtp-${Date.now()}`
    const sent = await run('swaks', ['--server', `127.0.0.1:${ports.smtp}`, '--from', 'someone@example.net', '--to', `admin@${domain}`,
      '--header', `Subject: ${subject}`, '--body', 'Hello World! This is a test.', '--timeout', '20'])
    expect(sent.out).toMatch(/<- +250 2\.\d\.\d /)
    expect(sent.code, sent.out).toBe(0)
    const r = await python(IMAP_READ, String(ports.imap), 'admin', password, subject)
    expect(r.code, r.out).toBe(0)
    expect(r.out).toContain(`Subject: ${subject}`)
  }, 120_000)

  it('authenticated submission over STARTTLS is delivered and read over POP3 (STLS)', async () => {
    const subject = `flow-submit-${Date.now()}`
    const sent = await run('swaks', ['--server', `127.0.0.1:${ports.submit}`, '--tls', '--auth', 'PLAIN', '--auth-user', 'admin',
      '--auth-password', password, '--from', `admin@${domain}`, '--to', `admin@${domain}`, '--header', `Subject: ${subject}`, '--timeout', '20'])
    expect(sent.code, sent.out).toBe(0)
    const r = await python(POP_READ, String(ports.pop), 'admin', password, subject)
    expect(r.code, r.out).toBe(0)
    expect(r.out).toContain(`Subject: ${subject}`)
  }, 120_000)

  it('submission without AUTH is refused, and mail.log records enqueue and delivery', async () => {
    const noauth = await run('swaks', ['--server', `127.0.0.1:${ports.submit}`, '--tls', '--from', `admin@${domain}`, '--to', 'x@example.net', '--quit-after', 'RCPT', '--timeout', '20'])
    expect(noauth.code).not.toBe(0)
    expect(noauth.out).toMatch(/5\d\d 5\.7\.\d/)
    const logFile = join(dataRoot, 'log', 'mail.log_current')
    const log = await until('E and D records for ims-ms', () => {
      if (!existsSync(logFile)) return undefined
      const text = readFileSync(logFile, 'utf8')
      return / ims-ms E\w* /.test(text) && / ims-ms D\w* /.test(text) ? text : undefined
    }, 30_000)
    expect(log).toMatch(new RegExp(`^\\d\\d-\\w{3}-\\d{4} \\d\\d:\\d\\d:\\d\\d\\.\\d\\d .* E\\w* \\d+ someone@example.net rfc822;admin@${domain.replace(/\./g, '\\.')}`, 'm'))
  }, 60_000)
})
