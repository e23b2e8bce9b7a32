// spec 01 §3 test, with the real store, imap and pop services: "kill -9 imapd → the log shows the
// abnormal exit, and store, imap and pop all get new PIDs" — and IMAP answers again afterwards.
import { afterAll, describe, expect, it } from 'vitest'
import { cleanup, envFor, foregroundDaemon, greeting, QUIET_OPTIONS, status, svc, tempDataRoot, until, watcherLog } from './harness.js'

describe('store group with the real services', () => {
  const dataRoot = tempDataRoot()
  const env = envFor(dataRoot, {
    ...QUIET_OPTIONS,
    'store.enable': 1, 'imap.enable': 1, 'pop.enable': 1,
    'imap.port': 0, 'imap.enablesslport': 0, 'pop.port': 0, 'pop.enablesslport': 0,
    'alpha.enable': 0, 'beta.enable': 0, 'thrower.enable': 0,
  })
  afterAll(async () => { await cleanup(dataRoot, env) }, 60_000)

  it('kill -9 imapd restarts store, imap and pop with new pids', async () => {
    const d = foregroundDaemon(env)
    try {
      await until('ready', () => d.output().includes('wren: ready'), 150_000)
      const before = await status(env)
      for (const n of ['store', 'imap', 'pop']) expect(svc(before, n)?.state, d.output()).toBe('running')
      const imapPort = svc(before, 'imap')!.listeners[0]!.port
      expect(await greeting(imapPort)).toMatch(/^\* OK /)
      const pids = Object.fromEntries(['store', 'imap', 'pop'].map((n) => [n, svc(before, n)!.pid]))
      process.kill(pids.imap!, 'SIGKILL')
      const after = await until('store group back with new pids', async () => {
        const st = await status(env)
        return ['store', 'imap', 'pop'].every((n) => svc(st, n)?.state === 'running' && svc(st, n)?.pid !== pids[n]) ? st : undefined
      }, 120_000)
      const log = watcherLog(dataRoot)
      expect(log).toContain(`Watched 'imapd' process ${pids.imap} exited abnormally`)
      expect(log).toMatch(/^Received request to restart:  store imap pop$/m)
      expect(await greeting(svc(after, 'imap')!.listeners[0]!.port)).toMatch(/^\* OK /)
      d.child.kill('SIGTERM')
      expect(await d.exited).toBe(0)
    } finally {
      d.child.kill('SIGKILL')
    }
  }, 300_000)
})
