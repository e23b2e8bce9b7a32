// The `pop` service as the daemon runs it: createService().start(ctx) with options from the
// configuration, the certificate from the data root, the store and directory from ctx.lookup.
import { connect } from 'node:net'
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLocalBus, staticConfigView, type OptionValue, type ServiceContext } from '@wren/kernel'
import { openConfig, type ConfigService } from '@wren/config'
import { openDirectory, type Directory } from '@wren/directory'
import { openStore, type MailStore } from '@wren/store'
import { createService } from '@wren/pop'
import { makeDataRoot, memoryLogger, parsed, python } from './harness.js'

let root: string
let cfg: ConfigService
let dir: Directory
let store: MailStore

function context(values: Record<string, OptionValue>): ServiceContext {
  const logger = memoryLogger()
  return {
    dataRoot: root,
    hostname: 'pop.test',
    config: staticConfigView({ 'pop.listenaddr': '127.0.0.1', 'pop.port': 0, 'pop.sslport': 0, ...values }),
    logger: () => logger,
    bus: createLocalBus(),
    lookup: <T>(name: string) => (name === 'store' ? store : name === 'directory' ? dir : undefined) as T | undefined,
  }
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    s.on('connect', () => { s.destroy(); resolve(false) })
    s.on('error', () => resolve(true))
  })
}

beforeAll(async () => {
  root = makeDataRoot('wren-popsvc-')
  cfg = await openConfig(root)
  dir = await openDirectory({ dataRoot: root, config: cfg.view(), hostname: 'pop.test' })
  if (!(await dir.getDomain(dir.defaultDomain))) await dir.createDomain({ name: dir.defaultDomain }, { actor: 'e2e' })
  await dir.createUser({ uid: 'sam', password: 'sam-secret' }, { actor: 'e2e' })
  store = openStore({ dataRoot: root, config: cfg.view() })
  await store.deliver({ userid: 'sam' }, Buffer.from('Subject: svc\r\n\r\nhello\r\n'))
})

afterAll(async () => {
  store?.close()
  await dir?.close()
  await cfg?.close()
  if (root) rmSync(root, { recursive: true, force: true })
})

describe('pop service', () => {
  it('listens on pop.port and pop.sslport, serves a session, and stops', async () => {
    const svc = createService()
    await svc.start(context({ 'pop.enablesslport': 1, 'pop.allowplaintextlogin': 1, 'pop.banner': '%h POP3 ready' }))
    try {
      const ls = svc.listeners!()
      expect(ls.map((l) => [l.name, l.tls])).toEqual([['pop', 'starttls'], ['pops', 'implicit']])
      const [plain, ssl] = ls
      const r = await python(`
p = poplib.POP3("127.0.0.1", PORT, timeout=10)
res = {"welcome": b(p.getwelcome())}
p.user("sam"); res["pass"] = b(p.pass_("sam-secret")); res["stat"] = list(p.stat()); p.quit()
q = poplib.POP3_SSL("127.0.0.1", SSLPORT, context=ctx, timeout=10)
q.user("sam"); q.pass_("sam-secret"); res["ssl"] = list(q.stat()); q.quit()
out(res)
`, { PORT: plain!.port, SSLPORT: ssl!.port })
      const res = parsed(r)
      expect(res.welcome).toBe('+OK pop.test POP3 ready')
      expect(res.pass).toMatch(/^\+OK Maildrop has 1 message /)
      expect(res.stat[0]).toBe(1)
      expect(res.ssl[0]).toBe(1)
      expect((await svc.health!()).ok).toBe(true)
      await svc.stop()
      expect(await refused(plain!.port)).toBe(true)
      expect(await refused(ssl!.port)).toBe(true)
    } finally {
      await svc.stop()
    }
  })

  it('pop.enable 0 and pop.enablesslport 0: nothing listens', async () => {
    const svc = createService()
    await svc.start(context({ 'pop.enable': 0, 'pop.enablesslport': 0 }))
    try {
      expect(svc.listeners!()).toEqual([])
      expect((await svc.health!()).ok).toBe(false)
    } finally {
      await svc.stop()
    }
  })
})
