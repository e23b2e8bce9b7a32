// ENS across processes (spec 01 §19): an event published inside one service process reaches an
// outside subscriber connected to the `ens` service's port — through the daemon's bus relay.
import { connect } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { cleanup, envFor, foregroundDaemon, QUIET_OPTIONS, status, svc, tempDataRoot, tool, until } from './harness.js'

describe('ens service', () => {
  const dataRoot = tempDataRoot()
  const env = envFor(dataRoot, { ...QUIET_OPTIONS, 'ens.enable': 1, 'ens.port': 0, 'beta.enable': 0, 'thrower.enable': 0 })
  afterAll(async () => { await cleanup(dataRoot, env) }, 60_000)

  it('delivers an event from the alpha process to an enp:// subscriber', async () => {
    const d = foregroundDaemon(env)
    try {
      await until('ready', () => d.output().includes('wren: ready'), 120_000)
      expect(d.output()).toMatch(/^Starting ens server \.\.\. \d+$/m)
      const ens = svc(await status(env), 'ens')!
      expect(ens.state).toBe('running')
      const sock = connect(ens.listeners[0]!.port, '127.0.0.1')
      let got = ''
      sock.setEncoding('utf8')
      sock.on('data', (t: string) => { got += t })
      sock.write('SUBSCRIBE store UpdateMsg\n')
      await until('subscribed', () => got.includes('OK subscribed to store (UpdateMsg)'), 10_000)
      const r = await tool('refresh', ['alpha'], env)
      expect(r.code).toBe(0)
      const line = await until('event line', () => got.split('\n').find((l) => l.startsWith('enp://')), 20_000)
      expect(line).toMatch(/^enp:\/\/127\.0\.0\.1\/store\?evtType=UpdateMsg&timestamp=\d+&hostname=[^&]+&process=alpha&pid=\d+&mailboxName=alpha$/)
      sock.destroy()
      d.child.kill('SIGTERM')
      expect(await d.exited).toBe(0)
    } finally {
      d.child.kill('SIGKILL')
    }
  }, 200_000)
})
