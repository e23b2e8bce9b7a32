// The daemon in the foreground (what `npm start` runs): first run = configure, second run reuses the
// data root without printing a password; one daemon per data root; a service that keeps throwing
// at run time is restarted once and then left failed; Ctrl-C stops everything cleanly.
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cleanup, envFor, foregroundDaemon, QUIET_OPTIONS, status, svc, tempDataRoot, until, watcherLog } from './harness.js'

describe('wren daemon in the foreground', () => {
  const dataRoot = tempDataRoot()
  const env = envFor(dataRoot, { ...QUIET_OPTIONS, 'alpha.enable': 0, 'beta.enable': 0 }, { WREN_TEST_THROW: 'runtime' })
  afterAll(async () => { await cleanup(dataRoot, env) }, 60_000)

  it('first run configures, runtime throws are restarted once then failed, Ctrl-C stops; second run reuses', async () => {
    const d1 = foregroundDaemon(env)
    try {
      await until('ready', () => d1.output().includes('wren: ready'), 120_000)
      const out1 = d1.output()
      expect(out1).toMatch(/administrator {3}admin \/ (\S{20})/)
      expect(out1).toMatch(/default domain {2}\S+/)
      expect(out1).toMatch(/^ {2}admin\s+admin\s+127\.0\.0\.1:\d+\s+plain$/m)
      // secrets and layout
      expect(statSync(join(dataRoot, 'tls', 'server.key')).mode & 0o777).toBe(0o600)
      expect(statSync(join(dataRoot, 'run', 'control.json')).mode & 0o777).toBe(0o600)
      expect(statSync(join(dataRoot, 'config')).mode & 0o777).toBe(0o700)
      const password = /administrator {3}admin \/ (\S{20})/.exec(out1)![1]!
      // the password is never written to a file of the data root
      for (const f of ['log/watcher', 'log/default', 'config/configure.state.json']) {
        try { expect(readFileSync(join(dataRoot, f), 'utf8')).not.toContain(password) } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e }
      }
      // thrower throws 300 ms after each start: restarted once, then failed
      await until('thrower failed', async () => svc(await status(env), 'thrower')?.state === 'failed', 60_000)
      const log = watcherLog(dataRoot)
      expect(log.match(/Watched 'throwerd' process \d+ exited abnormally/g)).toHaveLength(2)
      expect(log.match(/^Received request to restart:  thrower$/gm)).toHaveLength(1)
      expect(readFileSync(join(dataRoot, 'log', 'default'), 'utf8')).toMatch(/throwerd\[\d+\]: General Critical: thrower: uncaught exception: Error: thrower: failing at run time as asked/)

      // a second daemon on the same data root is refused
      const d2 = foregroundDaemon(env)
      expect(await d2.exited).toBe(1)
      expect(d2.output()).toMatch(/a wren daemon is already running for .* \(pid \d+\)/)

      d1.child.kill('SIGINT')
      expect(await d1.exited).toBe(0)
      expect(d1.output()).toContain('wren: stopped')
    } finally {
      d1.child.kill('SIGKILL')
    }

    const d3 = foregroundDaemon(env)
    try {
      await until('ready again', () => d3.output().includes('wren: ready'), 120_000)
      expect(d3.output()).toContain('using the configured data root')
      expect(d3.output()).not.toMatch(/administrator/)
      d3.child.kill('SIGTERM')
      expect(await d3.exited).toBe(0)
    } finally {
      d3.child.kill('SIGKILL')
    }
  }, 240_000)
})
