// Services run as precompiled bundles (docs/decisions.md D25): the real daemon forks each service
// from .build/services/<fingerprint>/<service>.mjs with no tsx loader, the services answer on
// their ports and over IPC, a crashed one comes back from its bundle; WREN_SERVICE_BUNDLES=0
// forks them under tsx as before.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { SERVICES, TEST_SERVICES } from '../../apps/server/src/services/registry.js'
import { callControl } from '../../apps/server/src/admin/client.js'
import { readControlFile } from '../../apps/server/src/admin/control-file.js'
import { cleanup, envFor, foregroundDaemon, freePorts, greeting, QUIET_OPTIONS, repo, status, svc, tempDataRoot, until } from './harness.js'

const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)

describe('service processes run from their bundles', () => {
  const dataRoot = tempDataRoot()
  let env: NodeJS.ProcessEnv
  afterAll(async () => { await cleanup(dataRoot, env) }, 60_000)

  it('every service is forked from its bundle without tsx, answers, and is restarted from it after kill -9', async () => {
    const [smtp] = await freePorts(1)
    env = envFor(dataRoot, {
      ...QUIET_OPTIONS,
      'store.enable': 1, 'imap.enable': 1, 'pop.enable': 1, 'mta.enable': 1, 'schedule.enable': 1,
      'imap.port': 0, 'imap.enablesslport': 0, 'pop.port': 0, 'pop.enablesslport': 0,
      'dispatcher.service:SMTP.tcp_ports': [String(smtp)],
      'dispatcher.service:SMTP_SUBMIT.tcp_ports': [],
      'dispatcher.service:SMTP_SUBMIT.ssl_ports': [],
    }, { WREN_SERVICE_BUNDLES: '1' })
    const names = ['store', 'imap', 'pop', 'sched', 'dispatcher', 'job_controller', 'alpha', 'beta', 'thrower']
    const argvOf = new Map<string, string[]>()
    const d = foregroundDaemon(env)
    try {
      await until('ready', () => d.output().includes('wren: ready'), 150_000)
      expect(d.output()).not.toMatch(/service bundles/) // no fallback warning
      const st = (await status(env))!
      for (const name of names) {
        const s = svc(st, name)!
        expect(s.state, name).toBe('running')
        const argv = cmdline(s.pid!)
        argvOf.set(name, argv)
        expect(argv.some((a) => a.includes('tsx')), `${name}: ${argv.join(' ')}`).toBe(false)
        // same argv as the tsx fork (<service> <module> <proc>), after the bundle instead of child-entry.ts
        const [script, service, module, proc] = argv.slice(-4)
        expect(script, name).toMatch(new RegExp(`^${repo}/\\.build/services/[0-9a-f]{16}/${name}\\.mjs$`))
        const e = [...SERVICES, ...TEST_SERVICES].find((x) => x.name === name)!
        expect([service, module, proc]).toEqual([name, join(repo, e.module), e.proc])
      }
      // the MTA keeps its V8 flags
      expect(cmdline(svc(st, 'dispatcher')!.pid!)).toContain('--max-semi-space-size=4')

      // they answer on their ports ...
      const port = (name: string) => svc(st, name)!.listeners[0]!.port
      expect(await greeting(port('imap'))).toMatch(/^\* OK/)
      expect(await greeting(port('pop'))).toMatch(/^\+OK/)
      expect(await greeting(smtp)).toMatch(/^220 /)
      // ... and over the IPC protocol (refresh goes to each process and back)
      const refreshed = await callControl<{ results: Array<{ service: string; ok: boolean; error?: string }> }>(readControlFile(env.WREN_DATA!)!, 'POST', '/control/refresh', { services: names })
      expect(refreshed.results.filter((r) => !r.ok)).toEqual([])
      expect(refreshed.results.map((r) => r.service).sort()).toEqual([...names].sort())

      // a crash is restarted from the same bundle
      const before = svc(st, 'sched')!
      process.kill(before.pid!, 'SIGKILL')
      const after = await until('sched restarted', async () => {
        const s = svc(await status(env), 'sched')
        return s?.state === 'running' && s.pid !== before.pid ? s : undefined
      }, 60_000)
      expect(cmdline(after.pid!)).toEqual(argvOf.get('sched'))
      expect(cmdline(after.pid!).some((a) => a.includes('tsx'))).toBe(false)

      d.child.kill('SIGINT')
      expect(await d.exited).toBe(0)
    } finally {
      d.child.kill('SIGKILL')
    }
  }, 240_000)
})

describe('WREN_SERVICE_BUNDLES=0', () => {
  const dataRoot = tempDataRoot()
  const env = envFor(dataRoot, { ...QUIET_OPTIONS, 'thrower.enable': 0 }, { WREN_SERVICE_BUNDLES: '0' })
  afterAll(async () => { await cleanup(dataRoot, env) }, 60_000)

  it('forks the services under tsx', async () => {
    const d = foregroundDaemon(env)
    try {
      await until('ready', () => d.output().includes('wren: ready'), 150_000)
      const st = (await status(env))!
      for (const name of ['alpha', 'beta']) {
        expect(svc(st, name)?.state).toBe('running')
        const argv = cmdline(svc(st, name)!.pid!)
        expect(argv).toContain(join(repo, 'node_modules/tsx/dist/esm/index.mjs'))
        expect(argv).toContain(join(repo, 'apps/server/src/services/child-entry.ts'))
      }
      d.child.kill('SIGINT')
      expect(await d.exited).toBe(0)
    } finally {
      d.child.kill('SIGKILL')
    }
  }, 240_000)
})
