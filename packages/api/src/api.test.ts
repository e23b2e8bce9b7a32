// In-process tests of the admin API's routers on a real control database, configuration, embedded
// directory and store (temporary data root). HTTP, cookies and the daemon are covered in e2e/api.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TRPCError } from '@trpc/server'
import { openTestApi, type TestApi } from './testing.js'
import { roleAllows, PERMISSIONS } from './rbac.js'
import { LoginLimiter } from './rate-limit.js'
import { staticConfigView } from '@wren/kernel'

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'ok'
  } catch (err) {
    return err instanceof TRPCError ? err.code : String(err)
  }
}

describe('roles', () => {
  it('global does everything, auditor only reads, domain admin never touches config, services or admins', () => {
    for (const p of PERMISSIONS) {
      expect(roleAllows('global', p)).toBe(true)
      expect(roleAllows('auditor', p)).toBe(p === 'public' || p === 'session' || p.endsWith('.read'))
    }
    for (const p of ['config.read', 'config.write', 'services.write', 'admins.read', 'admins.write', 'domains.write', 'users.purge'] as const) {
      expect(roleAllows('domain', p)).toBe(false)
    }
    for (const p of ['users.read', 'users.write', 'groups.write', 'quotas.read', 'audit.read', 'domains.read'] as const) {
      expect(roleAllows('domain', p)).toBe(true)
    }
  })
})

describe('LoginLimiter', () => {
  it('blocks an address or a user name after admin.maxloginfailures failures within the window, then lets go', () => {
    let now = 1_000_000
    const lim = new LoginLimiter({ view: () => staticConfigView({ 'admin.maxloginfailures': 3, 'admin.loginfailurewindow': 60 }), now: () => now })
    for (let i = 0; i < 3; i++) {
      expect(lim.blockedFor('10.0.0.1', 'joe')).toBe(0)
      lim.fail('10.0.0.1', 'joe')
    }
    expect(lim.blockedFor('10.0.0.1', 'someone-else')).toBe(60) // same address
    expect(lim.blockedFor('10.0.0.2', 'JOE')).toBe(60) // same user name from elsewhere
    expect(lim.blockedFor('10.0.0.2', 'ann')).toBe(0)
    now += 30_000
    expect(lim.blockedFor('10.0.0.1', 'ann')).toBe(30)
    now += 30_001
    expect(lim.blockedFor('10.0.0.1', 'joe')).toBe(0)
  })
})

describe('admin API routers', () => {
  let api: TestApi
  let now = Date.now()

  beforeAll(async () => {
    api = await openTestApi({ now: () => now })
    const actor = { actor: 'setup', source: 'cli' }
    await api.deps.directory.createDomain({ name: 'one.test' }, actor)
    await api.deps.directory.createDomain({ name: 'two.test' }, actor)
    for (const [uid, domain, cn] of [['amy', 'one.test', 'Zoe Amy'], ['bert', 'one.test', 'Albert Bert'], ['carl', 'one.test', 'Carl Miller'], ['dora', 'two.test', 'Dora Miller']] as const) {
      await api.deps.directory.createUser({ uid, domain, password: `${uid}-password-1`, attributes: { cn } }, actor)
    }
  })
  afterAll(async () => { await api?.close() })

  it('lists users with sort, direction, cursor pages, total and search; a domain admin only sees their domain', async () => {
    const root = await api.as('root', 'global')
    const byUid = await root.users.list({ limit: 2 })
    expect(byUid.items.map((u) => u.uid)).toEqual(['amy', 'bert'])
    expect(byUid.total).toBe(4)
    const next = await root.users.list({ limit: 2, cursor: byUid.nextCursor })
    expect(next.items.map((u) => u.uid)).toEqual(['carl', 'dora'])
    expect(next.nextCursor).toBeUndefined()
    expect((await root.users.list({ sort: 'cn' })).items.map((u) => u.uid)).toEqual(['bert', 'carl', 'dora', 'amy'])
    const desc1 = await root.users.list({ sort: 'cn', dir: 'desc', limit: 3 })
    expect(desc1.items.map((u) => u.uid)).toEqual(['amy', 'dora', 'carl'])
    expect((await root.users.list({ sort: 'cn', dir: 'desc', cursor: desc1.nextCursor })).items.map((u) => u.uid)).toEqual(['bert'])
    expect((await root.users.list({ sort: 'mail', dir: 'desc' })).items.map((u) => u.mail)).toEqual(['dora@two.test', 'carl@one.test', 'bert@one.test', 'amy@one.test'])
    const miller = await root.users.list({ search: 'MILLER' })
    expect(miller.items.map((u) => u.uid)).toEqual(['carl', 'dora'])
    expect(miller.total).toBe(2)
    expect((await root.users.list({ search: 'er' })).items.map((u) => u.uid)).toEqual(['bert', 'carl', 'dora'])
    expect((await root.users.list({ domain: 'two.test' })).items.map((u) => u.uid)).toEqual(['dora'])
    const dom = await api.as('dom1', 'domain', ['one.test'])
    expect((await dom.users.list({ search: 'miller' })).items.map((u) => u.uid)).toEqual(['carl'])
    expect(await codeOf(dom.users.list({ domain: 'two.test' }))).toBe('FORBIDDEN')
    expect(await codeOf(dom.users.list({ domain: 'nonexistent.test' }))).toBe('FORBIDDEN')
    expect(await codeOf(root.users.list({ domain: 'nonexistent.test' }))).toBe('NOT_FOUND')
  })

  it('keeps the search index in step with directory changes', async () => {
    const root = await api.as('root', 'global')
    const amy = await root.users.get({ uid: 'amy', domain: 'one.test' })
    await root.users.update({ uid: 'amy', domain: 'one.test', version: amy.version, aliases: ['zebra.stripes@one.test'] })
    expect((await root.users.list({ search: 'zebra.str' })).items.map((u) => u.uid)).toEqual(['amy'])
    const amy2 = await root.users.get({ uid: 'amy', domain: 'one.test' })
    await root.users.update({ uid: 'amy', domain: 'one.test', version: amy2.version, aliases: [] })
    expect((await root.users.list({ search: 'zebra.str' })).items).toEqual([])
  })

  it('requires a session, the CSRF token on mutations, and the role permission', async () => {
    expect(await codeOf(api.anonymous().users.list({}))).toBe('UNAUTHORIZED')
    expect(await api.anonymous().auth.me()).toBeNull()
    const noCsrf = await api.as('root', 'global', [], { csrf: false })
    expect(await codeOf(noCsrf.users.list({}))).toBe('ok')
    expect(await codeOf(noCsrf.domains.create({ name: 'x.test' }))).toBe('FORBIDDEN')
    const auditor = await api.as('audit1', 'auditor')
    expect(await codeOf(auditor.config.options({ search: 'imap.port' }))).toBe('ok')
    expect(await codeOf(auditor.admins.list())).toBe('ok')
    expect(await codeOf(auditor.users.setStatus({ uid: 'amy', domain: 'one.test', status: 'inactive' }))).toBe('FORBIDDEN')
    expect(await codeOf(auditor.config.set({ changes: [{ name: 'imap.port', value: 1 }], remark: 'x', baseVersion: 0 }))).toBe('FORBIDDEN')
  })

  it('expires an idle session after admin.sessiontimeout and slides it on use', async () => {
    const c = await api.as('slider', 'global')
    now += 7000 * 1000
    const me = await c.auth.me()
    expect(me?.username).toBe('slider')
    // the session row was extended by the first request's context; a new context sees it
    const row = await api.deps.db.prisma.adminSession.findFirst({ where: { account: { username: 'slider' } }, orderBy: { createdAt: 'desc' } })
    expect(row!.expiresAt.getTime()).toBeGreaterThan(now)
    const { loadSession } = await import('./session.js')
    expect(await loadSession(api.deps, row!.id)).not.toBeNull() // used at +7000 s: extended to +14200 s
    now += 7000 * 1000
    expect(await loadSession(api.deps, row!.id)).not.toBeNull() // +14000 s: alive only because it slid
    now += 7201 * 1000
    expect(await loadSession(api.deps, row!.id)).toBeNull()
    expect(await api.deps.db.prisma.adminSession.findUnique({ where: { id: row!.id } })).toBeNull()
  })

  it('groups: members as addresses, add/remove by update, stale version refused', async () => {
    const root = await api.as('root', 'global')
    const g = await root.groups.create({ cn: 'team', domain: 'one.test', members: ['amy@one.test', 'bert@one.test', 'ext@example.org'] })
    expect(g.members).toEqual(['amy@one.test', 'bert@one.test', 'ext@example.org'])
    const u = await root.groups.update({ cn: 'team', domain: 'one.test', version: g.version, members: ['bert@one.test', 'carl@one.test'] })
    expect(u.members.sort()).toEqual(['bert@one.test', 'carl@one.test'])
    expect(u.memberCount).toBe(2)
    expect(await codeOf(root.groups.update({ cn: 'team', domain: 'one.test', version: g.version, members: [] }))).toBe('CONFLICT')
    expect((await root.users.get({ uid: 'carl', domain: 'one.test' })).groups).toEqual(['team@one.test'])
    const dom2 = await api.as('dom2', 'domain', ['two.test'])
    expect(await codeOf(dom2.groups.get({ cn: 'team', domain: 'one.test' }))).toBe('FORBIDDEN')
    expect((await dom2.groups.list({})).items).toEqual([])
  })

  it('domains: update with version, delete refuses a domain with users', async () => {
    const root = await api.as('root', 'global')
    const d = await root.domains.get({ name: 'two.test' })
    expect(d.userCount).toBe(1)
    const u = await root.domains.update({ name: 'two.test', version: d.version, aliases: ['deux.test'], msgQuota: '5000' })
    expect(u).toMatchObject({ aliases: ['deux.test'], msgQuota: '5000' })
    expect((await root.domains.get({ name: 'deux.test' })).name).toBe('two.test')
    expect(await codeOf(root.domains.update({ name: 'two.test', version: d.version, status: 'inactive' }))).toBe('CONFLICT')
    expect(await codeOf(root.domains.update({ name: 'two.test', version: u.version, diskQuota: '12 apples' }))).toBe('BAD_REQUEST')
    expect(await codeOf(root.domains.delete({ name: 'two.test' }))).toBe('CONFLICT')
    await root.domains.create({ name: 'empty.test' })
    await root.domains.delete({ name: 'empty.test' })
    expect((await root.domains.get({ name: 'empty.test' })).status).toBe('deleted')
  })

  it('users: setStatus, delete marks deleted, purge is global only', async () => {
    const root = await api.as('root', 'global')
    await root.users.create({ uid: 'temp', domain: 'one.test', password: 'temp-password-1', cn: 'Temp' })
    expect((await root.users.setStatus({ uid: 'temp', domain: 'one.test', status: 'hold' })).status).toBe('hold')
    expect((await root.users.delete({ uid: 'temp', domain: 'one.test' })).status).toBe('deleted')
    const dom = await api.as('dom1', 'domain', ['one.test'])
    expect(await codeOf(dom.users.purge({ uid: 'temp', domain: 'one.test' }))).toBe('FORBIDDEN')
    await root.users.purge({ uid: 'temp', domain: 'one.test' })
    expect(await codeOf(root.users.get({ uid: 'temp', domain: 'one.test' }))).toBe('NOT_FOUND')
  })

  it('import: a dry run reports rows and changes nothing; the real run creates', async () => {
    const root = await api.as('root', 'global')
    const csv = 'uid,cn,password,mailQuota\nivy,Ivy,ivy-password-1,10M\namy,Dup,amy-password-2,\njon,Jon,jon-password-1,ten\n'
    const dry = await root.users.import({ domain: 'one.test', format: 'csv', text: csv, dryRun: true })
    expect(dry.rows.map((r) => [r.line, r.ok])).toEqual([[2, true], [3, false], [4, false]])
    expect(dry.rows[1]!.error).toMatch(/exists/)
    expect(dry.rows[2]!.error).toMatch(/invalid quota/)
    expect(await codeOf(root.users.get({ uid: 'ivy', domain: 'one.test' }))).toBe('NOT_FOUND')
    const real = await root.users.import({ domain: 'one.test', format: 'csv', text: csv })
    expect(real).toMatchObject({ created: 1, failed: 2 })
    expect((await root.users.get({ uid: 'ivy', domain: 'one.test' })).mailQuota).toBe('10M')
  })

  it('quotas: store usage against directory limits, warning and grace states, nearest list', async () => {
    const root = await api.as('root', 'global')
    const bert = await root.users.get({ uid: 'bert', domain: 'one.test' })
    await root.users.update({ uid: 'bert', domain: 'one.test', version: bert.version, mailQuota: '1K' })
    const store = api.store()
    const msg = (n: number) => Buffer.from(`Subject: t\r\nFrom: a@b\r\n\r\n${'x'.repeat(n)}\r\n`)
    await store.deliver({ userid: 'bert@one.test', bypassQuota: true }, msg(900))
    const warn = await root.quotas.user({ uid: 'bert', domain: 'one.test' })
    expect(warn).toMatchObject({ diskLimit: 1024, state: 'warning', msgLimit: -1 })
    expect(warn.diskPercent).toBeGreaterThanOrEqual(90)
    await store.deliver({ userid: 'bert@one.test', bypassQuota: true }, msg(500))
    const over = await root.quotas.user({ uid: 'bert', domain: 'one.test' })
    expect(over.state).toBe('grace')
    expect(Date.parse(over.graceEndsAt!)).toBeGreaterThan(now)
    const nearest = await root.quotas.nearest({})
    expect(nearest[0]).toMatchObject({ uid: 'bert', domain: 'one.test', state: 'grace' })
    const dom2 = await api.as('dom2', 'domain', ['two.test'])
    expect(await dom2.quotas.nearest({})).toEqual([])
    expect(await codeOf(dom2.quotas.user({ uid: 'bert', domain: 'one.test' }))).toBe('FORBIDDEN')
    const totals = await root.quotas.domain({ domain: 'one.test' })
    expect(totals.users).toBe(1)
    expect(totals.diskUsed).toBe(over.diskUsed)
  })

  it('config: restricted options need confirmation, passwords are never shown, stale base refused', async () => {
    const root = await api.as('root', 'global')
    const { version } = await root.config.version()
    const r = await codeOf(root.config.set({ changes: [{ name: 'dispatcher.debug', value: 1 }], remark: 'debug', baseVersion: version }))
    expect(r).toBe('BAD_REQUEST')
    const ok = await root.config.set({ changes: [{ name: 'dispatcher.debug', value: 1 }, { name: 'base.proxyadminpass', value: 'hunter2hunter2' }], remark: 'debug', baseVersion: version, confirmRestricted: true })
    expect(ok.version).toBeGreaterThan(version)
    const opts = await root.config.options({ search: 'proxyadminpass' })
    expect(opts[0]).toMatchObject({ name: 'base.proxyadminpass', value: '********', password: true })
    expect(JSON.stringify(await root.config.diff({ from: version, to: ok.version }))).not.toContain('hunter2')
    expect(JSON.stringify(await root.audit.list({ action: 'config.write' }))).not.toContain('hunter2')
    expect(await codeOf(root.config.set({ changes: [{ name: 'dispatcher.debug', value: 0 }], remark: 'x', baseVersion: version, confirmRestricted: true }))).toBe('CONFLICT')
    const groups = await root.config.groups()
    expect(groups.find((g) => g.group === 'imap')!.count).toBeGreaterThan(5)
  })

  it('admins: no lockout of the last global admin, no self-demotion, domains must exist', async () => {
    const root = await api.as('root', 'global')
    await api.deps.db.prisma.adminAccount.deleteMany({ where: { role: 'global', username: { not: 'root' } } })
    const me = (await root.admins.list()).find((a) => a.username === 'root')!
    expect(await codeOf(root.admins.update({ username: 'root', version: me.version, role: 'auditor' }))).toBe('BAD_REQUEST')
    expect(await codeOf(root.admins.delete({ username: 'root' }))).toBe('BAD_REQUEST')
    expect(await codeOf(root.admins.create({ username: 'bad', password: 'long-enough-1', role: 'domain', domains: ['nowhere.test'] }))).toBe('BAD_REQUEST')
    const made = await root.admins.create({ username: 'd3', password: 'long-enough-1', role: 'domain', domains: ['deux.test'] })
    expect(made.domains).toEqual(['two.test'])
    expect(await codeOf(root.admins.create({ username: 'd3', password: 'long-enough-1', role: 'auditor' }))).toBe('CONFLICT')
    await root.admins.delete({ username: 'd3' })
  })

  it('auth: signs in a directory administrator by address through the directory', async () => {
    await api.deps.db.prisma.adminAccount.create({ data: { username: 'carl-admin', role: 'domain', domains: '["one.test"]', directoryUid: 'carl@one.test' } })
    const me = await api.anonymous('10.9.9.9').auth.signIn({ username: 'carl@one.test', password: 'carl-password-1' })
    expect(me).toMatchObject({ username: 'carl-admin', role: 'domain', domains: ['one.test'] })
    expect(await codeOf(api.anonymous('10.9.9.9').auth.signIn({ username: 'carl@one.test', password: 'nope' }))).toBe('UNAUTHORIZED')
  })

  it('services: status, actions audited, onStatus yields the status first', async () => {
    const root = await api.as('root', 'global')
    const st = await root.services.status()
    expect(st.services.map((s) => s.name)).toEqual(['store', 'imap', 'pop'])
    expect((await root.services.action({ name: 'imap', action: 'stop' })).lines).toEqual(['Stopped imap'])
    expect(await codeOf(root.services.action({ name: 'nosuch', action: 'start' }))).toBe('NOT_FOUND')
    const audit = await root.audit.list({ action: 'service.stop' })
    expect(audit.items[0]).toMatchObject({ target: 'imap', actor: 'root', diff: [{ field: 'state', before: 'running', after: 'stopped' }] })
    const it = (await root.services.onStatus())[Symbol.asyncIterator]()
    const first = await it.next()
    expect((first.value as { services: Array<{ name: string; state: string }> }).services.find((s) => s.name === 'imap')!.state).toBe('stopped')
    const second = it.next()
    await root.services.action({ name: 'imap', action: 'start' })
    expect(((await second).value as { services: Array<{ name: string; state: string }> }).services.find((s) => s.name === 'imap')!.state).toBe('running')
    // signing out ends the stream at its next push
    await root.auth.signOut()
    await api.deps.services.action('imap', 'stop')
    await expect(it.next()).rejects.toThrow(/session ended/)
  })
})

describe('local bearer token on /trpc (D24)', () => {
  let api: TestApi
  let server: import('node:http').Server
  let base = ''
  const TOKEN = 'a'.repeat(64)

  beforeAll(async () => {
    const { createServer } = await import('node:http')
    const { createTrpcHttpHandler } = await import('./http.js')
    api = await openTestApi()
    api.deps.controlToken = () => TOKEN
    await api.deps.directory.createDomain({ name: 'cli.test' }, { actor: 'setup', source: 'cli' })
    const handler = createTrpcHttpHandler(api.deps)
    server = createServer((req, res) => handler(req, res))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    base = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}/trpc`
  })
  afterAll(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
    await api?.close()
  })

  const call = (path: string, body: unknown, headers: Record<string, string>) =>
    fetch(`${base}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })

  it('the control token acts as global admin cli:<actor> without CSRF; the change is audited with source cli', async () => {
    const res = await call('users.create', { uid: 'tok', domain: 'cli.test', password: 'tok-password-1', cn: 'Tok En' }, { authorization: `Bearer ${TOKEN}`, 'x-wren-actor': 'ops' })
    expect(res.status).toBe(200)
    const me = await (await fetch(`${base}/auth.me`, { headers: { authorization: `Bearer ${TOKEN}`, 'x-wren-actor': 'ops' } })).json() as { result: { data: { username: string; role: string } } }
    expect(me.result.data).toMatchObject({ username: 'cli:ops', role: 'global' })
    const rows = await api.deps.db.prisma.auditEvent.findMany({ where: { target: { contains: 'tok' } } })
    expect(rows.some((r) => r.actor === 'cli:ops' && r.source === 'cli' && r.role === 'global')).toBe(true)
  })

  it('a wrong or empty token is 401 for every procedure (even public ones), logged as a failed sign-in, and changes nothing', async () => {
    for (const auth of [`Bearer ${'b'.repeat(64)}`, `Bearer ${TOKEN.slice(1)}`, 'Bearer ']) {
      const res = await call('users.create', { uid: 'nope', domain: 'cli.test', password: 'nope-password-1', cn: 'No' }, { authorization: auth, 'x-wren-actor': 'mallory' })
      expect(res.status).toBe(401)
      expect((await fetch(`${base}/auth.me`, { headers: { authorization: auth } })).status).toBe(401)
    }
    expect(await api.deps.directory.findUser('nope@cli.test')).toBeUndefined()
    const failed = await api.deps.db.prisma.auditEvent.findMany({ where: { action: 'auth.failed', actor: 'cli:mallory' } })
    expect(failed.length).toBeGreaterThanOrEqual(3)
    expect(failed[0]!.source).toBe('cli')
  })

  it('the token is refused through the console proxy (x-forwarded-for) and when the daemon has none', async () => {
    const via = await fetch(`${base}/auth.me`, { headers: { authorization: `Bearer ${TOKEN}`, 'x-forwarded-for': '203.0.113.9' } })
    expect(via.status).toBe(401)
    api.deps.controlToken = undefined
    try {
      expect((await fetch(`${base}/auth.me`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(401)
    } finally {
      api.deps.controlToken = () => TOKEN
    }
  })
})
