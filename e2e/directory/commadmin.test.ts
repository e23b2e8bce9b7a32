// commadmin run as an administrator runs it: the real bin/commadmin against a temporary data root,
// with the embedded directory and with the ldap provider against a real slapd (checked with ldapsearch).
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { startSlapd, type Slapd } from '@wren/testing/slapd'

const BIN = resolve(import.meta.dirname, '../../bin')

function tool(name: string, args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((res) => {
    const child = execFile(join(BIN, name), args, { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      res({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out: stdout, err: stderr })
    })
    child.stdin!.end(stdin ?? '')
  })
}

describe('commadmin on the embedded directory', () => {
  let root: string
  const env = () => ({ WREN_DATA: root, USER: 'opsadmin' })
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'wren-commadmin-'))
    expect((await tool('msconfig', ['set', 'base.defaultdomain', 'example.com'], env())).code).toBe(0)
  }, 60_000)
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('provisions a domain, users and a list; rejects bad input with exit 1 and usage errors with 64', async () => {
    const dom = await tool('commadmin', ['domain', 'create', '-d', 'example.com', '-A', '+associatedDomain:example.org'], env())
    expect(dom.code, dom.err).toBe(0)
    const created = await tool('commadmin', ['user', 'create', '-l', 'joe', '-W', '-', '-F', 'Joe', '-L', 'Smith', '-A', '+mailAlternateAddress:js@example.org', '-A', 'mailQuota:10M'], env(), 'joespw\n')
    expect(created.out).toContain('OK user joe@example.com created')
    const bad = await tool('commadmin', ['user', 'create', '-l', 'amy', '-A', '+mailAlternateAddress:js@example.org'], env())
    expect(bad.code).toBe(1)
    expect(bad.err).toContain('address-taken: address js@example.org is already used by user joe@example.com')
    expect((await tool('commadmin', ['user', 'create'], env())).code).toBe(64)
    const csv = join(root, 'people.csv')
    writeFileSync(csv, [
      'type,uid,cn,password,mailQuota,members',
      'user,amy,Amy Pond,amypw,5M,',
      'user,bad uid,Bad,pw,,',
      'user,kim,Kim Lee,kimpw,-3,',
      'group,,staff,,,joe@example.com|amy|friend@remote.test',
      '',
    ].join('\n'))
    const imp = await tool('commadmin', ['import', '-f', csv], env())
    expect(imp.code).toBe(1)
    expect(imp.out).toContain('row 2: OK created user amy@example.com')
    expect(imp.out).toMatch(/row 3: ERROR user bad uid@example.com: invalid-uid/)
    expect(imp.out).toMatch(/row 4: ERROR user kim@example.com: invalid-quota/)
    expect(imp.out).toContain('row 5: OK created group staff@example.com')
    expect(imp.out).toContain('2 ok, 2 failed')
    const show = await tool('commadmin', ['group', 'show', '-G', 'staff'], env())
    expect(show.out).toContain('uniqueMember: uid=joe,ou=People,o=example.com,')
    expect(show.out).toContain('uniqueMember: uid=amy,ou=People,o=example.com,')
    expect(show.out).toContain('mgrpRFC822MailMember: friend@remote.test')
    const search = await tool('commadmin', ['user', 'search', '-n', '1'], env())
    expect(search.out).toMatch(/^amy@example.com\tactive\tamy@example.com\n# next: -c \S+\n$/)
  }, 180_000)
})

describe('commadmin on an LDAP directory (slapd)', () => {
  let root: string
  let slapd: Slapd
  const env = () => ({ WREN_DATA: root, USER: 'opsadmin' })
  beforeAll(async () => {
    slapd = await startSlapd()
    root = mkdtempSync(join(tmpdir(), 'wren-commadmin-ldap-'))
    // One interactive msconfig session (spec 01 §1): set …, write.
    const script = [
      'set base.defaultdomain example.com',
      'set base.directory.provider ldap',
      `set base.ugldaphost 127.0.0.1:${slapd.port}`,
      `set base.ugldapbinddn "${slapd.rootDn}"`,
      `set base.ugldapbindcred ${slapd.rootPw}`,
      `set base.ugldapbasedn ${slapd.suffix}`,
      'write', 'exit', '',
    ].join('\n')
    const r = await tool('msconfig', [], env(), script)
    expect(r.out).toContain('written')
  }, 120_000)
  afterAll(async () => {
    await slapd?.stop()
    if (root) rmSync(root, { recursive: true, force: true })
  })

  it('writes Schema 2 entries that ldapsearch sees and users can bind with', async () => {
    const dom = await tool('commadmin', ['domain', 'create', '-d', 'example.com'], env())
    expect(dom.code, dom.err).toBe(0)
    const u = await tool('commadmin', ['user', 'create', '-l', 'joe', '-W', 'joespw', '-A', 'mailQuota:1G'], env())
    expect(u.out).toContain('OK user joe@example.com created (uid=joe,ou=People,o=example.com,o=usergroup)')
    const found = await slapd.ldapsearch('o=usergroup', '(mail=joe@example.com)', ['mailQuota', 'mailHost', 'objectClass'])
    expect(found).toContain('dn: uid=joe,ou=People,o=example.com,o=usergroup')
    expect(found).toContain('mailQuota: 1G')
    expect(found).toContain('objectClass: inetMailUser')
    // The user binds with the password commadmin set (stored {SSHA}).
    const whoami = await new Promise<string>((res, rej) => execFile('/usr/bin/ldapwhoami', ['-x', '-H', slapd.url, '-D', 'uid=joe,ou=People,o=example.com,o=usergroup', '-w', 'joespw'], (e, out) => (e ? rej(e) : res(out))))
    expect(whoami.trim()).toBe('dn:uid=joe,ou=People,o=example.com,o=usergroup')
  }, 120_000)
})
