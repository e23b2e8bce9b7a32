// The listening side: a TCP server (or, for implicit TLS, RFC 8314 §3.3, a TLS server) that
// starts one SmtpSession per connection, enforces the connection limit (421, RFC 5321 §3.8) and
// shuts down cleanly (421 to idle sessions, busy ones get closeTimeout to finish).
import { createServer as createTcpServer, type Server, type Socket } from 'node:net'
import { createSecureContext, createServer as createTlsServer, type SecureContext, type TLSSocket } from 'node:tls'
import { formatReply } from './reply.js'
import { SmtpSession, type SessionHost } from './session.js'
import type { EngineOptions, SmtpHandler } from './types.js'

export class SmtpEngineServer implements SessionHost {
  readonly server: Server
  readonly sessions = new Set<SmtpSession>()
  shuttingDown = false
  /** For STARTTLS upgrades (made once per listener). */
  readonly secureContext: SecureContext | undefined
  private clients = 0

  // noDelay (TCP_NODELAY, set by libuv on accept: no call per connection): a reply written while an
  // earlier one is unacknowledged — a pipelining client whose commands arrive in two reads — must not
  // wait for the client's delayed ACK (Nagle, up to 40 ms).
  constructor(readonly options: EngineOptions, readonly handler: SmtpHandler) {
    this.secureContext = options.tls ? createSecureContext({ key: options.tls.key, cert: options.tls.cert }) : undefined
    if (options.implicitTls) {
      if (!options.tls) throw new Error('implicit TLS needs a certificate')
      this.server = createTlsServer({ key: options.tls.key, cert: options.tls.cert, noDelay: true }, (s) => this.accept(s, true))
      // a failed handshake is the client's problem; it never reaches a session
      this.server.on('tlsClientError', (_e: Error, s: TLSSocket) => s.destroy())
    } else {
      this.server = createTcpServer({ noDelay: true }, (s) => this.accept(s, false))
    }
  }

  private accept(socket: Socket | TLSSocket, secure: boolean): void {
    const max = this.options.maxClients
    if (this.shuttingDown || (max && this.clients >= max)) {
      socket.on('error', () => {})
      socket.end(formatReply(421, '4.3.2', this.shuttingDown
        ? `${this.options.hostname} Server shutting down`
        : `${this.options.hostname} Too many connected clients, try again in a moment`))
      setTimeout(() => socket.destroy(), 2000).unref()
      return
    }
    this.clients++
    const s = new SmtpSession(this, socket, secure)
    this.sessions.add(s)
    s.start()
  }

  sessionClosed(s: SmtpSession): void {
    if (this.sessions.delete(s)) this.clients--
    try { this.handler.disconnected(s) } catch { /* a hook's problem, not the server's */ }
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onErr = (e: Error) => reject(e)
      this.server.once('error', onErr)
      this.server.listen(port, host, () => {
        this.server.off('error', onErr)
        const a = this.server.address()
        resolve(typeof a === 'object' && a ? a.port : port)
      })
    })
  }

  /** Stops listening; idle sessions get 421 now, busy ones closeTimeout (default 5 s) to finish. */
  close(): Promise<void> {
    this.shuttingDown = true
    return new Promise((resolve) => {
      const timer = setTimeout(() => { for (const s of this.sessions) s.destroy() }, this.options.closeTimeout ?? 5000)
      timer.unref()
      this.server.close(() => { clearTimeout(timer); resolve() })
      for (const s of this.sessions) s.shutdown()
    })
  }
}
