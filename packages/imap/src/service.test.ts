import * as fs from 'node:fs'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { execFileSync } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { createLocalBus, nullLogger, staticConfigView, type OptionValue, type ServiceContext } from '@wren/kernel'
import { openStore, type MailStore } from '@wren/store'
import { createService } from './service.js'
import type { Authenticator } from './server/ports.js'

const auth: Authenticator = {
  async authenticate(login, password) {
    return login === 'u1' && password === 'pw' ? { ok: true, userid: 'u1' } : { ok: false, reason: 'badpassword' }
  },
}

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function context(values: Record<string, OptionValue>, withCert: boolean, withAuth = true): { ctx: ServiceContext; store: MailStore } {
  const dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'wren-imap-svc-'))
  cleanups.push(() => fs.rmSync(dataRoot, { recursive: true, force: true }))
  if (withCert) {
    fs.mkdirSync(path.join(dataRoot, 'tls'))
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-keyout', path.join(dataRoot, 'tls', 'server.key'), '-out', path.join(dataRoot, 'tls', 'server.crt')], { stdio: 'ignore' })
  }
  const config = staticConfigView({ 'imap.listenaddr': '127.0.0.1', 'imap.port': 0, 'imap.sslport': 0, ...values })
  const store = openStore({ dataRoot, config })
  cleanups.push(() => store.close())
  const services: Record<string, unknown> = withAuth ? { store, authenticator: auth } : { store }
  const ctx: ServiceContext = {
    dataRoot, hostname: 'mail.example.com', config, logger: () => nullLogger, bus: createLocalBus(),
    lookup: <T>(name: string) => services[name] as T | undefined,
  }
  return { ctx, store }
}

function banner(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1')
    s.setEncoding('latin1')
    s.once('data', (d: string) => { s.destroy(); resolve(d) })
    s.once('error', reject)
  })
}

describe('imap service', () => {
  it('opens the plain and SSL listeners and reports them', async () => {
    const { ctx } = context({ 'imap.banner': '%h %p service (%P %V) ready' }, true)
    const svc = createService()
    expect(svc.name).toBe('imap')
    await svc.start(ctx)
    cleanups.push(() => svc.stop())
    const ls = svc.listeners!()
    expect(ls.map((l) => [l.name, l.tls])).toEqual([['imap', 'starttls'], ['imaps', 'implicit']])
    const b = await banner(ls[0].port)
    expect(b).toMatch(/^\* OK \[CAPABILITY IMAP4rev1 .* STARTTLS LOGINDISABLED\] mail\.example\.com IMAP4 service \(Wren Messaging Server 0\.1\.0\) ready\r\n$/)
    expect((await svc.health!()).ok).toBe(true)
  })

  it('honours imap.enable 0 and skips the SSL port without a certificate', async () => {
    const { ctx } = context({ 'imap.enable': 0 }, false)
    const svc = createService()
    await svc.start(ctx)
    cleanups.push(() => svc.stop())
    expect(svc.listeners!()).toEqual([])
  })

  it('refuses connections beyond imap.maxsessions', async () => {
    const { ctx } = context({ 'imap.maxsessions': 1, 'imap.enablesslport': 0 }, false)
    const svc = createService()
    await svc.start(ctx)
    cleanups.push(() => svc.stop())
    const port = svc.listeners!()[0].port
    const first = net.connect(port, '127.0.0.1')
    cleanups.push(() => { first.destroy() })
    await new Promise((r) => first.once('data', r))
    expect(await banner(port)).toBe('* BYE Too many connections, try again later\r\n')
  })
})

describe('imap service in its own process', () => {
  it('authenticates against the embedded directory (openDirectory) when no authenticator is given', async () => {
    const { ctx } = context({ 'imap.enablesslport': 0, 'imap.allowplaintextlogin': 1, 'base.defaultdomain': 'example.com' }, false, false)
    const { openDirectory } = await import('@wren/directory')
    const dir = await openDirectory({ dataRoot: ctx.dataRoot, config: ctx.config, hostname: ctx.hostname })
    try {
      await dir.createDomain({ name: 'example.com' }, { actor: 'test' })
      await dir.createUser({ uid: 'carol', password: 'carol-secret' }, { actor: 'test' })
    } finally {
      await dir.close()
    }
    const svc = createService()
    await svc.start(ctx)
    cleanups.push(() => svc.stop())
    const port = svc.listeners!()[0].port
    const talk = (lines: string[]) => new Promise<string>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1')
      let out = ''
      s.setEncoding('latin1')
      s.on('data', (d: string) => {
        out += d
        if (/^a OK|^a NO|^a BAD/m.test(out)) { s.destroy(); resolve(out) }
      })
      s.once('error', reject)
      s.once('connect', () => s.write(lines.join('')))
    })
    expect(await talk(['a LOGIN carol wrong\r\n'])).toMatch(/^a NO \[AUTHENTICATIONFAILED\]/m)
    expect(await talk(['a LOGIN carol carol-secret\r\n'])).toMatch(/^a OK \[CAPABILITY/m)
  })
})
