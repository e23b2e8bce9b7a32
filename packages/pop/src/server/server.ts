// The POP3 listeners: plain (with STLS) on `pop.port` and implicit TLS on `pop.sslport`
// (RFC 2595 §2 / RFC 8314). Sessions beyond `pop.maxsessions` are refused with [SYS/TEMP].
import { createServer, type Server, type Socket, type AddressInfo } from 'node:net'
import { createServer as createTlsServer, createSecureContext, type SecureContext } from 'node:tls'
import type { Logger } from '@wren/kernel'
import type { MailStore } from '@wren/store'
import { err } from '../protocol/response.js'
import type { PopAuthenticator } from './ports.js'
import { MaildropLocks } from './maildrop-lock.js'
import { PopSession } from './session.js'

export interface PopServerOptions {
  store: MailStore
  auth: PopAuthenticator
  logger: Logger
  dataRoot: string
  hostname: string
  /** The text after `+OK ` in the greeting (`pop.banner` expanded). */
  greeting: string
  /** Certificate and key (PEM) for STLS and the implicit-TLS port. */
  tls?: TlsCredentials
  allowPlaintext: boolean
  idleTimeoutMs: number
  maxSessions: number
}

export interface TlsCredentials {
  cert: Buffer | string
  key: Buffer | string
}

export class PopServer {
  private readonly secureContext: SecureContext | undefined
  private readonly servers: Server[] = []
  private readonly sessions = new Set<PopSession>()
  readonly locks: MaildropLocks

  constructor(private opts: PopServerOptions) {
    this.locks = new MaildropLocks(opts.dataRoot)
    this.secureContext = opts.tls ? createSecureContext({ cert: opts.tls.cert, key: opts.tls.key }) : undefined
  }

  /** Applies refreshable settings to new sessions (`refresh pop`). */
  update(partial: Partial<Pick<PopServerOptions, 'greeting' | 'allowPlaintext' | 'idleTimeoutMs' | 'maxSessions'>>): void {
    this.opts = { ...this.opts, ...partial }
  }

  get sessionCount(): number {
    return this.sessions.size
  }

  /** Starts a listener; `implicitTls` for the SSL port. Resolves with the bound address. */
  listen(port: number, host: string, implicitTls: boolean, offerStls = true): Promise<AddressInfo> {
    if (implicitTls && !this.opts.tls) return Promise.reject(new Error('pop.sslport needs a TLS certificate'))
    const onSocket = (socket: Socket) => this.accept(socket, implicitTls, offerStls)
    const server = implicitTls
      ? createTlsServer({ cert: this.opts.tls!.cert, key: this.opts.tls!.key }, onSocket)
      : createServer(onSocket)
    if (implicitTls) server.on('tlsClientError', () => { /* failed handshakes are the client's problem */ })
    this.servers.push(server)
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        server.on('error', (e) => this.opts.logger.error('Network', `pop listener: ${e.message}`))
        resolve(server.address() as AddressInfo)
      })
    })
  }

  private accept(socket: Socket, implicitTls: boolean, offerStls: boolean): void {
    socket.on('error', () => { /* handled by the session or ignored before it exists */ })
    if (this.sessions.size >= this.opts.maxSessions) {
      this.opts.logger.warning('Network', `pop: refusing connection from ${socket.remoteAddress}: ${this.opts.maxSessions} sessions in use`)
      socket.end(err('Too many connections, try again later', 'SYS/TEMP'))
      return
    }
    const session = new PopSession(socket, {
      store: this.opts.store,
      auth: this.opts.auth,
      locks: this.locks,
      logger: this.opts.logger,
      hostname: this.opts.hostname,
      greeting: this.opts.greeting,
      secureContext: offerStls || implicitTls ? this.secureContext : undefined,
      allowPlaintext: this.opts.allowPlaintext,
      idleTimeoutMs: this.opts.idleTimeoutMs,
    }, implicitTls)
    this.sessions.add(session)
    void session.closed.then(() => this.sessions.delete(session))
  }

  /** Stops listening and ends every session without UPDATE (nothing is deleted). */
  async close(): Promise<void> {
    const closing = this.servers.map((s) => new Promise<void>((r) => s.close(() => r())))
    for (const s of [...this.sessions]) s.shutdown()
    await Promise.all(closing)
    this.locks.releaseAll()
  }
}
