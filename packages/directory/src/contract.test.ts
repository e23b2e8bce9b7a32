// Provider contract suite (issue 3 "Done when"): the same tests against the embedded provider and
// against a real OpenLDAP slapd with Wren's schema, started on a free port.
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'node:net'
import { staticConfigView, type OptionValue } from '@wren/kernel'
import { openControlDb, type ControlDb } from '@wren/db'
import { startSlapd, freePort, type Slapd } from '@wren/testing/slapd'
import { openDirectory } from './open.js'
import { deliveryDisposition } from './status.js'
import { importCsv, importLdif } from './import.js'
import { DirectoryError, type Directory } from './types.js'
import type { DirectoryService } from './directory.js'

const HOST = 'mail.example.com'
const admin = { actor: 'admin', role: 'global', source: 'test' }

interface Env {
  dir: DirectoryService & Directory
  db: ControlDb
  slapd?: Slapd
  config: Record<string, OptionValue>
  root: string
}

async function setup(provider: 'embedded' | 'ldap'): Promise<Env> {
  const root = mkdtempSync(join(tmpdir(), `wren-dir-${provider}-`))
  const config: Record<string, OptionValue> = { 'base.defaultdomain': 'example.com', 'base.hostname': HOST }
  let slapd: Slapd | undefined
  if (provider === 'ldap') {
    slapd = await startSlapd()
    Object.assign(config, {
      'base.directory.provider': 'ldap',
      'base.ugldaphost': `127.0.0.1:${slapd.port}`,
      'base.ugldapbinddn': slapd.rootDn,
      'base.ugldapbindcred': slapd.rootPw,
      'base.ugldapbasedn': slapd.suffix,
    })
  }
  const db = await openControlDb(root)
  const dir = await openDirectory({ dataRoot: root, config: staticConfigView(config), db })
  // The fixture, provisioned through the Directory itself.
  await dir.createDomain({ name: 'example.com', aliases: ['example.org'] }, admin)
  await dir.createDomain({ name: 'other.test' }, admin)
  await dir.createDomain({ name: 'gone.test' }, admin)
  await dir.createUser({ uid: 'joe', password: 'joepw', attributes: { cn: 'Joe Smith', sn: 'Smith', mailAlternateAddress: ['joe.alias@example.com'], mailEquivalentAddress: ['jsmith@example.com'], mailQuota: '20M;#voice%10M;Archive%100M', mailMsgQuota: '5000' } }, admin)
  await dir.createUser({ uid: 'amy', password: 'amypw' }, admin)
  await dir.createUser({ uid: 'dis', password: 'dispw', attributes: { mailUserStatus: 'disabled' } }, admin)
  await dir.createUser({ uid: 'held', password: 'heldpw', attributes: { mailUserStatus: 'hold' } }, admin)
  await dir.createUser({ uid: 'bob', domain: 'other.test', password: 'bobpw', attributes: { mailHost: 'store2.example.com' } }, admin)
  await dir.createUser({ uid: 'ann', domain: 'gone.test', password: 'annpw' }, admin)
  await dir.deleteDomain('gone.test', admin)
  await dir.createGroup({ cn: 'team', members: ['amy@example.com'] }, admin)
  await dir.createGroup({ cn: 'staff', members: ['joe@example.com', 'team@example.com', 'partner@remote.test'] }, admin)
  await dir.createGroup({ cn: 'loopa' }, admin)
  await dir.createGroup({ cn: 'loopb', members: ['loopa@example.com', 'amy@example.com'] }, admin)
  await dir.addGroupMembers('loopa@example.com', ['loopb@example.com', 'joe@example.com'], admin)
  return { dir, db, slapd, config, root }
}

async function teardown(env: Env | undefined): Promise<void> {
  if (!env) return
  await env.dir.close().catch(() => {})
  await env.db.close().catch(() => {})
  await env.slapd?.stop()
  rmSync(env.root, { recursive: true, force: true })
}

async function rejects(p: Promise<unknown>, code: string): Promise<DirectoryError> {
  const err = await p.then(() => undefined, (e: unknown) => e)
  expect(err, `expected DirectoryError ${code}`).toBeInstanceOf(DirectoryError)
  expect((err as DirectoryError).code).toBe(code)
  return err as DirectoryError
}

describe.each(['embedded', 'ldap'] as const)('directory contract: %s provider', (provider) => {
  let env: Env
  beforeAll(async () => { env = await setup(provider) }, 120_000)
  afterAll(async () => { await teardown(env) })

  it('resolves mail, alternate and equivalent addresses', async () => {
    const r = await env.dir.resolveAddress('Joe@Example.COM')
    expect(r.kind).toBe('user')
    if (r.kind !== 'user') return
    expect(r.user.uid).toBe('joe')
    expect(r.user.storeId).toBe('joe')
    expect(r.matched).toBe('mail')
    expect(r.status).toBe('active')
    const alt = await env.dir.resolveAddress('joe.alias@example.com')
    expect(alt.kind === 'user' && alt.user.uid === 'joe' && alt.matched === 'mailAlternateAddress').toBe(true)
    const eq = await env.dir.resolveAddress('<jsmith@example.com>')
    expect(eq.kind === 'user' && eq.matched === 'mailEquivalentAddress').toBe(true)
  })

  it('resolves a domain alias, a +detail sub-address and a bare uid', async () => {
    const alias = await env.dir.resolveAddress('joe@example.org')
    expect(alias.kind).toBe('user')
    if (alias.kind === 'user') expect(alias.domain.name).toBe('example.com')
    const sub = await env.dir.resolveAddress('joe+lists@example.com')
    expect(sub.kind === 'user' && sub.user.uid === 'joe' && sub.detail === 'lists').toBe(true)
    const bare = await env.dir.resolveAddress('amy')
    expect(bare.kind === 'user' && bare.user.uid === 'amy' && bare.matched === 'uid').toBe(true)
    const hosted = await env.dir.resolveAddress('bob@other.test')
    expect(hosted.kind === 'user' && hosted.user.storeId === 'bob@other.test').toBe(true)
  })

  it('routes unknown local parts of a domain to its catch-all address', async () => {
    await env.dir.modifyUser('bob@other.test', [{ op: 'add', attr: 'mailAlternateAddress', values: ['@other.test'] }], admin)
    const r = await env.dir.resolveAddress('anything@other.test')
    expect(r.kind === 'user' && r.user.uid === 'bob' && r.matched === 'catchall').toBe(true)
    await rejects(env.dir.modifyUser('amy', [{ op: 'add', attr: 'mailAlternateAddress', values: ['@other.test'] }], admin), 'address-taken')
    await env.dir.modifyUser('bob@other.test', [{ op: 'delete', attr: 'mailAlternateAddress', values: ['@other.test'] }], admin)
    expect(await env.dir.resolveAddress('anything@other.test')).toMatchObject({ kind: 'none', reason: 'unknown-address' })
  })

  it('answers unknown addresses and domains precisely', async () => {
    expect(await env.dir.resolveAddress('nobody@example.com')).toMatchObject({ kind: 'none', reason: 'unknown-address' })
    expect(await env.dir.resolveAddress('joe@elsewhere.test')).toMatchObject({ kind: 'none', reason: 'unknown-domain' })
    expect(await env.dir.resolveAddress('not an address@')).toMatchObject({ kind: 'none', reason: 'invalid' })
  })

  it('applies statuses: disabled user, hold, deleted domain overriding its user', async () => {
    const dis = await env.dir.resolveAddress('dis@example.com')
    expect(dis.kind === 'user' && dis.status).toBe('disabled')
    expect(deliveryDisposition('disabled')).toBe('reject')
    const held = await env.dir.resolveAddress('held@example.com')
    expect(held.kind === 'user' && deliveryDisposition(held.status)).toBe('hold')
    const ann = await env.dir.resolveAddress('ann@gone.test')
    expect(ann.kind === 'user' && ann.status).toBe('deleted')
    expect(ann.kind === 'user' && ann.user.mailUserStatus).toBeUndefined() // the user itself is active: the domain wins
    expect((await env.dir.authenticate('dis', 'dispw', { service: 'imap' })).ok).toBe(false)
    expect(await env.dir.authenticate('dis', 'dispw', { service: 'imap' })).toMatchObject({ reason: 'disabled' })
    expect(await env.dir.authenticate('ann@gone.test', 'annpw', { service: 'pop' })).toMatchObject({ ok: false, reason: 'deleted' })
    expect(await env.dir.authenticate('held', 'heldpw', { service: 'imap' })).toMatchObject({ ok: false, reason: 'hold' })
  })

  it('authenticates by uid, uid@domain and mail, and refuses bad passwords', async () => {
    for (const login of ['joe', 'joe@example.com', 'jsmith@example.com', 'joe@example.org']) {
      const r = await env.dir.authenticate(login, 'joepw', { service: 'imap', remoteIp: '127.0.0.1' })
      expect(r.ok, login).toBe(true)
      if (r.ok) expect(r.user.storeId).toBe('joe')
    }
    expect(await env.dir.authenticate('bob@other.test', 'bobpw', { service: 'smtp' })).toMatchObject({ ok: true })
    expect(await env.dir.authenticate('joe', 'wrong', { service: 'imap' })).toMatchObject({ ok: false, reason: 'bad-password' })
    expect(await env.dir.authenticate('ghost', 'x', { service: 'imap' })).toMatchObject({ ok: false, reason: 'unknown-user' })
    expect(await env.dir.authenticate('joe', '', { service: 'imap' })).toMatchObject({ ok: false, reason: 'invalid-login' })
  })

  it('tells whether this host is the user\'s mailHost', async () => {
    expect(env.dir.isLocalMailHost((await env.dir.findUser('joe'))!)).toBe(true)
    expect(env.dir.isLocalMailHost((await env.dir.findUser('bob@other.test'))!)).toBe(false)
  })

  it('expands a group with a nested group and external members', async () => {
    const staff = await env.dir.findGroup('staff@example.com')
    expect(staff).toBeDefined()
    const r = await env.dir.resolveAddress('staff@example.com')
    expect(r.kind).toBe('group')
    const x = await env.dir.expandGroup(staff!)
    expect(x.users.map((u) => u.user.uid).sort()).toEqual(['amy', 'joe'])
    expect(x.users.find((u) => u.user.uid === 'amy')!.via).toEqual(['staff@example.com', 'team@example.com'])
    expect(x.addresses.map((a) => a.address)).toEqual(['partner@remote.test'])
    expect(x.problems).toEqual([])
  })

  it('stops at group loops', async () => {
    const a = await env.dir.findGroup('loopa@example.com')
    const x = await env.dir.expandGroup(a!)
    expect(x.users.map((u) => u.user.uid).sort()).toEqual(['amy', 'joe'])
    expect(x.problems).toHaveLength(1)
    expect(x.problems[0]).toMatchObject({ reason: 'loop', via: ['loopa@example.com', 'loopb@example.com'] })
  })

  it('gives the store its quota attributes', async () => {
    const q = await env.dir.quotaSource('joe')
    expect(q).toMatchObject({ mailQuota: '20M;#voice%10M;Archive%100M', mailMsgQuota: '5000', domain: 'example.com', status: 'active' })
    expect(await env.dir.quotaSource('nobody')).toBeUndefined()
  })

  it('rejects bad input precisely and changes nothing', async () => {
    const before = await env.dir.searchUsers({ limit: 1000 })
    await rejects(env.dir.createUser({ uid: 'bad uid' }, admin), 'invalid-uid')
    await rejects(env.dir.createUser({ uid: '-neg' }, admin), 'invalid-uid')
    await rejects(env.dir.createUser({ uid: 'anyone' }, admin), 'invalid-uid')
    await rejects(env.dir.createUser({ uid: 'x'.repeat(128) }, admin), 'invalid-uid')
    await rejects(env.dir.createUser({ uid: 'newbie', attributes: { mailAlternateAddress: 'joe.alias@example.com' } }, admin), 'address-taken')
    await rejects(env.dir.createUser({ uid: 'newbie', attributes: { mailAlternateAddress: 'staff@example.com' } }, admin), 'address-taken')
    await rejects(env.dir.createUser({ uid: 'staffer', attributes: { mail: 'team@example.com' } }, admin), 'address-taken')
    await rejects(env.dir.createUser({ uid: 'newbie', attributes: { mailAlternateAddress: 'joe@example.org' } }, admin), 'address-taken') // alias domain form
    await rejects(env.dir.createUser({ uid: 'newbie', domain: 'nowhere.test' }, admin), 'unknown-domain')
    await rejects(env.dir.createUser({ uid: 'newbie', domain: 'gone.test' }, admin), 'unknown-domain')
    await rejects(env.dir.createUser({ uid: 'newbie', attributes: { mailQuota: '-5' } }, admin), 'invalid-quota')
    await rejects(env.dir.createUser({ uid: 'newbie', attributes: { mailQuota: '10X' } }, admin), 'invalid-quota')
    await rejects(env.dir.createUser({ uid: 'newbie', attributes: { mailAlternateAddress: 'x@nothosted.test' } }, admin), 'unknown-domain')
    await rejects(env.dir.createUser({ uid: 'joe' }, admin), 'user-exists')
    await rejects(env.dir.createUser({ uid: 'newbie', attributes: { bogusAttr: 'x' } }, admin), 'invalid-attribute')
    await rejects(env.dir.modifyUser('amy', [{ op: 'add', attr: 'mailAlternateAddress', values: ['jsmith@example.com'] }], admin), 'address-taken')
    await rejects(env.dir.createDomain({ name: 'example.org' }, admin), 'domain-exists')
    await rejects(env.dir.createGroup({ cn: 'team' }, admin), 'group-exists')
    const after = await env.dir.searchUsers({ limit: 1000 })
    expect(after.items.map((u) => u.storeId)).toEqual(before.items.map((u) => u.storeId))
    expect((await env.dir.findUser('amy'))!.mailAlternateAddress).toEqual([])
  })

  it('modifies, marks deleted, then purges, recording audit events', async () => {
    const u = await env.dir.createUser({ uid: 'temp', password: 'temppw' }, admin)
    expect(u.mail).toBe('temp@example.com')
    expect(u.mailHost).toBe(HOST)
    await env.dir.addGroupMembers('team@example.com', ['temp@example.com'], admin)
    const m = await env.dir.modifyUser('temp', [
      { op: 'add', attr: 'mailAlternateAddress', values: ['t.emp@example.org'] },
      { op: 'replace', attr: 'mailQuota', values: ['1G'] },
    ], admin)
    expect(m.mailAlternateAddress).toEqual(['t.emp@example.org'])
    expect((await env.dir.resolveAddress('t.emp@example.org')).kind).toBe('user')
    await rejects(env.dir.purgeUser('temp', admin), 'not-deleted')
    const d = await env.dir.deleteUser('temp', admin)
    expect(d.status).toBe('deleted')
    expect(await env.dir.authenticate('temp', 'temppw', { service: 'imap' })).toMatchObject({ ok: false, reason: 'deleted' })
    await env.dir.purgeUser('temp', admin)
    expect(await env.dir.findUser('temp')).toBeUndefined()
    expect((await env.dir.resolveAddress('t.emp@example.org')).kind).toBe('none')
    expect((await env.dir.findGroup('team@example.com'))!.uniqueMember).toHaveLength(1)
    const events = await env.db.prisma.auditEvent.findMany({ where: { target: 'temp@example.com' }, orderBy: { id: 'asc' } })
    expect(events.map((e) => e.action)).toEqual(['user.create', 'user.modify', 'user.delete', 'user.purge'])
    expect(JSON.parse(events[1]!.diff)).toContainEqual({ field: 'mailQuota', before: undefined, after: '1G' })
  })

  it('pages through users with a cursor', async () => {
    for (const n of ['p1', 'p2', 'p3', 'p4', 'p5']) await env.dir.createUser({ uid: n, domain: 'other.test' }, admin)
    const seen: string[] = []
    let cursor: string | undefined
    for (let i = 0; i < 10; i++) {
      const page = await env.dir.searchUsers({ domain: 'other.test', limit: 2, cursor })
      seen.push(...page.items.map((u) => u.uid))
      cursor = page.nextCursor
      if (!cursor) break
    }
    expect(seen).toEqual(['bob', 'p1', 'p2', 'p3', 'p4', 'p5'])
    expect((await env.dir.searchUsers({ text: 'jsmith' })).items.map((u) => u.uid)).toEqual(['joe'])
  })

  it('imports CSV and LDIF with per-row results; bad rows change nothing', async () => {
    const csv = [
      'type,uid,domain,password,cn,mailAlternateAddress,mailQuota',
      'user,csv1,example.com,pw1,CSV One,csv.one@example.com|c1@example.org,10M',
      'user,bad uid,example.com,pw,Bad,,',
      'user,csv2,example.com,pw2,CSV Two,joe.alias@example.com,',
      'user,csv3,nowhere.test,pw3,CSV Three,,',
      'user,csv4,other.test,pw4,CSV Four,,-7',
    ].join('\n')
    const r = await importCsv(env.dir, csv, { actor: admin })
    expect(r.ok).toBe(1)
    expect(r.failed).toBe(4)
    expect(r.rows.map((x) => [x.row, x.ok, x.error?.code])).toEqual([
      [2, true, undefined], [3, false, 'invalid-uid'], [4, false, 'address-taken'], [5, false, 'unknown-domain'], [6, false, 'invalid-quota'],
    ])
    expect((await env.dir.resolveAddress('c1@example.org')).kind).toBe('user')
    expect(await env.dir.findUser('csv2')).toBeUndefined()
    const ldif = [
      'version: 1',
      '',
      'dn: uid=ld1,ou=People,o=example.com,o=usergroup',
      'objectClass: inetOrgPerson',
      'objectClass: inetMailUser',
      'uid: ld1',
      'cn: LDIF One',
      'sn: One',
      'mail: ld1@example.com',
      'userPassword: ld1pw',
      '',
      'dn: uid=ld2,ou=People,o=example.com,o=usergroup',
      'objectClass inetOrgPerson',
      'uid: ld2',
      '',
      'dn: cn=ldgroup,ou=Groups,o=example.com,o=usergroup',
      'objectClass: groupOfUniqueNames',
      'objectClass: inetMailGroup',
      'cn: ldgroup',
      'uniqueMember: uid=nosuch,ou=People,o=example.com,o=usergroup',
      '',
      'dn: uid=amy,ou=People,o=example.com,o=usergroup',
      'changetype: modify',
      'replace: mailQuota',
      'mailQuota: 5M',
      '-',
      '',
    ].join('\n')
    const l = await importLdif(env.dir, ldif, { actor: admin })
    expect(l.rows.map((x) => [x.row, x.ok, x.error?.code ?? x.action])).toEqual([
      [1, true, 'created'], [2, false, 'parse-error'], [3, false, 'not-found'], [4, true, 'modified'],
    ])
    expect(await env.dir.authenticate('ld1', 'ld1pw', { service: 'imap' })).toMatchObject({ ok: true })
    expect(await env.dir.findUser('ld2')).toBeUndefined()
    expect(await env.dir.findGroup('ldgroup@example.com')).toBeUndefined()
    expect((await env.dir.findUser('amy'))!.mailQuota).toBe('5M')
  })

  it('marks a domain deleted and purges it with its users', async () => {
    await env.dir.createDomain({ name: 'short.test' }, admin)
    await env.dir.createUser({ uid: 'sam', domain: 'short.test' }, admin)
    await rejects(env.dir.purgeDomain('short.test', admin), 'not-deleted')
    await env.dir.deleteDomain('short.test', admin)
    await env.dir.purgeDomain('short.test', admin)
    expect(await env.dir.getDomain('short.test')).toBeUndefined()
    expect(await env.dir.resolveAddress('sam@short.test')).toMatchObject({ kind: 'none', reason: 'unknown-domain' })
    const domains = await env.dir.listDomains()
    expect(domains.items.map((d) => d.name)).toEqual(['example.com', 'gone.test', 'other.test'])
  })
})

describe('ldap provider with a real slapd', () => {
  let slapd: Slapd
  let root: string
  beforeAll(async () => {
    slapd = await startSlapd()
    root = mkdtempSync(join(tmpdir(), 'wren-dir-ldapadd-'))
    // The organisation node and a user added with the real ldapadd, not through Wren.
    await slapd.ldapadd([
      'dn: o=example.com,o=usergroup',
      'objectClass: top', 'objectClass: organization', 'objectClass: sunManagedOrganization', 'objectClass: mailDomain',
      'o: example.com', 'sunPreferredDomain: example.com', 'associatedDomain: example.com', 'associatedDomain: example.net',
      '',
      'dn: ou=People,o=example.com,o=usergroup', 'objectClass: organizationalUnit', 'ou: People',
      '',
      'dn: uid=newhire,ou=People,o=example.com,o=usergroup',
      'objectClass: top', 'objectClass: inetOrgPerson', 'objectClass: inetUser', 'objectClass: inetMailUser', 'objectClass: inetLocalMailRecipient',
      'uid: newhire', 'cn: New Hire', 'sn: Hire', 'mail: new.hire@example.com', `mailHost: ${HOST}`, 'userPassword: hirepw',
      '',
    ].join('\n'))
  }, 60_000)
  afterAll(async () => {
    await slapd?.stop()
    if (root) rmSync(root, { recursive: true, force: true })
  })

  const config = (hosts: string, extra: Record<string, OptionValue> = {}) => staticConfigView({
    'base.defaultdomain': 'example.com', 'base.hostname': HOST, 'base.ugldaphost': hosts,
    'base.ugldapbinddn': slapd.rootDn, 'base.ugldapbindcred': slapd.rootPw, 'base.ugldapbasedn': slapd.suffix, ...extra,
  })

  it('finds a user added with ldapadd, who can log in and receive mail with no other step', async () => {
    const dir = await openDirectory({ dataRoot: root, config: config(`127.0.0.1:${slapd.port}`) })
    try {
      expect(dir.provider).toBe('ldap')
      const r = await dir.resolveAddress('new.hire@example.net')
      expect(r.kind).toBe('user')
      if (r.kind !== 'user') return
      expect(r.user.storeId).toBe('newhire')
      expect(dir.isLocalMailHost(r.user)).toBe(true)
      expect(await dir.authenticate('newhire', 'hirepw', { service: 'imap' })).toMatchObject({ ok: true })
      expect(await dir.authenticate('new.hire@example.com', 'nope', { service: 'imap' })).toMatchObject({ ok: false, reason: 'bad-password' })
      // Wren can modify the outside entry; ldapsearch sees the change.
      await dir.modifyUser('newhire', [{ op: 'replace', attr: 'mailQuota', values: ['2G'] }], admin)
      expect(await slapd.ldapsearch('o=usergroup', '(uid=newhire)', ['mailQuota'])).toContain('mailQuota: 2G')
    } finally {
      await dir.close()
    }
  })

  it('fails over to the second LDAP host when the first is down, within the timeout', async () => {
    const dead = await freePort()
    const dir = await openDirectory({ dataRoot: root, config: config(`127.0.0.1:${dead} 127.0.0.1:${slapd.port}`, { 'base.ugldaptimeout': 2 }) })
    try {
      const t0 = Date.now()
      const r = await dir.resolveAddress('new.hire@example.com')
      expect(r.kind).toBe('user')
      expect(Date.now() - t0).toBeLessThan(2000)
      expect(await dir.authenticate('newhire', 'hirepw', { service: 'pop' })).toMatchObject({ ok: true })
    } finally {
      await dir.close()
    }
  })

  it('fails over from a host that accepts connections but never answers, after base.ugldaptimeout', async () => {
    const silent = createServer(() => {}) // accepts, never speaks LDAP
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()))
    const port = (silent.address() as { port: number }).port
    const dir = await openDirectory({ dataRoot: root, config: config(`127.0.0.1:${port} 127.0.0.1:${slapd.port}`, { 'base.ugldaptimeout': 1 }) })
    try {
      const t0 = Date.now()
      expect((await dir.resolveAddress('new.hire@example.com')).kind).toBe('user')
      const took = Date.now() - t0
      expect(took).toBeGreaterThanOrEqual(900)
      expect(took).toBeLessThan(3000)
      // The silent host is now skipped: the next lookup does not wait for it.
      dir.invalidate()
      const t1 = Date.now()
      expect((await dir.resolveAddress('newhire')).kind).toBe('user')
      expect(Date.now() - t1).toBeLessThan(900)
    } finally {
      await dir.close()
      silent.close()
    }
  })

  it('fails over when the server it is using goes down', async () => {
    // Two replicas with the same entries (the user sits directly under the org node: the search
    // template finds it anywhere below); the first stops under the pooled connections.
    const primary = await startSlapd()
    const replica = await startSlapd()
    const seed = [
      'dn: o=example.com,o=usergroup', 'objectClass: organization', 'objectClass: sunManagedOrganization', 'objectClass: mailDomain',
      'o: example.com', 'sunPreferredDomain: example.com', 'associatedDomain: example.com', '',
      'dn: uid=ann,o=example.com,o=usergroup', 'objectClass: inetOrgPerson', 'objectClass: inetMailUser', 'objectClass: inetLocalMailRecipient',
      'uid: ann', 'cn: Ann', 'sn: Ann', 'mail: ann@example.com', `mailHost: ${HOST}`, 'userPassword: annpw', '',
    ].join('\n')
    await primary.ldapadd(seed)
    await replica.ldapadd(seed)
    const dir = await openDirectory({ dataRoot: root, config: config(`127.0.0.1:${primary.port} 127.0.0.1:${replica.port}`, { 'base.ugldaptimeout': 2 }) })
    try {
      expect((await dir.resolveAddress('ann@example.com')).kind).toBe('user')
      await primary.stop()
      dir.invalidate()
      expect((await dir.resolveAddress('ann@example.com')).kind).toBe('user')
      expect(await dir.authenticate('ann', 'annpw', { service: 'imap' })).toMatchObject({ ok: true })
    } finally {
      await dir.close()
      await primary.stop()
      await replica.stop()
    }
  }, 60_000)

  it('reports the directory unavailable when no host answers', async () => {
    const dead = await freePort()
    const dir = await openDirectory({ dataRoot: root, config: config(`127.0.0.1:${dead}`, { 'base.ugldaptimeout': 1 }) })
    try {
      expect(await dir.authenticate('newhire', 'hirepw', { service: 'imap' })).toMatchObject({ ok: false, reason: 'unavailable' })
      await rejects(dir.resolveAddress('new.hire@example.com'), 'unavailable')
    } finally {
      await dir.close()
    }
  })
})
