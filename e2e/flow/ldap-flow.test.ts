// Issue 3 "Done when": a user added directly with `ldapadd` (not through Wren) whose `mailHost` names
// this server can log in and receive mail — no other step (spec 01 §5: LDAP is the source of truth).
// The whole daemon runs against a real slapd; mail goes in over SMTP (swaks) and is read over IMAP
// (python imaplib) with the password stored in the LDAP entry.
import { execFile } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSlapd, type Slapd } from '@wren/testing/slapd'
import { freePort, IMAP_READ, run, startFlowDaemon, stopFlowDaemon, type FlowDaemon } from './clients.js'
import { envFor, tempDataRoot, until } from '../server/harness.js'

const HOST = 'mail.example.com'




describe('LDAP directory through the whole daemon (real slapd)', () => {
  const dataRoot = tempDataRoot()
  let slapd: Slapd
  let env: NodeJS.ProcessEnv
  let daemon: FlowDaemon | undefined
  const ports = { smtp: 0, imap: 0 }

  beforeAll(async () => {
    slapd = await startSlapd()
    ports.smtp = await freePort()
    ports.imap = await freePort()
    env = envFor(dataRoot, {
      'admin.port': 0, 'ens.port': 0, 'schedule.enable': 0, 'pop.enable': 0, 'console.enable': 0,
      'imap.port': ports.imap, 'imap.enablesslport': 0,
      'dispatcher.service:SMTP.tcp_ports': [String(ports.smtp)], 'dispatcher.service:SMTP_SUBMIT.enable': false,
    }, { WREN_TEST_SERVICES: '' })
    // The administrator points Wren at the directory before the first start, as configure asks for it.
    const script = [
      `set base.hostname ${HOST}`, 'set base.defaultdomain example.com', 'set base.directory.provider ldap', 'set base.directory.cachettl 2',
      `set base.ugldaphost 127.0.0.1:${slapd.port}`, `set base.ugldapbinddn "${slapd.rootDn}"`,
      `set base.ugldapbindcred ${slapd.rootPw}`, `set base.ugldapbasedn ${slapd.suffix}`, 'write', 'exit', '',
    ].join('\n')
    await new Promise<void>((resolve, reject) => {
      const p = execFile(`${process.cwd()}/bin/msconfig`, [], { env }, (err, out, errOut) => (err ? reject(new Error(out + errOut)) : resolve()))
      p.stdin!.end(script)
    })
    daemon = await startFlowDaemon(env, ['dispatcher', 'job_controller', 'store', 'imap'])
  }, 300_000)

  afterAll(async () => {
    await stopFlowDaemon(daemon, dataRoot, env)
    await slapd?.stop()
  }, 60_000)

  it('configure provisioned the default domain and admin in LDAP', async () => {
    const found = await slapd.ldapsearch(slapd.suffix, '(uid=admin)', ['mail', 'mailHost'])
    expect(found).toContain('mail: admin@example.com')
    expect(found).toContain(`mailHost: ${HOST}`)
  })

  it('a user added with ldapadd receives SMTP mail and reads it over IMAP with no other step', async () => {
    await slapd.ldapadd([
      'dn: uid=lara,ou=People,o=example.com,o=usergroup',
      'objectClass: top', 'objectClass: inetOrgPerson', 'objectClass: inetUser', 'objectClass: inetMailUser', 'objectClass: inetLocalMailRecipient',
      'uid: lara', 'cn: Lara Croft', 'sn: Croft', 'mail: lara.croft@example.com', 'mailAlternateAddress: lara@example.com',
      `mailHost: ${HOST}`, 'userPassword: larapw', '',
    ].join('\n'))
    const subject = `ldap-flow-${Date.now()}`
    const sent = await run('swaks', ['--server', `127.0.0.1:${ports.smtp}`, '--from', 'friend@example.net', '--to', 'lara@example.com',
      '--header', `Subject: ${subject}`, '--timeout', '20'])
    expect(sent.code, sent.out).toBe(0)
    const r = await run('python3', ['-c', IMAP_READ, String(ports.imap), 'lara', 'larapw', subject])
    expect(r.code, r.out).toBe(0)
    expect(r.out).toContain(`Subject: ${subject}`)
    // The account status comes from LDAP too: an inactive user cannot log in (spec 04 B.6 statuses).
    await slapd.ldapadd(['dn: uid=lara,ou=People,o=example.com,o=usergroup', 'changetype: modify', 'replace: inetUserStatus', 'inetUserStatus: inactive', ''].join('\n'))
    const denied = await until('directory cache expiry (base.directory.cachettl)', async () => {
      const x = await run('python3', ['-c', IMAP_READ, String(ports.imap), 'lara', 'larapw', subject])
      return x.code !== 0 ? x : undefined
    }, 90_000)
    expect(denied.out).toMatch(/AUTHENTICATIONFAILED|LOGIN failed|authentication failed/i)
  }, 180_000)
})
