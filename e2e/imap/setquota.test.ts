/**
 * SETQUOTA (RFC 9208 §4.1.3) over the wire with the real directory: a store administrator's SETQUOTA
 * rewrites the user's mailQuota / mailMsgQuota (spec 03 §4) through @wren/directory — audited, other
 * parts of the value kept — and the new limits govern GETQUOTA and APPEND at once; a non-admin gets
 * NO [NOPERM] and nothing changes.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nullLogger, staticConfigView } from '@wren/kernel'
import { openDirectory } from '@wren/directory'
import { openStore } from '@wren/store'
import { ImapServer } from '../../packages/imap/src/server/server.js'
import { directoryAuthenticator } from '../../packages/imap/src/server/directory-auth.js'
import { RawClient } from './raw-client.js'

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wren-setquota-'))
const config = staticConfigView({ 'base.defaultdomain': 'example.com', 'base.hostname': 'wren.test', 'imap.allowplaintextlogin': 1, 'store.admins': 'admin' })
const actor = { actor: 'test', source: 'cli' }
let dir: Awaited<ReturnType<typeof openDirectory>>
let store: ReturnType<typeof openStore>
let server: ImapServer
let port = 0
const clients: RawClient[] = []

beforeAll(async () => {
  dir = await openDirectory({ dataRoot: root, config })
  await dir.createDomain({ name: 'example.com' }, actor)
  await dir.createUser({ uid: 'admin', password: 'adminpw' }, actor)
  await dir.createUser({ uid: 'joe', password: 'joepw', attributes: { mailQuota: '20M;Archive%100M' } }, actor)
  store = openStore({ dataRoot: root, config, logger: nullLogger, quotaResolver: (u) => dir.quotaSource(u) })
  store.ensureUser('joe')
  server = new ImapServer({ config, store, auth: directoryAuthenticator(dir), logger: nullLogger, hostname: 'wren.test',
    product: 'Wren', version: '0', quotaDirectory: dir })
  port = (await server.listen({ host: '127.0.0.1', port: 0, tls: 'none' })).port
})
afterAll(async () => {
  for (const c of clients) c.close()
  await server?.close()
  store?.close()
  await dir?.close()
  fs.rmSync(root, { recursive: true, force: true })
})
async function login(user: string, pw: string): Promise<RawClient> {
  const c = await RawClient.connect(port)
  clients.push(c)
  await c.login(user, pw)
  return c
}

describe('SETQUOTA', () => {
  it('a non-admin gets NO [NOPERM]; nothing changes', async () => {
    const joe = await login('joe', 'joepw')
    expect((await joe.cmd('SETQUOTA user/joe (STORAGE 1)')).tagged).toMatch(/^\S+ NO \[NOPERM\]/)
    expect((await dir.findUser('joe'))!.mailQuota).toBe('20M;Archive%100M')
  })

  it('an admin sets STORAGE and MESSAGE of the user root in the directory; the folder root part is kept', async () => {
    const a = await login('admin', 'adminpw')
    const r = await a.cmd('SETQUOTA user/joe (STORAGE 1 MESSAGE 2)')
    expect(r.tagged).toMatch(/^\S+ OK SETQUOTA completed/)
    expect(r.untagged).toEqual(['* QUOTA user/joe (STORAGE 0 1 MESSAGE 0 2)'])
    const u = (await dir.findUser('joe'))!
    expect(u.mailQuota).toBe(`1024;Archive%${100 * 1024 * 1024}`)
    expect(u.mailMsgQuota).toBe('2')
    const joe = await login('joe', 'joepw')
    expect((await joe.cmd('GETQUOTA user/joe')).untagged).toEqual(['* QUOTA user/joe (STORAGE 0 1 MESSAGE 0 2)'])
    const big = `Subject: big\r\n\r\n${'x'.repeat(2000)}\r\n`
    expect((await joe.cmd(`APPEND INBOX {${big.length}+}\r\n${big}`)).tagged).toMatch(/NO \[OVERQUOTA\]/)
  })

  it('a folder root, discarding unnamed resources, unknown roots and resources', async () => {
    const a = await login('admin', 'adminpw')
    expect((await a.cmd('SETQUOTA user/joe/Archive (MESSAGE 7)')).tagged).toMatch(/OK SETQUOTA completed/)
    const u = (await dir.findUser('joe'))!
    expect(u.mailQuota).toBe('1024')
    expect(u.mailMsgQuota).toBe('2;Archive%7')
    // "Any previous resource limits for the named quota root are discarded" (RFC 9208 §4.1.3).
    expect((await a.cmd('SETQUOTA user/joe ()')).tagged).toMatch(/OK SETQUOTA completed/)
    const v = (await dir.findUser('joe'))!
    expect([v.mailQuota, v.mailMsgQuota]).toEqual(['-1', '-1;Archive%7'])
    expect((await a.cmd('SETQUOTA user/nobody (STORAGE 5)')).tagged).toMatch(/NO \[NONEXISTENT\]/)
    expect((await a.cmd('SETQUOTA user/joe (FROBS 5)')).tagged).toMatch(/NO Unsupported quota resource FROBS/)
  })
})
