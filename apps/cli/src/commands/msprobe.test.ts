import { createServer, type AddressInfo, type Server } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { probe } from './msprobe.js'

const servers: Server[] = []
afterEach(async () => { for (const s of servers.splice(0)) await new Promise((r) => s.close(r)) })

async function listen(onConn: (s: import('node:net').Socket) => void): Promise<number> {
  const srv = createServer(onConn)
  servers.push(srv)
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()))
  return (srv.address() as AddressInfo).port
}

describe('msprobe probe (spec 04 A.1)', () => {
  it('OK when the greeting arrives', async () => {
    const port = await listen((s) => s.write('* OK [CAPABILITY IMAP4rev1] ready\r\n'))
    const r = await probe('127.0.0.1', port, false, /^\* (OK|PREAUTH)/, 5000)
    expect(r.ok).toBe(true)
    expect(r.msg).toBe('No error')
    expect(r.ms).toBeGreaterThanOrEqual(0)
  })
  it('BAD with "Connection refused" when nothing listens', async () => {
    const port = await listen(() => {})
    await new Promise((r) => servers.pop()!.close(r))
    const r = await probe('127.0.0.1', port, false, /^\+OK/, 5000)
    expect(r).toEqual({ ok: false, ms: -1, msg: 'Connection refused' })
  })
  it('BAD "Timed out" for a hung server, and on a wrong greeting', async () => {
    const hung = await listen(() => {})
    expect((await probe('127.0.0.1', hung, false, /^220/, 300)).msg).toBe('Timed out')
    const wrong = await listen((s) => s.write('-ERR go away\r\n'))
    expect((await probe('127.0.0.1', wrong, false, /^\+OK/, 5000)).msg).toBe('Unexpected greeting: -ERR go away')
  })
})
