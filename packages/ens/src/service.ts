// Service `ens` (the product's enpd): the outside subscriber port over Wren's process-crossing bus.
// Options (spec 01 §19): ens.enable, ens.port (7997), ens.listenaddr (default 127.0.0.1 in Wren's
// local profile), ens.mustauthenticate (0), ens.secret (password; no default).
import type { ConfigView, ListenerInfo, Service } from '@wren/kernel'
import { startEnsServer, type EnsServer } from './server.js'

function opt(config: ConfigView, name: string): unknown {
  try {
    return config.find(name)
  } catch {
    return undefined
  }
}

export function createService(): Service {
  let server: EnsServer | undefined
  let host = '127.0.0.1'
  return {
    name: 'ens',
    async start(ctx) {
      const c = ctx.config
      const port = Number(opt(c, 'ens.port') ?? 7997)
      host = String(opt(c, 'ens.listenaddr') ?? '127.0.0.1') || '127.0.0.1'
      const must = opt(c, 'ens.mustauthenticate')
      const secret = opt(c, 'ens.secret')
      server = await startEnsServer({
        host,
        port: Number.isFinite(port) ? port : 7997,
        bus: ctx.bus,
        log: ctx.logger('ens'),
        mustAuthenticate: must === true || must === 1 || must === '1' || must === 'yes',
        secret: typeof secret === 'string' && secret ? secret : undefined,
        // the manual's lines name the broker by address: a wildcard listener is reached on loopback
        enpHost: host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host,
      })
      ctx.logger('ens').notice('General', `ens: listening on ${host}:${server.port}`)
    },
    async stop() {
      await server?.close()
      server = undefined
    },
    listeners: (): ListenerInfo[] => (server ? [{ name: 'ens', host, port: server.port, tls: 'none' }] : []),
  }
}
