// The same router over WebSocket (`ws` + applyWSSHandler) at `/trpc` on the daemon's control server,
// for the CLI and other clients' subscriptions. The upgrade is refused unless the request carries a
// valid `wren_session` cookie, and — when it has an Origin (a browser) — the Origin is one of the
// console/admin origins (cross-site WebSocket hijacking, RFC 6455 §10.2).
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { applyWSSHandler } from '@trpc/server/adapters/ws'
import { appRouter } from './routers/index.js'
import { createApiContextFactory, parseCookies, SESSION_COOKIE, type ApiDeps } from './context.js'
import { loadSession } from './session.js'
import { TRPC_PREFIX } from './http.js'

export interface TrpcWebSocket {
  close(): Promise<void>
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`)
}

export function defaultAllowedOrigins(deps: Pick<ApiDeps, 'view'>): string[] {
  const v = deps.view()
  const out = new Set<string>()
  const add = (host: unknown, port: unknown) => {
    if (host === undefined || port === undefined) return
    const h = String(host)
    const hosts = h === '127.0.0.1' || h === '0.0.0.0' || h === '::' || h === 'localhost' ? ['127.0.0.1', 'localhost', '[::1]'] : [h]
    for (const x of hosts) out.add(`http://${x}:${port}`).add(`https://${x}:${port}`)
  }
  add(v.find('console.listenaddr') ?? '127.0.0.1', v.find('console.port') ?? 8081)
  add(v.find('admin.listenaddr') ?? '127.0.0.1', v.find('admin.port') ?? 8080)
  return [...out]
}

export function attachTrpcWebSocket(server: Server, deps: ApiDeps): TrpcWebSocket {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 })
  const createContext = createApiContextFactory(deps)
  const handler = applyWSSHandler({
    wss,
    router: appRouter,
    createContext: ({ req, res }) => createContext({ req, res }),
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 5_000 },
  })
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    if (path !== TRPC_PREFIX && !path.startsWith(`${TRPC_PREFIX}/`)) return // another upgrade handler's path
    void (async () => {
      const origin = req.headers.origin
      const allowed = deps.allowedOrigins ? deps.allowedOrigins() : defaultAllowedOrigins(deps)
      if (origin && !allowed.includes(origin)) {
        deps.log.warning('Network', `admin API WebSocket from ${req.socket.remoteAddress}: origin ${origin} refused`)
        return refuse(socket, 403, 'Forbidden')
      }
      const sid = parseCookies(req.headers.cookie)[SESSION_COOKIE]
      if (!sid || !(await loadSession(deps, sid))) return refuse(socket, 401, 'Unauthorized')
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
    })().catch(() => refuse(socket, 500, 'Internal Server Error'))
  }
  server.on('upgrade', onUpgrade)
  return {
    close: () => new Promise<void>((resolve) => {
      server.off('upgrade', onUpgrade)
      handler.broadcastReconnectNotification()
      for (const c of wss.clients) c.terminate()
      wss.close(() => resolve())
    }),
  }
}
