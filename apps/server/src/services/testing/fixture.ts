// Shared body of the test-only services (selected by WREN_TEST_SERVICES=1, see registry.ts):
// a real TCP listener that answers `+OK <name>` so probes and tests can see it alive.
import { createServer, type AddressInfo, type Server } from 'node:net'
import type { ListenerInfo, Service, ServiceContext } from '@wren/kernel'

export function fixtureService(name: string, hooks: { onStart?(ctx: ServiceContext): void } = {}): Service {
  let server: Server | undefined
  let port = 0
  let ctx: ServiceContext | undefined
  return {
    name,
    async start(c) {
      ctx = c
      hooks.onStart?.(c)
      server = createServer((s) => { s.end(`+OK ${name} ready\r\n`) })
      await new Promise<void>((res, rej) => { server!.once('error', rej); server!.listen(0, '127.0.0.1', () => res()) })
      port = (server.address() as AddressInfo).port
      c.logger('default').notice('General', `${name} listening on 127.0.0.1:${port}`)
    },
    async stop() {
      await new Promise<void>((res) => (server ? server.close(() => res()) : res()))
    },
    async refresh(changed) {
      // observable from outside: a log line and an ENS event through the process-crossing bus
      ctx?.logger('default').notice('General', `${name} refreshed (${changed.length} changed options)`)
      ctx?.bus.publish({ evtType: 'UpdateMsg', timestamp: Date.now(), hostname: ctx.hostname, process: name, pid: process.pid, mailboxName: name })
    },
    listeners: (): ListenerInfo[] => [{ name, host: '127.0.0.1', port, tls: 'none' }],
  }
}
