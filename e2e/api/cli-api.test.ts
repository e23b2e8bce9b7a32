// Outside-in test of "the CLI uses the same API" (issue 6, D24): a real daemon on a temporary
// data root and the real bin/commadmin and bin/msconfig. With the daemon running, their changes go
// through /trpc: audited with source `cli` and actor `cli:<name>` (control token) or the signed-in
// administrator (-D/-w, whose role the API enforces); field errors come back as `tool: field: message`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { QUIET_OPTIONS, cleanup, envFor, foregroundDaemon, tempDataRoot, tool, until } from '../server/harness.js'
import { ApiClient } from './client.js'

// three failures from one address or for one name block further sign-ins (admin.maxloginfailures)
const OPTIONS = { ...QUIET_OPTIONS, 'admin.maxloginfailures': 3 }

interface AuditItem { actor: string; role: string; action: string; target: string; source: string; sourceIp: string }

describe('commadmin and msconfig through the admin API (real daemon)', () => {
  let dataRoot = ''
  let env: NodeJS.ProcessEnv = {}
  let daemon: ReturnType<typeof foregroundDaemon> | undefined
  let base = ''
  let root: ApiClient
  const commadmin = (...args: string[]) => tool('commadmin', args, env, 60_000)
  const audit = async (q: Record<string, unknown>): Promise<AuditItem[]> => (await root.q('audit.list', { limit: 100, ...q })).items

  beforeAll(async () => {
    dataRoot = tempDataRoot()
    env = envFor(dataRoot, OPTIONS, { USER: 'opal' })
    daemon = foregroundDaemon(env)
    await until('the daemon to be ready', () => daemon!.output().includes('wren: ready'), 90_000)
    const password = /administrator\s+admin \/ (\S+)/.exec(daemon.output())![1]!
    const { port } = JSON.parse(readFileSync(join(dataRoot, 'run', 'control.json'), 'utf8')) as { port: number }
    base = `http://127.0.0.1:${port}`
    root = new ApiClient(base)
    expect((await root.signIn('admin', password)).ok).toBe(true)
    await root.m('domains.create', { name: 'a.test' })
    await root.m('domains.create', { name: 'b.test' })
    await root.m('users.create', { uid: 'bob', domain: 'b.test', password: 'bob-password-1', cn: 'Bob B' })
    await root.m('admins.create', { username: 'dadmin', password: 'dadmin-password-1', role: 'domain', domains: ['a.test'] })
  }, 120_000)

  afterAll(async () => {
    if (daemon && daemon.child.exitCode === null) {
      daemon.child.kill('SIGTERM')
      await Promise.race([daemon.exited, new Promise((r) => setTimeout(r, 15_000))])
    }
    await cleanup(dataRoot, env)
  })

  it('keeps the control token private (run/control.json is mode 0600)', () => {
    expect(statSync(join(dataRoot, 'run', 'control.json')).mode & 0o777).toBe(0o600)
  })

  it('commadmin user create goes through the daemon: audited as cli:<-D> with source cli; show and search read the API', async () => {
    const r = await commadmin('user', 'create', '-l', 'carol', '-d', 'a.test', '-W', 'carol-password-1', '-F', 'Carol', '-L', 'Archer', '-D', 'ops')
    expect(r).toMatchObject({ code: 0, stdout: 'OK user carol@a.test created\n' })
    const rows = await audit({ action: 'user.create', target: 'carol' })
    expect(rows.length).toBe(1)
    expect(rows[0]).toMatchObject({ actor: 'cli:ops', role: 'global', source: 'cli' })
    // without -D the actor is $USER
    const mod = await commadmin('user', 'modify', '-l', 'carol', '-d', 'a.test', '-A', '+mailAlternateAddress:c.archer@a.test', '-A', 'mailQuota:20M')
    expect(mod).toMatchObject({ code: 0, stdout: 'OK user carol@a.test modified\n' })
    expect((await audit({ action: 'user.modify', target: 'carol' }))[0]).toMatchObject({ actor: 'cli:opal', source: 'cli' })
    const detail = await root.q('users.get', { uid: 'carol', domain: 'a.test' })
    expect(detail).toMatchObject({ cn: 'Carol Archer', aliases: ['c.archer@a.test'], mailQuota: '20M' })
    const show = await commadmin('user', 'show', '-l', 'carol', '-d', 'a.test')
    expect(show.stdout).toContain('cn: Carol Archer\n')
    expect(show.stdout).toContain('mailAlternateAddress: c.archer@a.test\n')
    expect(show.stdout).toContain('# storeId: carol@a.test\n')
    expect((await commadmin('user', 'search', '-d', 'a.test')).stdout).toBe('carol@a.test\tactive\tcarol@a.test\n')
  })

  it('prints the API field error for a duplicate address and changes nothing', async () => {
    const r = await commadmin('user', 'create', '-l', 'carl', '-d', 'a.test', '-W', 'carl-password-1', '-E', 'c.archer@a.test')
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^commadmin: mail: .*c\.archer@a\.test.* already/m)
    expect((await root.query('users.get', { uid: 'carl', domain: 'a.test' })).ok).toBe(false)
  })

  it('commadmin -D/-w signs in as that administrator: a domain admin works in their domain and gets FORBIDDEN elsewhere', async () => {
    const own = await commadmin('user', 'create', '-l', 'dave', '-d', 'a.test', '-W', 'dave-password-1', '-D', 'dadmin', '-w', 'dadmin-password-1')
    expect(own).toMatchObject({ code: 0, stdout: 'OK user dave@a.test created\n' })
    expect((await audit({ action: 'user.create', target: 'dave' }))[0]).toMatchObject({ actor: 'dadmin', role: 'domain', source: 'cli' })
    const other = await commadmin('user', 'create', '-l', 'eve', '-d', 'b.test', '-W', 'eve-password-1', '-D', 'dadmin', '-w', 'dadmin-password-1')
    expect(other.code).toBe(1)
    expect(other.stderr).toMatch(/^commadmin: FORBIDDEN: you do not administer the domain b\.test/m)
    const del = await commadmin('user', 'delete', '-l', 'bob', '-d', 'b.test', '-D', 'dadmin', '-w', 'dadmin-password-1')
    expect(del.code).toBe(1)
    expect(del.stderr).toContain('FORBIDDEN')
    expect((await root.query('users.get', { uid: 'eve', domain: 'b.test' })).ok).toBe(false)
    expect((await root.q('users.get', { uid: 'bob', domain: 'b.test' })).status).toBe('active')
    // a global-only operation
    const dom = await commadmin('domain', 'create', '-d', 'c.test', '-D', 'dadmin', '-w', 'dadmin-password-1')
    expect(dom.code).toBe(1)
    expect(dom.stderr).toContain('FORBIDDEN')
  })

  it('purges a group and a domain through the API only once they are marked deleted', async () => {
    await root.m('domains.create', { name: 'gone.test' })
    await root.m('groups.create', { cn: 'crew', domain: 'gone.test', mail: 'crew@gone.test', members: [] })
    const early = await commadmin('group', 'purge', '-G', 'crew', '-d', 'gone.test')
    expect(early.code).toBe(1)
    expect((await root.q('groups.get', { cn: 'crew', domain: 'gone.test' })).cn).toBe('crew')
    expect((await commadmin('group', 'delete', '-G', 'crew', '-d', 'gone.test')).code).toBe(0)
    expect(await commadmin('group', 'purge', '-G', 'crew', '-d', 'gone.test')).toMatchObject({ code: 0, stdout: 'OK group crew@gone.test purged\n' })
    expect((await root.query('groups.get', { cn: 'crew', domain: 'gone.test' })).ok).toBe(false)
    expect((await commadmin('domain', 'delete', '-d', 'gone.test')).code).toBe(0)
    expect(await commadmin('domain', 'purge', '-d', 'gone.test')).toMatchObject({ code: 0, stdout: 'OK domain gone.test purged\n' })
    expect((await root.query('domains.get', { name: 'gone.test' })).ok).toBe(false)
    for (const action of ['group.purge', 'domain.purge']) {
      expect((await audit({ action }))[0]).toMatchObject({ actor: 'cli:opal', role: 'global', source: 'cli' })
    }
  })

  it('msconfig set while the daemon runs writes a version through the API: history shows remark and author', async () => {
    const before = (await root.q('config.version')).version as number
    const r = await tool('msconfig', ['set', 'store.quotawarn', '85', '-remark=warn earlier'], env, 60_000)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`Configuration version ${before + 1} written.`)
    const history = await root.q('config.history', { limit: 5 })
    expect(history.items[0]).toMatchObject({ version: before + 1, author: 'cli:opal', remark: 'warn earlier', changes: 1 })
    const opts = await root.q('config.options', { search: 'store.quotawarn' })
    expect(opts.find((o: { name: string }) => o.name === 'store.quotawarn')).toMatchObject({ value: 85, isDefault: false })
    // unset goes the same way; a stale or invalid value is refused by the daemon and changes nothing
    const bad = await tool('msconfig', ['set', 'store.quotawarn', '150'], env, 60_000)
    expect(bad.code).toBe(1)
    expect((await root.q('config.version')).version).toBe(before + 1)
    const unset = await tool('msconfig', ['unset', 'store.quotawarn', '-remark=back to default'], env, 60_000)
    expect(unset.code).toBe(0)
    expect((await root.q('config.history', { limit: 1 })).items[0]).toMatchObject({ version: before + 2, author: 'cli:opal', remark: 'back to default' })
  })

  it('answers a wrong bearer token on /trpc with 401 and logs it as a failed sign-in', async () => {
    const res = await fetch(`${base}/trpc/users.list`, { headers: { authorization: `Bearer ${'0'.repeat(64)}`, 'x-wren-actor': 'intruder' } })
    expect(res.status).toBe(401)
    const failed = await audit({ action: 'auth.failed', actor: 'cli:intruder' })
    expect(failed[0]).toMatchObject({ source: 'cli', target: 'cli:intruder' })
  })

  it('a bad -w fails cleanly and counts toward the sign-in rate limit (admin.maxloginfailures 3)', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await commadmin('user', 'show', '-l', 'dave', '-d', 'a.test', '-D', 'dadmin', '-w', 'not-the-password')
      expect(r.code).toBe(1)
      expect(r.stderr).toBe('commadmin: UNAUTHORIZED: wrong user name or password\n')
    }
    const blocked = await commadmin('user', 'show', '-l', 'dave', '-d', 'a.test', '-D', 'dadmin', '-w', 'dadmin-password-1')
    expect(blocked.code).toBe(1)
    expect(blocked.stderr).toMatch(/^commadmin: TOO_MANY_REQUESTS: too many failed sign-ins/)
    const failed = await audit({ action: 'auth.failed', target: 'dadmin' })
    expect(failed.length).toBe(4)
    expect(failed[0]).toMatchObject({ source: 'cli' })
  })
}, 300_000)
