import { describe, it, expect, afterEach } from 'vitest'
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openConfig, type ConfigService } from '../service.js'
import { Msconfig, type ToolIO } from './msconfig.js'
import { stagedChanges, type RemoteConfigWriter, type StagedChange } from './remote.js'
import { Configutil } from './configutil.js'
import { tokenize } from './tokenize.js'

function io(answers: string[] = []) {
  const out: string[] = [], err: string[] = []
  const q = [...answers]
  const tio: ToolIO = {
    stdout: (t) => { out.push(t) },
    stderr: (t) => { err.push(t) },
    prompt: async (p) => { out.push(p); return q.length ? q.shift()! : null },
    cwd: process.cwd(),
  }
  return { tio, out: () => out.join(''), err: () => err.join('') }
}

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => { for (const f of cleanup.splice(0).reverse()) await f() })
async function fresh(): Promise<ConfigService> {
  const d = mkdtempSync(join(tmpdir(), 'wren-msconfig-'))
  const svc = await openConfig(d)
  cleanup.push(() => rmSync(d, { recursive: true, force: true }), () => svc.close())
  return svc
}

describe('msconfig', () => {
  it('tokenizes like the manual\'s examples', () => {
    expect(tokenize('set "sectoken:Internal (Software) Token.tokenpass" newpassword')).toEqual(['set', 'sectoken:Internal (Software) Token.tokenpass', 'newpassword'])
    expect(tokenize('write -remark="imap off"')).toEqual(['write', '-remark=imap off'])
    expect(tokenize('set delivery_options "*mailbox=$M%\\$2I$_+$2S@ims-ms-daemon"')).toEqual(['set', 'delivery_options', '*mailbox=$M%\\$2I$_+$2S@ims-ms-daemon'])
    expect(() => tokenize('set x "open')).toThrow(/unterminated/)
  })

  it('interactive: msconfig# while dirty, write with remark, history, exit guard', async () => {
    const svc = await fresh()
    const t = io(['set channel:tcp_local.slave_debug', 'set mm_debug 3', 'set channel:tcp_local.options.trace_level 2', 'diff', 'write -remark="debug smtp"', 'show channel:tcp_local', 'history 1', 'set imap.enable 0', 'exit', 'exit'])
    expect(await new Msconfig(svc, t.tio, 'interactive').repl()).toBe(0)
    const out = t.out()
    expect(out).toMatch(/^msconfig> msconfig# msconfig# msconfig# \+ role\.channel:tcp_local\.options\.trace_level = 2/)
    expect(out).toContain('+ role.mta.mm_debug = 3')
    expect(out).toContain('Configuration version 2 written.')
    expect(out).toContain('msconfig> role.channel:tcp_local.options.trace_level = 2\nrole.channel:tcp_local.slave_debug = 1\n')
    expect(out).toMatch(/\* {3}2 {2}\S+ {2}\S+ {2}"debug smtp"/)
    expect(out).toContain('There are unsaved changes')
    expect(svc.view().get('imap.enable')).toBe(true) // discarded
    expect((await svc.history()).length).toBe(2)
  })

  it('restricted options need confirmation; obsolete ones cannot be set', async () => {
    const svc = await fresh()
    const t = io(['set store.checkpoint.debug 1', 'no', 'set store.checkpoint.debug 1', 'yes', 'set store.expirestart 3', 'write', 'exit'])
    await new Msconfig(svc, t.tio, 'interactive').repl()
    expect(t.out()).toContain('RESTRICTED USAGE OPTION')
    expect(t.out()).toContain('Not set.')
    expect(t.err()).toContain('store.expirestart is obsolete')
    expect(svc.view().get('store.checkpoint.debug')).toBe(true)
    const one = io()
    expect(await new Msconfig(svc, one.tio, 'oneshot').exec(['set', 'store.checkpoint.debug', '0'])).toBe(1)
    expect(await new Msconfig(svc, one.tio, 'oneshot').exec(['set', '-restricted', 'store.checkpoint.debug', '0'])).toBe(0)
  })

  it('set -prompt asks twice for passwords and show hides them', async () => {
    const svc = await fresh()
    const t = io(['set -prompt proxyadminpass', 'pw-A', 'pw-A', 'write', 'show base.proxyadminpass', 'exit'])
    await new Msconfig(svc, t.tio, 'interactive').repl()
    expect(t.out()).toContain('Password: Verify: ')
    expect(t.out()).toContain('role.base.proxyadminpass = ********')
    expect(t.out()).not.toContain('pw-A\n')
    expect(svc.view().get('base.proxyadminpass')).toBe('pw-A')
    const bad = io(['set -prompt proxyadminpass', 'x', 'y', 'exit'])
    await new Msconfig(svc, bad.tio, 'interactive').repl()
    expect(bad.err()).toContain('do not match')
  })

  it('one-shot writes at once, reports usage errors with 64, and tells a running daemon', async () => {
    const svc = await fresh()
    const seen: Array<{ auth?: string; url?: string }> = []
    const server: Server = createServer((req, res) => {
      seen.push({ auth: req.headers.authorization, url: req.url })
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ applied: ['imap.banner'], restartNeeded: ['imap.port'], restart: [{ option: 'imap.port', services: ['imap'] }] }))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())))
    mkdirSync(join(svc.dataRoot, 'run'), { recursive: true })
    writeFileSync(join(svc.dataRoot, 'run/control.json'), JSON.stringify({ port: (server.address() as AddressInfo).port, token: 'tok-1', pid: process.pid }))
    const t = io()
    expect(await new Msconfig(svc, t.tio, 'oneshot').exec(['set', 'imap.port', '1143'])).toBe(0)
    expect(t.out()).toContain('imap.port requires a restart of imap')
    expect(seen).toEqual([{ auth: 'Bearer tok-1', url: '/control/config-reload' }])
    expect((await svc.history(1))[0]!.remark).toBe('msconfig set imap.port 1143')
    const u = io()
    expect(await new Msconfig(svc, u.tio, 'oneshot').exec(['differences', '1'])).toBe(64)
    expect(await new Msconfig(svc, u.tio, 'oneshot').exec(['frobnicate'])).toBe(64)
    expect(await new Msconfig(svc, u.tio, 'oneshot').exec(['set', 'nosuch.option', '1'])).toBe(1)
    expect(u.err()).toMatch(/unknown option nosuch\.option; did you mean/)
  })

  it('show -default and help option', async () => {
    const svc = await fresh()
    const t = io()
    const m = new Msconfig(svc, t.tio, 'oneshot')
    await m.exec(['show', '-default', 'delivery_options'])
    await m.exec(['help', 'option', 'imap.port'])
    await m.exec(['help', 'option', 'capability_*'])
    expect(t.out()).toContain('delivery_options: *mailbox=$M%\\$2I$_+$2S@ims-ms-daemon,')
    expect(t.out()).toContain('Restart: changes need a restart of imap')
    expect(t.out()).toContain('Option: imap.capability_condstore')
  })
})

describe('configutil', () => {
  it('prints the spec 04 A.1 blocks and sets through legacy names', async () => {
    const svc = await fresh()
    const t = io()
    const c = new Configutil(svc, t.tio)
    expect(await c.run(['-o', 'service.imap.port'])).toBe(0)
    expect(await c.run(['-H', '-o', 'service.imap.port'])).toBe(0)
    expect(await c.run(['-m', '-p', 'service.pop'])).toBe(0)
    expect(await c.run(['-o', 'service.imap.banner', '-v', 'hi there'])).toBe(0)
    expect(await c.run(['-o', 'service.imap.banner'])).toBe(0)
    expect(await c.run(['-o', 'service.imap.banner', '-v', ''])).toBe(0)
    expect(await c.run(['-o', 'store.quotaexceededmsg;lang-jp', '-v', 'X'])).toBe(0)
    expect(await c.run(['-V'])).toBe(0)
    const out = t.out()
    expect(out.startsWith('2143\n')).toBe(true)
    expect(out).toContain('Configuration option: service.imap.port\n        Description: IMAP server port number (product 143).\n        Unified Config Name: imap.port\n        Flags: MSG_RESTART_IMAP\n        Syntax: tcpport\n        Default: 2143\nservice.imap.port is currently set to: 2143\n')
    expect(out).toContain('service.pop.banner = "%h %p service (%P %V)" [REFRESHABLE]\n')
    expect(out).toContain('service.pop.enable = yes [NOT REFRESHABLE]\n')
    expect(out).toContain('service.pop.idletimeout = 10 [REFRESHABLE]\n')
    expect(out).toContain('service.pop.maxsessions = 600 [NOT REFRESHABLE]\n')
    expect(out).toContain('OK SET\nhi there\nOK SET\n')
    expect(svc.view().get('imap.banner')).toBe('%h %p service (%P %V)')
    expect(svc.view().get('store.quotaexceededmsg;lang-jp')).toBe('X')
    expect(svc.view().find('store.quotaexceededmsg')).toBeUndefined()
    expect(await c.run(['-o', 'service.imap.port', '-v', '2200'])).toBe(0)
    expect(t.err()).toContain('Warning: imap.port (MSG_RESTART_IMAP) requires a restart of imap')
    expect(await c.run(['-v', '1'])).toBe(64)
    expect(await c.run(['-o', 'service.imap.portt'])).toBe(1)
  })
})

describe('msconfig against a running daemon (remote.ts)', () => {
  /** The daemon side of config.set / config.rollback (packages/api config router) on its own ConfigService. */
  function daemonSide(daemon: ConfigService): RemoteConfigWriter & { calls: Array<{ remark: string; baseVersion: number; changes: StagedChange[] }> } {
    const calls: Array<{ remark: string; baseVersion: number; changes: StagedChange[] }> = []
    return {
      calls,
      async set(changes, remark, baseVersion, confirmRestricted) {
        calls.push({ remark, baseVersion, changes })
        await daemon.reload()
        if ((daemon.version ?? 0) !== baseVersion) throw new Error(`stale base ${baseVersion}`)
        daemon.discard()
        for (const c of changes) {
          if (c.value === null) daemon.unset(c.name)
          else daemon.set(c.name, typeof c.value === 'boolean' ? (c.value ? '1' : '0') : c.value, { confirmRestricted })
        }
        const w = await daemon.write({ remark, author: 'cli:tester', source: 'cli' })
        return { version: w.version ?? baseVersion, restart: w.changed.includes('imap.port') ? [{ option: 'imap.port', services: ['imap'] }] : [] }
      },
      async revert(n, remark) {
        const w = await daemon.revert(n, { author: 'cli:tester', source: 'cli', ...(remark ? { remark } : {}) })
        return { version: w.version ?? daemon.version ?? 0, restart: [] }
      },
    }
  }

  it('stagedChanges replays to the same settings: removals first, multi-valued lines one by one', async () => {
    const svc = await fresh()
    svc.set('imap.enable', '0'); svc.set('rewrite.rule', 'example.org $U%D@tcp_local-daemon'); svc.set('pop.banner', 'old')
    await svc.write({ remark: 'base' })
    svc.unset('imap.enable'); svc.set('rewrite.rule', 'example.net $U%D@tcp_local-daemon'); svc.set('pop.banner', 'new banner'); svc.set('imap.port', '1143')
    const { changes, restricted } = stagedChanges(svc)
    expect(restricted).toBe(false)
    expect(changes).toEqual([
      { name: 'role.imap.enable', value: null },
      { name: 'role.rewrite.rule', value: null },
      { name: 'role.pop.banner', value: 'new banner' },
      { name: 'role.rewrite.rule', value: 'example.org $U%D@tcp_local-daemon' },
      { name: 'role.rewrite.rule', value: 'example.net $U%D@tcp_local-daemon' },
      { name: 'role.imap.port', value: 1143 },
    ])
    const other = await openConfig(svc.dataRoot)
    cleanup.push(() => other.close())
    for (const c of changes) c.value === null ? other.unset(c.name) : other.set(c.name, c.value as string)
    expect([...other.pendingSettings()].sort()).toEqual([...svc.pendingSettings()].sort())
  })

  it('one-shot set and revert go to the daemon with the version read and the remark; the local copy follows', async () => {
    const svc = await fresh()
    const daemon = await openConfig(svc.dataRoot)
    cleanup.push(() => daemon.close())
    const remote = daemonSide(daemon)
    const t = io()
    const base = svc.version ?? 0
    expect(await new Msconfig(svc, t.tio, 'oneshot', remote).exec(['set', 'imap.port', '1143', '-remark=move imap'])).toBe(0)
    expect(remote.calls).toEqual([{ remark: 'move imap', baseVersion: base, changes: [{ name: 'role.imap.port', value: 1143 }] }])
    expect(t.out()).toBe(`Configuration version ${base + 1} written.\nimap.port requires a restart of imap\n`)
    expect(svc.version).toBe(base + 1)
    expect(svc.dirty).toBe(false)
    expect((await svc.history(1))[0]).toMatchObject({ author: 'cli:tester', remark: 'move imap' })
    const t2 = io()
    expect(await new Msconfig(svc, t2.tio, 'oneshot', remote).exec(['set', 'pop.banner', 'hello'])).toBe(0)
    expect(t2.out()).toContain('Applied without restart: pop.banner')
    expect(remote.calls[1]!.remark).toBe('msconfig set pop.banner hello')
    const t3 = io()
    expect(await new Msconfig(svc, t3.tio, 'oneshot', remote).exec(['revert', String(base)])).toBe(0)
    expect(t3.out()).toBe(`Configuration version ${base + 3} written.\n`)
    expect(svc.version).toBe(base + 3)
    // a refusal by the daemon is an error line and exit 1; nothing is written
    const t4 = io()
    await daemon.reload()
    daemon.set('pop.banner', 'someone else'); await daemon.write({ remark: 'elsewhere' })
    expect(await new Msconfig(svc, t4.tio, 'oneshot', remote).exec(['set', 'pop.banner', 'mine'])).toBe(1)
    expect(t4.err()).toBe(`msconfig: stale base ${base + 3}\n`)
  })
})
