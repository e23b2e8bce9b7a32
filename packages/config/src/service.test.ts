import { describe, it, expect, afterEach } from 'vitest'
import { mkdtempSync, rmSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openControlDb } from '@wren/db'
import { openConfig, type ConfigService } from './service.js'
import { ConfigError } from './registry/errors.js'

const dirs: string[] = []
const open: ConfigService[] = []
async function fresh(): Promise<ConfigService> {
  const d = mkdtempSync(join(tmpdir(), 'wren-config-'))
  dirs.push(d)
  const svc = await openConfig(d)
  open.push(svc)
  return svc
}
afterEach(async () => {
  for (const s of open.splice(0)) await s.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const kindOf = (fn: () => unknown) => { try { fn() } catch (e) { return (e as ConfigError).kind } return undefined }

describe('ConfigService', () => {
  it('starts from the initial configuration (version 1) with the local-profile dispatcher services', async () => {
    const c = await fresh()
    expect(c.version).toBe(1)
    const ports = c.view().list('dispatcher.service:*.tcp_ports').map((e) => `${e.name}=${(e.value as string[]).join()}`).sort()
    expect(ports).toEqual(['dispatcher.service:LMTP.tcp_ports=2225', 'dispatcher.service:SMTP.tcp_ports=2525', 'dispatcher.service:SMTP_SUBMIT.tcp_ports=2587,2465'])
    expect(c.view().get('dispatcher.service:SMTP_SUBMIT.ssl_ports')).toEqual(['2465'])
    expect(c.view().get('dispatcher.service:LMTP.enable')).toBe(false)
    expect(c.view().get('partition:primary.path')).toBe(join(c.dataRoot, 'store/partition/primary'))
    expect(readFileSync(join(c.dataRoot, 'config/config.xml'), 'utf8')).toContain('<service name="SMTP">')
  })

  it('writes versions with author, remark and field diff; history, differences and revert', async () => {
    const c = await fresh()
    const changes: string[][] = []
    c.view().onChange((n) => changes.push(n))
    c.set('imap.enable', '0')
    expect(c.dirty).toBe(true)
    expect(c.diff()).toEqual([{ name: 'role.imap.enable', after: false }])
    expect(c.view().get('imap.enable')).toBe(true) // pending changes are not live
    const w = await c.write({ author: 'alice', remark: 'imap off' })
    expect(w.version).toBe(2)
    expect(w.changed).toEqual(['imap.enable'])
    expect(changes).toEqual([['imap.enable']])
    expect(c.view().get('imap.enable')).toBe(false)
    expect(c.dirty).toBe(false)

    c.set('instance.imap.port', '1143')
    await c.write({ author: 'bob', remark: 'port' })
    const h = await c.history()
    expect(h.map((v) => [v.id, v.author, v.remark])).toEqual([[3, 'bob', 'port'], [2, 'alice', 'imap off'], [1, 'configure', 'initial configuration']])
    expect(h[0]!.diff).toEqual([{ name: 'instance.imap.port', after: 1143 }])
    expect(await c.differences(1, 3)).toEqual([{ name: 'instance.imap.port', after: 1143 }, { name: 'role.imap.enable', after: false }])

    const r = await c.revert(1, { author: 'carol' })
    expect(r.version).toBe(4)
    expect(c.view().get('imap.enable')).toBe(true)
    expect(c.view().get('imap.port')).toBe(2143)
    const [top] = await c.history(1)
    expect(top!.revertOf).toBe(1)
    expect(top!.remark).toBe('revert to version 1')
    await expect(c.revert(99)).rejects.toThrow(/no configuration version 99/)
  })

  it('records an audit event per write and never stores or shows a password', async () => {
    const c = await fresh()
    c.set('base.ugldapbindcred', 'TopSecret-42')
    c.set('notifytarget:ms-internal.enspwd', 'Other-Secret-7')
    c.set('base.ugldapbinddn', 'cn=wren,o=isp')
    expect(JSON.stringify(c.diff())).not.toContain('TopSecret')
    await c.write({ author: 'alice', remark: 'ldap' })
    expect(c.view().get('base.ugldapbindcred')).toBe('TopSecret-42') // services can read it
    const xml = await c.exportXml()
    expect(xml).toContain('<ugldapbinddn v="cn=wren,o=isp"')
    expect(xml).not.toContain('TopSecret')
    expect(xml).not.toMatch(/ugldapbindcred/)
    const xpass = readFileSync(join(c.dataRoot, 'config/xpass.xml'), 'utf8')
    expect(xpass).toContain(Buffer.from('TopSecret-42').toString('base64'))
    expect(statSync(join(c.dataRoot, 'config/xpass.xml')).mode & 0o777).toBe(0o600)
    // Same process: close our connection first (see shared-db.ts on the two SQLite libraries).
    await open.splice(open.indexOf(c), 1)[0]!.close()
    const db = await openControlDb(c.dataRoot)
    try {
      const versions = await db.prisma.configVersion.findMany()
      const audit = await db.prisma.auditEvent.findMany()
      for (const text of [...versions.map((v) => v.snapshot + v.diff), ...audit.map((a) => a.diff)]) {
        expect(text).not.toContain('TopSecret')
        expect(text).not.toContain('Other-Secret')
      }
      expect(audit).toHaveLength(1)
      expect(audit[0]).toMatchObject({ actor: 'alice', action: 'config.write', target: 'config version 2', source: 'cli' })
      expect(JSON.parse(audit[0]!.diff)).toContainEqual({ field: 'role.base.ugldapbindcred', after: '********' })
      expect(JSON.parse(audit[0]!.diff)).toContainEqual({ field: 'role.notifytarget:ms-internal.enspwd', after: '********' })
    } finally {
      await db.close()
    }
  })

  it('validates: unknown, wrong type, obsolete, restricted; a rejected set changes nothing', async () => {
    const c = await fresh()
    expect(kindOf(() => c.set('nosuch.option', '1'))).toBe('unknown')
    expect(kindOf(() => c.set('imap.port', 'many'))).toBe('type')
    expect(kindOf(() => c.set('store.expirestart', '2'))).toBe('obsolete')
    expect(kindOf(() => c.set('store.checkpoint.debug', '1'))).toBe('restricted')
    expect(kindOf(() => c.set('imap.port'))).toBe('usage')
    expect(c.dirty).toBe(false)
    expect((await c.write()).version).toBeNull()
    c.set('store.checkpoint.debug', '1', { confirmRestricted: true })
    await c.write({ remark: 'support case 42' })
    expect(await c.exportXml()).toContain('xannotation="RESTRICTED USAGE OPTION: support case 42"')
  })

  it('obsolete options can still be deleted', async () => {
    const c = await fresh()
    const xml = (await c.exportXml()).replace('<imap>', '<store><expirestart v="23"/></store><imap>').replace('  <role name="store">\n', '  <role name="store">\n    <store><expirestart v="23"/></store>\n')
    await c.importXml(xml)
    expect(c.view().get('store.expirestart')).toBe(23)
    c.unset('store.expirestart')
    await c.write()
    expect([...c.settings().keys()]).not.toContain('role|store.expirestart')
  })

  it('multi-valued rules, flags without value and option relationships', async () => {
    const c = await fresh()
    c.set('rewrite.rule', ['example.org', '$U%D@tcp_example-daemon'])
    c.set('rewrite.rule', 'example.com $U%D@tcp_local-daemon')
    c.set('mapping:PORT_ACCESS.rule', '*|*|*|*|* $C$|INTERNAL_IP;$3|$Y$E')
    c.set('channel:tcp_local.slave_debug')
    c.set('channel:tcp_local.nomx')
    const r = c.set('channel:tcp_local.mx')
    expect(r.removed).toEqual(['role.channel:tcp_local.nomx'])
    await c.write()
    const v = c.view()
    expect(v.get('rewrite.rule')).toEqual(['example.org $U%D@tcp_example-daemon', 'example.com $U%D@tcp_local-daemon'])
    expect(v.get('channel:tcp_local.slave_debug')).toBe(true)
    expect(v.find('channel:tcp_local.nomx')).toBeUndefined()
    c.unset('rewrite.rule', { value: 'example.org' })
    await c.write()
    expect(v.get('rewrite.rule')).toEqual(['example.com $U%D@tcp_local-daemon'])
    expect(kindOf(() => c.unset('imap.port'))).toBe('notfound')
  })

  it('keeps the last 100 versions (101 writes → 100 versions)', async () => {
    const c = await fresh()
    for (let i = 1; i <= 101; i++) {
      c.set('mta.mm_debug', String(i % 6))
      c.set('imap.banner', `banner ${i}`)
      await c.write({ remark: `write ${i}` })
    }
    const h = await c.history(1000)
    expect(h).toHaveLength(100)
    expect(h[0]!.remark).toBe('write 101')
    expect(h[99]!.remark).toBe('write 2')
    c.set('base.config.maxversions', '10')
    await c.write()
    expect(await c.history(1000)).toHaveLength(10)
  }, 120_000)

  it('a second service sees a write after reload (the daemon side)', async () => {
    const a = await fresh()
    const b = await openConfig(a.dataRoot)
    open.push(b)
    a.set('pop.banner', 'hello')
    await a.write()
    expect(b.view().get('pop.banner')).toBe('%h %p service (%P %V)')
    expect(await b.reload()).toEqual(['pop.banner'])
    expect(b.view().get('pop.banner')).toBe('hello')
  })

  it('imports and exports config.xml (round trip, with xpass.xml)', async () => {
    const a = await fresh()
    a.set('instance.base.hostname', 'mail.example.com')
    a.set('base.defaultdomain', 'example.com')
    a.set('mapping:ORIG_SEND_ACCESS.rule', 'tcp_local|*|tcp_local|* $NRelaying$ not$ permitted')
    a.set('channel:tcp_intranet.options.trace_level', '2')
    a.set('store.quotaexceededmsg;lang-jp', 'Subject: 容量$$超過')
    a.set('base.ugldapbindcred', 'pw-1')
    await a.write()
    const xml = await a.exportXml()
    const xpass = readFileSync(join(a.dataRoot, 'config/xpass.xml'), 'utf8')
    const b = await fresh()
    const r = await b.importXml(xml, { xpass })
    expect(r.version).toBe(2)
    expect(Object.fromEntries(b.settings())).toEqual(Object.fromEntries(a.settings()))
    expect(b.view().get('base.hostname')).toBe('mail.example.com')
    expect(b.view().get('base.ugldapbindcred')).toBe('pw-1')
    // a bad file is rejected whole
    await expect(b.importXml(xml.replace('<defaultdomain', '<defaultdomian'))).rejects.toThrow(/unknown option base.defaultdomian/)
    expect(b.version).toBe(2)
  })
})

describe('concurrent writers', () => {
  it('two sessions writing different options both land (the later write is rebased)', async () => {
    const a = await fresh()
    const b = await openConfig(a.dataRoot)
    open.push(b)
    a.set('imap.banner', 'from a')
    b.set('pop.banner', 'from b')
    const [ra, rb] = await Promise.all([a.write({ author: 'a' }), b.write({ author: 'b' })])
    expect(new Set([ra.version, rb.version])).toEqual(new Set([2, 3]))
    await a.reload()
    expect(a.view().get('imap.banner')).toBe('from a')
    expect(a.view().get('pop.banner')).toBe('from b')
  })
})
