// The watcher from the outside (spec 01 §2–3, spec 02 §5): the real daemon, real service processes,
// real `kill -9`, driven with the real bin/ tools (start-msg, wren-status, stop-msg, refresh).
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanup, envFor, QUIET_OPTIONS, status, svc, tempDataRoot, tool, until, watcherLog } from './harness.js'

describe('watcher: start-msg, crashes, autorestart window, store group, stop-msg', () => {
  const dataRoot = tempDataRoot()
  // thrower fails in start() the first time only: the watcher must restart it once
  const env = envFor(dataRoot, { ...QUIET_OPTIONS, 'base.autorestart.timeout': 600 }, { WREN_TEST_THROW: 'once-start' })
  let startOut = ''

  beforeAll(async () => {
    const r = await tool('start-msg', [], env)
    startOut = r.stdout + r.stderr
    expect(r.code, startOut).toBe(0)
  }, 200_000)
  afterAll(async () => { await cleanup(dataRoot, env) }, 60_000)

  it('start-msg launches the watcher and the enabled services in order, printing pids', async () => {
    expect(startOut).toMatch(/^Connecting to watcher \.\.\.$/m)
    expect(startOut).toMatch(/Administrator: admin \/ \S{20}/) // new data root: password printed once
    expect(startOut).toMatch(/^Launching watcher \.\.\. \d+$/m)
    const order = ['alpha', 'beta'].map((n) => startOut.search(new RegExp(`^Starting ${n} server \\.\\.\\.\\. \\d+$`, 'm')))
    expect(order.every((i) => i >= 0)).toBe(true)
    expect(order[0]).toBeLessThan(order[1]!)
    expect(existsSync(join(dataRoot, 'run', 'control.json'))).toBe(true)
    expect(existsSync(join(dataRoot, 'tls', 'server.crt'))).toBe(true)
  })

  it('a service that throws in start is counted as a crash and restarted once', async () => {
    const st = await until('thrower running', async () => (svc(await status(env), 'thrower')?.state === 'running' ? status(env) : undefined))
    expect(svc(st, 'thrower')!.restarts).toBe(1)
    expect(watcherLog(dataRoot)).toMatch(/^Watched 'throwerd' process \d+ exited abnormally$/m)
    // the reason travelled over IPC before the child exited
    expect(watcherLog(dataRoot)).toMatch(/^thrower server failed to start: thrower: failing in start once$/m)
    expect(watcherLog(dataRoot)).toMatch(/^Received request to restart:  thrower$/m)
  })

  it('wren-status lists every service with state and pid', async () => {
    const j = await tool('wren-status', ['-j'], env)
    expect(JSON.parse(j.stdout).services.map((s: { name: string }) => s.name).slice(0, 9)).toEqual(['ens', 'store', 'imap', 'pop', 'sched', 'dispatcher', 'job_controller', 'metermaid', 'alpha'])
    const r = await tool('wren-status', [], env)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^alpha\s+running\s+\d+\s+\d\d:\d\d:\d\d\s+0\s+alpha@127\.0\.0\.1:\d+$/m)
    expect(r.stdout).toMatch(/^imap\s+(disabled|not installed)\s+-/m)
    expect(r.stdout).toMatch(/^admin\s+running\s+\d+/m)
  })

  it('kill -9 of a store-group service: logged, and the whole group restarts with new pids', async () => {
    const before = await status(env)
    const alpha = svc(before, 'alpha')!.pid!
    const beta = svc(before, 'beta')!.pid!
    process.kill(alpha, 'SIGKILL')
    const after = await until('alpha and beta back with new pids', async () => {
      const st = await status(env)
      const a = svc(st, 'alpha'), b = svc(st, 'beta')
      return a?.state === 'running' && b?.state === 'running' && a.pid !== alpha && b.pid !== beta ? st : undefined
    })
    expect(svc(after, 'alpha')!.restarts).toBe(1)
    const log = watcherLog(dataRoot)
    expect(log).toContain(`Watched 'alphad' process ${alpha} exited abnormally`)
    expect(log).toMatch(/^Received request to restart:  alpha beta$/m)
    expect(log).toContain(`Stopping beta server ${beta} .... done`)
    // the thrower (not in the group) kept its pid
    expect(svc(after, 'thrower')!.pid).toBe(svc(before, 'thrower')!.pid)
  })

  it('a second failure within base.autorestart.timeout stops restarts (failed)', async () => {
    const alpha = svc(await status(env), 'alpha')!.pid!
    process.kill(alpha, 'SIGKILL')
    await until('alpha failed', async () => svc(await status(env), 'alpha')?.state === 'failed')
    expect(watcherLog(dataRoot)).toContain(`Watched 'alphad' process ${alpha} exited abnormally`)
    expect(watcherLog(dataRoot)).toMatch(/Watched 'alphad' failed again within 600 seconds; not restarting alpha/)
    // and it stays down
    await new Promise((r) => setTimeout(r, 1500))
    expect(svc(await status(env), 'alpha')!.state).toBe('failed')
  })

  it('start-msg <svc> brings a failed service back; stop-msg <svc> stops only it', async () => {
    const r = await tool('start-msg', ['alpha'], env)
    expect(r.stdout).toMatch(/^Starting alpha server \.\.\.\. \d+$/m)
    const thrower = svc(await status(env), 'thrower')!.pid
    const s = await tool('stop-msg', ['beta'], env)
    expect(s.stdout).toMatch(/^Stopping beta server \d+ \.\.\.\. done$/m)
    const st = await status(env)
    expect(svc(st, 'alpha')!.state).toBe('running')
    expect(svc(st, 'beta')!.state).toBe('stopped')
    expect(svc(st, 'thrower')!.pid).toBe(thrower)
  })

  it('refresh <svc> reaches the running service; bad input is a usage error', async () => {
    const r = await tool('refresh', ['alpha'], env)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Refreshing alpha server ... done')
    const bad = await tool('refresh', ['nosuch'], env)
    expect(bad.code).toBe(64)
    expect(bad.stderr).toContain('unknown component: nosuch')
    const notRunning = await tool('refresh', ['beta'], env)
    expect(notRunning.code).toBe(1)
    expect(notRunning.stderr).toContain('beta server is not running')
  })

  it('stop-msg with no argument stops every service and the watcher', async () => {
    const st = await status(env)
    const pids = st!.services.filter((s) => s.pid).map((s) => s.pid!)
    const r = await tool('stop-msg', [], env)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Stopping alpha server \d+ \.\.\.\. done$/m)
    expect(r.stdout).toMatch(/^Stopping watcher \d+ \.\.\. done$/m)
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow()
    expect(existsSync(join(dataRoot, 'run', 'control.json'))).toBe(false)
    const again = await tool('wren-status', [], env)
    expect(again.code).toBe(1)
    expect(again.stdout).toContain('watcher is not running')
  })
})
