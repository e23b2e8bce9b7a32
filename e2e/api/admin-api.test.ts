// Outside-in test of the admin API (issue 6): a real daemon on a temporary data root, driven over
// HTTP with `fetch` exactly as the console (or any client) would: the configure-created `admin`,
// provisioning, a delegated domain administrator kept inside their domain, CSRF, rate limiting,
// field-level errors, stale edits, the configuration history/diff/rollback and the audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { QUIET_OPTIONS, cleanup, envFor, foregroundDaemon, tempDataRoot, until } from '../server/harness.js'
import { ApiClient } from './client.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const OPTIONS = { ...QUIET_OPTIONS, 'console.enable': 0 }

describe('admin API over HTTP (real daemon)', () => {
  let dataRoot = ''
  let env: NodeJS.ProcessEnv = {}
  let daemon: ReturnType<typeof foregroundDaemon> | undefined
  let base = ''
  let password = ''
  const admin = () => new ApiClient(base)
  let root: ApiClient
  let dom: ApiClient

  beforeAll(async () => {
    dataRoot = tempDataRoot()
    env = envFor(dataRoot, OPTIONS)
    daemon = foregroundDaemon(env)
    await until('the daemon to be ready', () => daemon!.output().includes('wren: ready'), 90_000)
    password = /administrator\s+admin \/ (\S+)/.exec(daemon.output())![1]!
    const { port } = JSON.parse(readFileSync(join(dataRoot, 'run', 'control.json'), 'utf8')) as { port: number }
    base = `http://127.0.0.1:${port}`
    root = admin()
    dom = admin()
  })

  afterAll(async () => {
    if (daemon && daemon.child.exitCode === null) {
      daemon.child.kill('SIGTERM')
      await Promise.race([daemon.exited, new Promise((r) => setTimeout(r, 15_000))])
    }
    await cleanup(dataRoot, env)
  })

  it('signs in the configure-created admin with the printed password and keeps the session cookie', async () => {
    expect(await root.q('auth.me')).toBeNull()
    const unauth = await root.query('users.list', {})
    expect(unauth.ok || unauth.error.code).toBe('UNAUTHORIZED')
    const r = await root.signIn('admin', password)
    expect(r.ok).toBe(true)
    const setCookie = r.headers.get('set-cookie')!
    expect(setCookie).toMatch(/^wren_session=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=7200$/)
    const me = await root.q('auth.me')
    expect(me).toMatchObject({ username: 'admin', role: 'global', domains: [] })
    expect(me.csrfToken).toBe(root.csrf)
  })

  it('refuses a mutation without the x-csrf-token header', async () => {
    const r = await root.mutate('domains.create', { name: 'csrf.test' }, { csrf: false })
    expect(r.ok || r.error.code).toBe('FORBIDDEN')
    expect(r.ok || r.error.message).toMatch(/x-csrf-token/)
    const none = await root.query('domains.get', { name: 'csrf.test' })
    expect(none.ok || none.error.code).toBe('NOT_FOUND')
  })

  it('creates domains, a user with an alias and a quota, and a group', async () => {
    await root.m('domains.create', { name: 'a.test', diskQuota: '1G' })
    await root.m('domains.create', { name: 'b.test' })
    const alice = await root.m('users.create', { uid: 'alice', domain: 'a.test', password: 'alice-secret-1', cn: 'Alice Archer', aliases: ['al@a.test'], mailQuota: '10M' })
    expect(alice).toMatchObject({ uid: 'alice', domain: 'a.test', mail: 'alice@a.test', aliases: ['al@a.test'], mailQuota: '10M', status: 'active' })
    await root.m('users.create', { uid: 'bob', domain: 'b.test', password: 'bob-secret-12', cn: 'Bob Baker' })
    const g = await root.m('groups.create', { cn: 'staff', domain: 'a.test', members: ['alice@a.test', 'outside@example.org'] })
    expect(g).toMatchObject({ cn: 'staff', domain: 'a.test', mail: 'staff@a.test', memberCount: 2 })
    expect(g.members).toEqual(['alice@a.test', 'outside@example.org'])
    const got = await root.q('users.get', { uid: 'alice', domain: 'a.test' })
    expect(got.groups).toEqual(['staff@a.test'])
    const list = await root.q('users.list', { domain: 'a.test' })
    expect(list.items.map((u: { uid: string }) => u.uid)).toEqual(['alice'])
    expect(list.total).toBe(1)
    const q = await root.q('quotas.user', { uid: 'alice', domain: 'a.test' })
    expect(q).toMatchObject({ diskLimit: 10 * 1024 * 1024, diskUsed: 0, state: 'ok' })
    const domains = await root.q('domains.list', {})
    expect(domains.items.map((d: { name: string }) => d.name)).toEqual(expect.arrayContaining(['a.test', 'b.test']))
  })

  it('answers CONFLICT with fieldErrors for a duplicate address and BAD_REQUEST with fieldErrors.mailQuota for an invalid quota', async () => {
    const dup = await root.mutate('users.create', { uid: 'carol', domain: 'a.test', password: 'carol-secret-1', cn: 'Carol', mail: 'al@a.test' })
    expect(dup.ok).toBe(false)
    if (dup.ok) return
    expect(dup.error.code).toBe('CONFLICT')
    expect(dup.error.fieldErrors.mail).toMatch(/al@a\.test/)
    const bad = await root.mutate('users.create', { uid: 'dave', domain: 'a.test', password: 'dave-secret-12', cn: 'Dave', mailQuota: 'lots' })
    expect(bad.ok || bad.error.code).toBe('BAD_REQUEST')
    expect(bad.ok || bad.error.fieldErrors.mailQuota).toMatch(/invalid quota/)
    const missing = await root.mutate('users.create', { uid: 'erin', domain: 'a.test', password: '', cn: '' })
    expect(missing.ok || Object.keys(missing.error.fieldErrors).sort()).toEqual(['cn', 'password'])
    const list = await root.q('users.list', { domain: 'a.test' })
    expect(list.items.map((u: { uid: string }) => u.uid)).toEqual(['alice'])
  })

  it('refuses a stale edit with CONFLICT and changes nothing', async () => {
    const before = await root.q('users.get', { uid: 'alice', domain: 'a.test' })
    const updated = await root.m('users.update', { uid: 'alice', domain: 'a.test', version: before.version, cn: 'Alice A. Archer', forwarding: ['alice@elsewhere.example'] })
    expect(updated.cn).toBe('Alice A. Archer')
    expect(updated.version).not.toBe(before.version)
    const stale = await root.mutate('users.update', { uid: 'alice', domain: 'a.test', version: before.version, cn: 'Someone Else' })
    expect(stale.ok || stale.error.code).toBe('CONFLICT')
    expect(stale.ok || stale.error.message).toMatch(/changed by someone else/)
    const after = await root.q('users.get', { uid: 'alice', domain: 'a.test' })
    expect(after.cn).toBe('Alice A. Archer')
    expect(after.version).toBe(updated.version)
  })

  it('keeps a domain administrator inside their domain, checked on the server for every call', async () => {
    await root.m('admins.create', { username: 'ada', password: 'ada-password-1', role: 'domain', domains: ['a.test'] })
    const r = await dom.signIn('ada', 'ada-password-1')
    expect(r.ok && r.data).toMatchObject({ role: 'domain', domains: ['a.test'] })
    // lists are filtered
    const users = await dom.q('users.list', {})
    expect(users.items.map((u: { domain: string }) => u.domain)).toEqual(['a.test'])
    const domains = await dom.q('domains.list', {})
    expect(domains.items.map((d: { name: string }) => d.name)).toEqual(['a.test'])
    const groups = await dom.q('groups.list', {})
    expect(groups.items.map((g: { domain: string }) => g.domain)).toEqual(['a.test'])
    // their own domain works
    const alice = await dom.q('users.get', { uid: 'alice', domain: 'a.test' })
    await dom.m('users.update', { uid: 'alice', domain: 'a.test', version: alice.version, sn: 'Archer' })
    // domain B is out of reach
    const bobVersion = (await root.q('users.get', { uid: 'bob', domain: 'b.test' })).version
    const denied = await Promise.all([
      dom.query('users.list', { domain: 'b.test' }),
      dom.query('users.get', { uid: 'bob', domain: 'b.test' }),
      dom.mutate('users.update', { uid: 'bob', domain: 'b.test', version: bobVersion, cn: 'Hijacked' }),
      dom.mutate('users.setPassword', { uid: 'bob', domain: 'b.test', password: 'x-hijack-123' }),
      dom.mutate('users.create', { uid: 'mallory', domain: 'b.test', password: 'mallory-pass-1', cn: 'M' }),
      dom.query('groups.list', { domain: 'b.test' }),
      dom.query('quotas.user', { uid: 'bob', domain: 'b.test' }),
      dom.query('domains.get', { name: 'b.test' }),
      dom.mutate('config.set', { changes: [{ name: 'imap.port', value: 1143 }], remark: 'x', baseVersion: 0 }),
      dom.mutate('services.action', { name: 'imap', action: 'stop' }),
      dom.mutate('admins.create', { username: 'eve', password: 'eve-password-1', role: 'global', domains: [] }),
      dom.mutate('admins.update', { username: 'ada', version: 'x', role: 'global' }),
      dom.mutate('domains.create', { name: 'c.test' }),
      dom.mutate('users.purge', { uid: 'alice', domain: 'a.test' }),
    ])
    expect(denied.map((d) => (d.ok ? 'ok' : d.error.code))).toEqual(Array(denied.length).fill('FORBIDDEN'))
    expect((await root.q('users.get', { uid: 'bob', domain: 'b.test' })).cn).toBe('Bob Baker')
    expect((await root.q('admins.list')).find((a: { username: string }) => a.username === 'ada').role).toBe('domain')
    // a bulk import cannot reach another domain either
    const imp = await dom.m('users.import', { domain: 'a.test', format: 'csv', text: 'uid,domain,cn,password\nfrank,a.test,Frank,frank-pass-12\nmallory,b.test,Mallory,mallory-pass-1\n' })
    expect(imp.rows.map((r: { ok: boolean }) => r.ok)).toEqual([true, false])
    expect(imp.created).toBe(1)
    expect((await root.query('users.get', { uid: 'mallory', domain: 'b.test' })).ok).toBe(false)
  })

  it('config: unknown option suggests the nearest name; set -> history -> diff -> rollback', async () => {
    const { version: v0 } = await root.q('config.version')
    const unknown = await root.mutate('config.set', { changes: [{ name: 'imap.prot', value: 1143 }], remark: 'typo', baseVersion: v0 })
    expect(unknown.ok || unknown.error.code).toBe('BAD_REQUEST')
    expect(unknown.ok || unknown.error.fieldErrors['imap.prot']).toMatch(/did you mean .*imap\.port/)
    const set = await root.m('config.set', { changes: [{ name: 'admin.sessiontimeout', value: 3600 }], remark: 'shorter console sessions', baseVersion: v0 })
    expect(set.version).toBeGreaterThan(v0)
    expect(set.restartNeeded).toEqual([])
    const stale = await root.mutate('config.set', { changes: [{ name: 'admin.sessiontimeout', value: 60 }], remark: 'stale', baseVersion: v0 })
    expect(stale.ok || stale.error.code).toBe('CONFLICT')
    const opt = (await root.q('config.options', { search: 'sessiontimeout' })).find((o: { name: string }) => o.name === 'admin.sessiontimeout')
    expect(opt).toMatchObject({ value: 3600, default: 7200, isDefault: false, type: 'uint' })
    const hist = await root.q('config.history', { limit: 5 })
    expect(hist.items[0]).toMatchObject({ version: set.version, author: 'admin', remark: 'shorter console sessions', changes: 1 })
    const diff = await root.q('config.diff', { from: v0, to: set.version })
    expect(diff).toEqual([{ option: 'role.admin.sessiontimeout', before: null, after: 3600 }])
    const rb = await root.m('config.rollback', { version: v0, remark: 'undo' })
    expect(rb.version).toBeGreaterThan(set.version)
    const back = (await root.q('config.options', { search: 'sessiontimeout' })).find((o: { name: string }) => o.name === 'admin.sessiontimeout')
    expect(back).toMatchObject({ value: 7200, isDefault: true })
  })

  it('audit.list shows each step; a domain administrator only sees their domains', async () => {
    const all = await root.q('audit.list', { limit: 200 })
    const seen = all.items.map((e: { action: string; target: string }) => `${e.action} ${e.target}`)
    for (const step of ['domain.create a.test', 'user.create alice@a.test', 'group.create staff@a.test', 'user.modify alice@a.test', 'admin.create ada', 'user.create frank@a.test']) {
      expect(seen).toContain(step)
    }
    expect(all.items.filter((e: { action: string }) => e.action === 'config.write').length).toBeGreaterThanOrEqual(2)
    const create = all.items.find((e: { action: string; target: string }) => e.action === 'user.create' && e.target === 'alice@a.test')
    expect(create).toMatchObject({ actor: 'admin', role: 'global', source: 'api', sourceIp: '127.0.0.1', domain: 'a.test' })
    expect(create.diff.find((d: { field: string }) => d.field === 'mailQuota')).toMatchObject({ after: '10M' })
    const mine = await dom.q('audit.list', { limit: 200 })
    expect(mine.items.length).toBeGreaterThan(0)
    expect(new Set(mine.items.map((e: { domain: string }) => e.domain))).toEqual(new Set(['a.test']))
    const filtered = await root.q('audit.list', { actor: 'ada', action: 'user.modify' })
    expect(filtered.items.map((e: { target: string }) => e.target)).toEqual(['alice@a.test'])
  })

  it('services: status over HTTP, live status over SSE and over an authenticated WebSocket', async () => {
    const st = await root.q('services.status')
    expect(st.services.find((s: { name: string }) => s.name === 'admin')).toMatchObject({ state: 'running' })
    // SSE (httpSubscriptionLink's transport)
    const ctl = new AbortController()
    const res = await fetch(`${base}/trpc/services.onStatus`, { headers: { cookie: root.cookie, accept: 'text/event-stream' }, signal: ctl.signal })
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/)
    const reader = res.body!.getReader()
    let text = ''
    while (!/\ndata: \{.*"daemon"/.test(text)) text += new TextDecoder().decode((await reader.read()).value)
    ctl.abort()
    // WebSocket: a foreign Origin and a missing cookie are refused at the upgrade
    const wsUrl = base.replace('http', 'ws') + '/trpc'
    const refused = (headers: Record<string, string>) => new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(wsUrl, { headers })
      ws.on('unexpected-response', (_req, r) => { resolve(r.statusCode ?? 0); ws.terminate() })
      ws.on('open', () => { ws.close(); reject(new Error('upgrade accepted')) })
      ws.on('error', () => undefined)
    })
    expect(await refused({ cookie: root.cookie, origin: 'http://evil.example' })).toBe(403)
    expect(await refused({})).toBe(401)
    const ws = new WebSocket(wsUrl, { headers: { cookie: root.cookie, origin: base } })
    const first = await new Promise<{ daemon: unknown; services: unknown[] }>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ id: 1, method: 'subscription', params: { path: 'services.onStatus', input: undefined } })))
      ws.on('message', (raw) => {
        const msg = JSON.parse(String(raw)) as { id: number; result?: { type: string; data?: { daemon: unknown; services: unknown[] } }; error?: unknown }
        if (msg.error) reject(new Error(JSON.stringify(msg.error)))
        if (msg.result?.type === 'data' && msg.result.data) resolve(msg.result.data)
      })
      ws.on('error', reject)
    })
    ws.close()
    expect(first.services.length).toBeGreaterThan(0)
    // an open WebSocket loses its rights as soon as its session is signed out
    const c = new ApiClient(base)
    await c.signIn('admin', password)
    const ws2 = new WebSocket(wsUrl, { headers: { cookie: c.cookie } })
    const call = (id: number) => new Promise<{ result?: unknown; error?: { data?: { code?: string } } }>((resolve) => {
      const onMsg = (raw: unknown) => {
        const msg = JSON.parse(String(raw)) as { id: number; result?: unknown; error?: { data?: { code?: string } } }
        if (msg.id === id) { ws2.off('message', onMsg); resolve(msg) }
      }
      ws2.on('message', onMsg)
      ws2.send(JSON.stringify({ id, method: 'query', params: { path: 'services.status', input: undefined } }))
    })
    await new Promise((r) => ws2.once('open', r))
    expect((await call(1)).result).toBeDefined()
    await c.m('auth.signOut')
    expect((await call(2)).error?.data?.code).toBe('UNAUTHORIZED')
    ws2.close()
  })

  it('signs out and ends the session', async () => {
    const c = admin()
    await c.signIn('admin', password)
    const cookie = c.cookie
    await c.m('auth.signOut')
    expect(c.cookie).toBe('')
    const reuse = new ApiClient(base)
    reuse.cookie = cookie
    expect(await reuse.q('auth.me')).toBeNull()
  })

  it('rate-limits failed sign-ins: the 6th attempt gets TOO_MANY_REQUESTS and every failure is audited', async () => {
    // a separate client address through the loopback proxy header, so the earlier sessions are unaffected
    const c = new ApiClient(base, { 'x-forwarded-for': '198.51.100.7' })
    const codes: string[] = []
    for (let i = 0; i < 6; i++) {
      const r = await c.signIn('admin', 'wrong-password')
      codes.push(r.ok ? 'ok' : r.error.code)
    }
    expect(codes).toEqual(['UNAUTHORIZED', 'UNAUTHORIZED', 'UNAUTHORIZED', 'UNAUTHORIZED', 'UNAUTHORIZED', 'TOO_MANY_REQUESTS'])
    // even the right password is refused while blocked
    const right = await c.signIn('admin', password)
    expect(right.ok || right.error.code).toBe('TOO_MANY_REQUESTS')
    const failures = await root.q('audit.list', { action: 'auth.failed', limit: 50 })
    const fromIp = failures.items.filter((e: { sourceIp: string }) => e.sourceIp === '198.51.100.7')
    expect(fromIp.length).toBe(7)
    expect(fromIp[0]).toMatchObject({ target: 'admin', source: 'console' })
    // the daemon's log writer is buffered: wait for the lines rather than read once
    const logged = (re: RegExp) => { try { return re.test(readFileSync(join(dataRoot, 'log', 'default'), 'utf8')) } catch { return false } }
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline && !(logged(/admin sign-in failed for admin from 198\.51\.100\.7/) && logged(/admin admin \(global\) signed in from 127\.0\.0\.1/))) {
      await new Promise((r) => setTimeout(r, 100))
    }
    const log = readFileSync(join(dataRoot, 'log', 'default'), 'utf8')
    expect(log).toMatch(/admin sign-in failed for admin from 198\.51\.100\.7/)
    expect(log).toMatch(/admin admin \(global\) signed in from 127\.0\.0\.1/)
  })
})
