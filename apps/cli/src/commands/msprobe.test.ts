import { createServer, type AddressInfo, type Server } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { probe, run, restartTargets } from './msprobe.js'
import type { CliIO } from '../io.js'

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

// Defect: a server answering `550 5.7.1 …` at greeting (PORT_ACCESS `$N` rule) is alive; msprobe
// must report it without restarting the dispatcher. Runs the real command against a fake daemon
// control API (run/control.json + HTTP) whose status lists real TCP listeners.

async function fakeDaemon(listeners: Array<{ name: string; port: number }>) {
  const dir = mkdtempSync(join(tmpdir(), 'wren-msprobe-'))
  const restarts: string[][] = []
  const http: HttpServer = createHttpServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      res.setHeader('content-type', 'application/json')
      if (req.method === 'GET' && req.url === '/control/status') {
        const services = [{ name: 'dispatcher', proc: 'dispatcher', state: 'running', listeners: listeners.map((l) => ({ name: l.name, host: '127.0.0.1', port: l.port })) }]
        res.end(JSON.stringify({ daemon: { pid: process.pid }, services, events: [] }))
      } else if (req.method === 'POST' && req.url === '/control/restart') {
        const names = (JSON.parse(body) as { services: string[] }).services
        restarts.push(names)
        res.end(JSON.stringify({ lines: names.map((n) => `watcher: Stopping ${n} server`) }))
      } else { res.statusCode = 404; res.end('{}') }
    })
  })
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()))
  mkdirSync(join(dir, 'run'))
  writeFileSync(join(dir, 'run', 'control.json'), JSON.stringify({ port: (http.address() as AddressInfo).port, host: '127.0.0.1', token: 't', pid: process.pid, startedAt: '' }))
  const out: string[] = []
  const io: CliIO = {
    stdout: (t) => void out.push(t), stderr: (t) => void out.push(t),
    readStdin: async () => Buffer.alloc(0), prompt: async () => null,
    env: { WREN_DATA: dir, WREN_MSPROBE_TIMEOUT: '1' }, cwd: dir,
  }
  const close = async () => { await new Promise((r) => http.close(r)); rmSync(dir, { recursive: true, force: true }) }
  return { io, out, restarts, close }
}

describe('msprobe restart decision (spec 01 §3: hangs and dead services only)', () => {
  it('a 550 policy refusal at greeting is alive: reported, exit 0, no restart', async () => {
    const port = await listen((s) => s.end('550 5.7.1 No submission here\r\n'))
    const d = await fakeDaemon([{ name: 'SMTP_SUBMIT', port }])
    try {
      const code = await run(['-r'], d.io)
      expect(d.restarts).toEqual([])
      expect(d.out.join('')).toMatch(new RegExp(`^submit,${port},\\d+,OK,"Refused at greeting: 550 5.7.1 No submission here"\\n$`))
      expect(code).toBe(0)
    } finally { await d.close() }
  })
  it('a 421 greeting is also a prompt, well-formed answer (probe level)', async () => {
    const port = await listen((s) => s.end('421 4.3.2 Service not available\r\n'))
    const r = await probe('127.0.0.1', port, false, /^220[ -]/, 5000, /^[245]\d\d(?:[ -]|$)/)
    expect(r).toMatchObject({ ok: true, refused: true, msg: 'Refused at greeting: 421 4.3.2 Service not available' })
  })
  it('a server that never answers is hung: BAD and the dispatcher is restarted', async () => {
    const port = await listen(() => {})
    const d = await fakeDaemon([{ name: 'SMTP_SUBMIT', port }])
    try {
      const code = await run(['-r'], d.io)
      expect(d.out.join('')).toContain(`submit,${port},-1,BAD,"Timed out"`)
      expect(d.restarts).toEqual([['dispatcher']])
      expect(code).toBe(1)
    } finally { await d.close() }
  })
  it('garbage at greeting still counts as BAD and restarts', async () => {
    const port = await listen((s) => s.end('HTTP/1.1 400 Bad Request\r\n'))
    const d = await fakeDaemon([{ name: 'SMTP', port }])
    try {
      expect(await run(['-r'], d.io)).toBe(1)
      expect(d.out.join('')).toContain(`smtp,${port},-1,BAD,"Unexpected greeting: HTTP/1.1 400 Bad Request"`)
      expect(d.restarts).toEqual([['dispatcher']])
    } finally { await d.close() }
  })
  it('restartTargets only picks BAD results', () => {
    expect(restartTargets([
      { server: 'submit', service: 'dispatcher', port: 2587, ms: 3, verdict: 'OK', msg: 'Refused at greeting: 550 5.7.1 No submission here' },
      { server: 'imap', service: 'imap', port: 143, ms: -1, verdict: 'BAD', msg: 'Timed out' },
    ])).toEqual(['imap'])
  })
})
