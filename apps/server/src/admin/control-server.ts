// Hosts the control API inside the daemon (service `admin` in the registry, in-process): HTTP on
// admin.listenaddr:admin.port (local profile 127.0.0.1:8080), bearer token from run/control.json.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ListenerInfo } from '@wren/kernel'
import { HttpError, type Router } from './router.js'

export interface ControlServer {
  readonly token: string
  readonly port: number
  readonly host: string
  /** The HTTP server (the admin API attaches its WebSocket upgrade handler to it). */
  readonly server: Server
  listeners(): ListenerInfo[]
  close(): Promise<void>
}

export async function startControlServer(router: Router, opts: { host: string; port: number; token?: string }): Promise<ControlServer> {
  const token = opts.token ?? randomBytes(32).toString('hex')
  const expected = Buffer.from(`Bearer ${token}`)
  const guard = (req: IncomingMessage) => {
    const got = Buffer.from(String(req.headers.authorization ?? ''))
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) throw new HttpError(401, 'missing or wrong bearer token (see run/control.json)')
  }
  const server: Server = createServer((req, res) => {
    router.handle(req, res, guard).catch(() => {
      if (!res.headersSent) res.writeHead(500)
      res.end()
    })
  })
  server.keepAliveTimeout = 1000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, () => { server.off('error', reject); resolve() })
  })
  const port = (server.address() as AddressInfo).port
  return {
    token,
    port,
    host: opts.host,
    server,
    listeners: () => [{ name: 'admin', host: opts.host, port, tls: 'none' }],
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections() }),
  }
}
