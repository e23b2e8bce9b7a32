/**
 * The IMAP listener(s): plain (with STARTTLS) and implicit TLS (spec 03 §10: `imap.port`,
 * `imap.sslport`, `imap.enablesslport`, `imap.listenaddr`, `imap.maxsessions`).
 */
import * as net from 'node:net'
import * as tls from 'node:tls'
import { ImapSession, type SessionDeps } from './session.js'
import { optNum } from './options.js'

export interface ListenSpec {
  host: string
  port: number
  tls: 'none' | 'implicit'
}

export interface BoundListener extends ListenSpec {
  server: net.Server
}

export class ImapServer {
  private readonly sessions = new Set<ImapSession>()
  private readonly listeners: BoundListener[] = []

  constructor(private readonly deps: SessionDeps) {
    if (deps.tls && !deps.secureContext) {
      deps.secureContext = tls.createSecureContext({ cert: deps.tls.cert, key: deps.tls.key, minVersion: 'TLSv1.2' })
    }
  }

  get sessionCount(): number { return this.sessions.size }

  /** Binds one listener; resolves with the actual port (port 0 = any free port). */
  async listen(spec: ListenSpec): Promise<BoundListener> {
    if (spec.tls === 'implicit' && !this.deps.tls) throw new Error('implicit TLS listener needs a certificate')
    const onSocket = (socket: net.Socket, implicit: boolean) => this.accept(socket, implicit)
    const server = spec.tls === 'implicit'
      ? tls.createServer({ cert: this.deps.tls!.cert, key: this.deps.tls!.key, minVersion: 'TLSv1.2' }, (s) => onSocket(s, true))
      : net.createServer((s) => onSocket(s, false))
    server.on('error', (e) => this.deps.logger.error('Network', `listener ${spec.host}:${spec.port}: ${(e as Error).message}`))
    if (server instanceof tls.Server) server.on('tlsClientError', () => { /* handshake failures are the client's problem */ })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(spec.port, spec.host, () => { server.off('error', reject); resolve() })
    })
    const bound: BoundListener = { ...spec, port: (server.address() as net.AddressInfo).port, server }
    this.listeners.push(bound)
    return bound
  }

  private accept(socket: net.Socket, implicit: boolean): void {
    socket.on('error', () => {})
    const max = optNum(this.deps.config, 'imap.maxsessions') || 4000
    if (this.sessions.size >= max) {
      socket.end('* BYE Too many connections, try again later\r\n')
      this.deps.logger.warning('Network', `connection refused from [${socket.remoteAddress}]: imap.maxsessions (${max}) reached`)
      return
    }
    const session = new ImapSession(socket, this.deps, implicit)
    this.sessions.add(session)
    session.onClose = () => this.sessions.delete(session)
    session.start()
  }

  bound(): BoundListener[] { return [...this.listeners] }

  async close(): Promise<void> {
    for (const s of [...this.sessions]) s.shutdown()
    await Promise.all(this.listeners.map((l) => new Promise<void>((r) => l.server.close(() => r()))))
    this.listeners.length = 0
  }
}
