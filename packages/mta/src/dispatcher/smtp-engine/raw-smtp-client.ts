// Test support: a raw SMTP client over a socket — send exact bytes (pipelined, split, malformed),
// read complete replies (multi-line aware, RFC 5321 §4.2.1). Used by the engine's unit tests and
// e2e/mta/malformed.test.ts.
import { connect, type Socket } from 'node:net'
import { connect as tlsConnect, type TLSSocket } from 'node:tls'

export class RawSmtpClient {
  buf = ''
  /** Every read, as received (shows how replies were batched into writes). */
  reads: string[] = []
  closed = false
  private waiters: Array<() => void> = []
  constructor(public sock: Socket | TLSSocket) { this.listen(sock) }

  static open(port: number): Promise<RawSmtpClient> {
    return new Promise((resolve, reject) => { const s = connect(port, '127.0.0.1', () => resolve(new RawSmtpClient(s))); s.on('error', reject) })
  }

  static openTls(port: number): Promise<RawSmtpClient> {
    return new Promise((resolve, reject) => { const s = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => resolve(new RawSmtpClient(s))); s.on('error', reject) })
  }

  private listen(sock: Socket | TLSSocket) {
    sock.setEncoding('latin1')
    sock.on('data', (d: string) => { this.buf += d; this.reads.push(d); for (const w of this.waiters.splice(0)) w() })
    sock.on('close', () => { this.closed = true; for (const w of this.waiters.splice(0)) w() })
    sock.on('error', () => {})
  }

  send(s: string | Buffer) { this.sock.write(s) }

  /** The next complete reply; `closed:<rest>` once the server has closed the connection. */
  async reply(timeout = 10_000): Promise<string> {
    const end = Date.now() + timeout
    for (;;) {
      const m = /^(?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\r?\n/.exec(this.buf)
      if (m) { this.buf = this.buf.slice(m[0].length); return m[0].trimEnd() }
      if (this.closed) return `closed:${this.buf}`
      if (Date.now() > end) throw new Error(`no reply; have ${JSON.stringify(this.buf)}`)
      await new Promise<void>((r) => { this.waiters.push(r); setTimeout(r, 50) })
    }
  }

  async cmd(line: string): Promise<string> { this.send(line + '\r\n'); return this.reply() }

  /** Upgrades to TLS after `220 Ready to start TLS`. */
  async startTls(): Promise<void> {
    this.sock.removeAllListeners('data')
    const t = await new Promise<TLSSocket>((resolve, reject) => {
      const t = tlsConnect({ socket: this.sock as Socket, rejectUnauthorized: false }, () => resolve(t))
      t.on('error', reject)
    })
    this.sock = t
    this.listen(t)
  }

  close() { this.sock.destroy() }
}
