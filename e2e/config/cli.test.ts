// Outside-in: the real bin/msconfig and bin/configutil against a temporary WREN_DATA, with the daemon
// stopped (direct database) and running (config-reload through run/control.json).
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openControlDb } from '@wren/db'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

interface Run { code: number; stdout: string; stderr: string }

function tool(name: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<Run> {
  return new Promise((res) => {
    const child = execFile(join(repo, 'bin', name), args, { env, cwd: repo, timeout: 120_000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
    child.stdin!.end(input ?? '')
  })
}

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 90_000): Promise<T> {
  const t0 = Date.now()
  for (;;) {
    const v = await Promise.resolve().then(check).catch(() => undefined)
    if (v !== undefined) return v
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

describe('msconfig and configutil with the daemon stopped', () => {
  const data = mkdtempSync(join(tmpdir(), 'wren-e2e-config-'))
  const env = { ...process.env, WREN_DATA: data, USER: 'e2e-admin', SUDO_USER: 'e2e-admin' }
  afterAll(() => rmSync(data, { recursive: true, force: true }))

  it('set, show, history and revert; both history and audit record who changed what', { timeout: 240_000 }, async () => {
    const set = await tool('msconfig', ['set', 'imap.enable', '0', '-remark=maintenance window'], env)
    expect(set).toMatchObject({ code: 0, stderr: '' })
    expect(set.stdout).toContain('Configuration version 2 written.')
    expect((await tool('msconfig', ['show', 'imap.enable'], env)).stdout).toBe('role.imap.enable = 0\n')
    const history = await tool('msconfig', ['history'], env)
    expect(history.stdout).toMatch(/\* {3}2 {2}\S+ {2}e2e-admin {2}"maintenance window"\n {8}\+ role\.imap\.enable = 0\n/)
    const revert = await tool('msconfig', ['revert', '1'], env)
    expect(revert.code).toBe(0)
    expect((await tool('msconfig', ['show', 'imap.enable'], env)).stdout).toBe('')
    expect((await tool('msconfig', ['differences', '2', '3'], env)).stdout).toBe('- role.imap.enable = 0\n')
    expect(readFileSync(join(data, 'config/config.xml'), 'utf8')).not.toContain('<imap>')

    const db = await openControlDb(data)
    try {
      const audit = await db.prisma.auditEvent.findMany({ orderBy: { id: 'asc' } })
      expect(audit.map((a) => [a.actor, a.action, a.target])).toEqual([
        ['e2e-admin', 'config.write', 'config version 2'],
        ['e2e-admin', 'config.write', 'config version 3 (revert to 1)'],
      ])
      expect(JSON.parse(audit[0]!.diff)).toEqual([{ field: 'role.imap.enable', after: false }])
    } finally {
      await db.close()
    }
  })

  it('rejects an unknown option with a suggestion and exit 1, bad usage with 64', { timeout: 180_000 }, async () => {
    const bad = await tool('msconfig', ['set', 'nosuch.option', '1'], env)
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/msconfig: unknown option nosuch\.option; did you mean /)
    const typo = await tool('msconfig', ['set', 'imap.prot', '1'], env)
    expect(typo.stderr).toContain('did you mean imap.port')
    expect((await tool('msconfig', ['differences', 'x'], env)).code).toBe(64)
  })

  it('configutil translates legacy names', { timeout: 180_000 }, async () => {
    const get = await tool('configutil', ['-o', 'service.imap.port'], env)
    expect(get).toMatchObject({ code: 0, stdout: '2143\n' })
    const help = await tool('configutil', ['-H', '-o', 'logfile.imap.expirytime'], env)
    expect(help.stdout).toContain('Configuration option: logfile.imap.expirytime\n')
    expect(help.stdout).toContain('Unified Config Name: imap.logfile.expirytime\n')
    expect(help.stdout).toContain('logfile.imap.expirytime is currently set to: 604800\n')
    const set = await tool('configutil', ['-o', 'service.pop.port', '-v', '2111'], env)
    expect(set.stdout).toBe('OK SET\n')
    expect(set.stderr).toContain('requires a restart of pop')
  })

  it('interactive session through piped stdin shows msconfig# while dirty', { timeout: 120_000 }, async () => {
    const r = await tool('msconfig', [], env, 'show mmp*\nset mm_debug 3\ndiff\nwrite -remark="piped"\nshow mm_debug\nexit\n')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^msconfig> msconfig> msconfig# \+ role\.mta\.mm_debug = 3\nmsconfig# Configuration version \d+ written\.\nmsconfig> role\.mta\.mm_debug = 3\nmsconfig> $/)
  })
})

describe('msconfig against a running daemon', () => {
  const data = mkdtempSync(join(tmpdir(), 'wren-e2e-config-daemon-'))
  // Every product service off: only the watcher and its control API (on a free port) run.
  const options = { 'admin.port': 0, 'store.enable': 0, 'imap.enable': 0, 'pop.enable': 0, 'mta.enable': 0, 'schedule.enable': 0, 'metermaid.enable': 0, 'ens.enable': 0, 'console.enable': 0 }
  const env = { ...process.env, WREN_DATA: data, WREN_OPTIONS: JSON.stringify(options) }
  let daemon: ChildProcess | undefined
  let output = ''

  beforeAll(async () => {
    daemon = spawn(process.execPath, ['--no-warnings', '--import', join(repo, 'node_modules/tsx/dist/esm/index.mjs'), join(repo, 'apps/server/src/main.ts')], { env, cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] })
    daemon.stdout!.on('data', (d: Buffer) => { output += d.toString() })
    daemon.stderr!.on('data', (d: Buffer) => { output += d.toString() })
    await until('the daemon to be ready', () => (output.includes('wren: ready') && existsSync(join(data, 'run/control.json')) ? true : undefined), 150_000)
  }, 180_000)

  afterAll(async () => {
    if (daemon && daemon.exitCode === null) {
      const exited = new Promise((r) => daemon!.once('exit', r))
      daemon.kill('SIGTERM')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))])
      if (daemon.exitCode === null) daemon.kill('SIGKILL')
    }
    rmSync(data, { recursive: true, force: true })
  })

  it('reports which changes need a restart and which applied live', { timeout: 180_000 }, async () => {
    const port = await tool('msconfig', ['set', 'imap.port', '2200'], env)
    expect(port.code).toBe(0)
    expect(port.stdout).toContain('imap.port requires a restart of imap')
    const banner = await tool('msconfig', ['set', 'pop.banner', 'Wren POP ready'], env)
    expect(banner.code).toBe(0)
    expect(banner.stdout).toContain('Applied without restart: pop.banner')
    expect(banner.stdout).not.toContain('requires a restart')
  })
})
