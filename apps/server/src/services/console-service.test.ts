import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createLocalBus, nullLogger, staticConfigView, type ServiceContext } from '@wren/kernel'
import { writeControlFile } from '../admin/control-file.js'
import { consoleEndpoint, createConsoleService, missingBuild } from './console-service.js'

const dirs: string[] = []
const tmp = (p: string) => { const d = mkdtempSync(join(tmpdir(), p)); dirs.push(d); return d }
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

function ctx(dataRoot: string, options: Record<string, string | number | boolean> = {}): ServiceContext {
  return { dataRoot, hostname: 'h', config: staticConfigView(options), logger: () => nullLogger, bus: createLocalBus(), lookup: () => undefined }
}

describe('console service', () => {
  it('takes its listener from console.* and the admin API port from the running daemon', () => {
    const root = tmp('wren-console-ep-')
    expect(consoleEndpoint(ctx(root))).toEqual({ host: '127.0.0.1', port: 8081, adminHost: '127.0.0.1', adminPort: 8080 })
    expect(consoleEndpoint(ctx(root, { 'console.port': 9001, 'console.listenaddr': '0.0.0.0', 'admin.listenaddr': '0.0.0.0', 'admin.port': 0 })))
      .toEqual({ host: '0.0.0.0', port: 9001, adminHost: '127.0.0.1', adminPort: 0 })
    // admin.port 0: the port the daemon actually bound is in run/control.json
    mkdirSync(join(root, 'run'))
    writeControlFile(root, { port: 43210, host: '127.0.0.1', token: 't', pid: 1, startedAt: '' })
    expect(consoleEndpoint(ctx(root, { 'admin.port': 0 })).adminPort).toBe(43210)
  })

  it('fails to start with a clear message when the console has not been built', async () => {
    const app = tmp('wren-console-app-')
    expect(missingBuild(app)).toMatch(/the console has not been built \(.*\.next\/BUILD_ID is missing\)/)
    const svc = createConsoleService({ appDir: app })
    await expect(svc.start(ctx(tmp('wren-console-root-')))).rejects.toThrow(/the console has not been built/)
    expect(svc.listeners!()).toEqual([])
    mkdirSync(join(app, '.next'))
    writeFileSync(join(app, '.next', 'BUILD_ID'), 'x')
    expect(missingBuild(app)).toBeUndefined()
  })

  it('reports the console server exiting before it listens', async () => {
    // a BUILD_ID without the rest of the build: Next.js refuses to start and the server exits
    const app = tmp('wren-console-app-')
    mkdirSync(join(app, '.next'))
    writeFileSync(join(app, '.next', 'BUILD_ID'), 'x')
    const svc = createConsoleService({ appDir: app, readyTimeoutMs: 30_000 })
    await expect(svc.start(ctx(tmp('wren-console-root-'), { 'console.port': 0 }))).rejects.toThrow(/the console server exited \(code \d+\) before listening/)
  }, 40_000)
})
