// The control API in-process: bearer token, router table, errors as JSON, a real Supervisor.
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { staticConfigView } from '@wren/kernel'
import { createBusHub } from '@wren/ens'
import { openWatcherLog } from '@wren/logging'
import { Supervisor } from '../supervisor/supervisor.js'
import { SERVICES } from '../services/registry.js'
import { controlRouter } from './control-routes.js'
import { startControlServer, type ControlServer } from './control-server.js'
import { readControlFile, writeControlFile } from './control-file.js'
import { callControl, ControlError } from './client.js'

let root: string
let server: ControlServer
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'wren-ctl-'))
  const view = staticConfigView({ 'imap.enable': 0 })
  const supervisor = new Supervisor({ dataRoot: root, hostname: 'h', config: () => view, configured: {}, entries: [...SERVICES], watcherLog: openWatcherLog(root), hub: createBusHub() })
  const config = { view: () => view, reload: async () => ['imap.logfile.loglevel', 'imap.port'], refreshable: () => undefined, close: async () => {} }
  server = await startControlServer(controlRouter({ supervisor, config, daemon: { pid: process.pid, startedAt: new Date().toISOString(), dataRoot: root, hostname: 'h', ready: true }, shutdown: async () => {} }), { host: '127.0.0.1', port: 0 })
  mkdirSync(join(root, 'run'))
  writeControlFile(root, { port: server.port, host: '127.0.0.1', token: server.token, pid: process.pid, startedAt: '' })
})
afterAll(async () => { await server.close(); rmSync(root, { recursive: true, force: true }) })

describe('control API', () => {
  it('run/control.json is 0600 and names port, token and pid', () => {
    expect(statSync(join(root, 'run', 'control.json')).mode & 0o777).toBe(0o600)
    expect(readControlFile(root)).toMatchObject({ port: server.port, token: server.token, pid: process.pid })
  })
  it('refuses requests without the bearer token', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/control/status`)
    expect(res.status).toBe(401)
    const wrong = await fetch(`http://127.0.0.1:${server.port}/control/status`, { headers: { authorization: 'Bearer nope' } })
    expect(wrong.status).toBe(401)
  })
  it('status lists every registry service with a state', async () => {
    const st = await callControl<{ services: Array<{ name: string; state: string }> }>(readControlFile(root)!, 'GET', '/control/status')
    const byName = Object.fromEntries(st.services.map((s) => [s.name, s.state]))
    expect(byName.imap).toMatch(/disabled|not installed/)
    expect(Object.keys(byName)).toEqual(SERVICES.map((s) => s.name))
  })
  it('config-reload reports live and restart-needing options', async () => {
    const r = await callControl<{ applied: string[]; restartNeeded: string[]; restart: Array<{ option: string; services: string[] }> }>(readControlFile(root)!, 'POST', '/control/config-reload')
    expect(r.applied).toEqual(['imap.logfile.loglevel'])
    expect(r.restartNeeded).toEqual(['imap.port'])
    expect(r.restart).toEqual([{ option: 'imap.port', services: ['imap'] }])
  })
  it('bad requests get precise errors, not crashes', async () => {
    const info = readControlFile(root)!
    await expect(callControl(info, 'POST', '/control/start', { services: ['nosuch'] })).rejects.toThrow(/unknown service: nosuch/)
    await expect(callControl(info, 'POST', '/control/restart', {})).rejects.toThrow(/name the services/)
    await expect(callControl(info, 'GET', '/control/start')).rejects.toBeInstanceOf(ControlError)
    const res = await fetch(`http://127.0.0.1:${server.port}/control/start`, { method: 'POST', body: '{', headers: { authorization: `Bearer ${server.token}` } })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ error: 'request body is not JSON' })
  })
})
