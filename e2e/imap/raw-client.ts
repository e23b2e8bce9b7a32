/** A minimal line-level IMAP client for protocol tests: sends raw bytes, collects response lines. */
import * as net from 'node:net'

export class RawClient {
  private buf = ''
  readonly lines: string[] = []
  private waiters: Array<() => void> = []
  closed = false
  private constructor(private readonly sock: net.Socket) {
    sock.setEncoding('latin1')
    sock.on('data', (d: string) => {
      this.buf += d
      let i
      while ((i = this.buf.indexOf('\r\n')) >= 0) {
        this.lines.push(this.buf.slice(0, i))
        this.buf = this.buf.slice(i + 2)
      }
      this.wake()
    })
    sock.on('close', () => { this.closed = true; this.wake() })
    sock.on('error', () => {})
  }

  private wake(): void {
    const w = this.waiters
    this.waiters = []
    for (const f of w) f()
  }

  static async connect(port: number): Promise<RawClient> {
    const sock = net.connect(port, '127.0.0.1')
    await new Promise<void>((res, rej) => { sock.once('connect', res); sock.once('error', rej) })
    const c = new RawClient(sock)
    await c.waitFor(/^\* OK/)
    return c
  }

  write(s: string): void { this.sock.write(s) }

  /** Waits until a line matching re arrives (searching from `from`); returns its index. */
  async waitFor(re: RegExp, timeoutMs = 5000, from = 0): Promise<number> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      for (let i = from; i < this.lines.length; i++) if (re.test(this.lines[i])) return i
      if (this.closed) throw new Error(`connection closed waiting for ${re}; got:\n${this.lines.join('\n')}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timeout waiting for ${re}; got:\n${this.lines.join('\n')}`)
      await new Promise<void>((res) => {
        const t = setTimeout(res, left)
        this.waiters.push(() => { clearTimeout(t); res() })
      })
    }
  }

  private n = 0
  /** Sends `<tag> <text>` and returns the lines up to and including the tagged response. */
  async cmd(text: string, timeoutMs = 10_000): Promise<{ untagged: string[]; tagged: string }> {
    const tag = `t${++this.n}`
    const start = this.lines.length
    this.write(`${tag} ${text}\r\n`)
    const end = await this.waitFor(new RegExp(`^${tag} (OK|NO|BAD)`), timeoutMs, start)
    return { untagged: this.lines.slice(start, end), tagged: this.lines[end] }
  }

  async login(user: string, pass: string): Promise<void> {
    const r = await this.cmd(`LOGIN ${user} ${pass}`)
    if (!/ OK /.test(r.tagged)) throw new Error(r.tagged)
  }

  close(): void { this.sock.destroy() }
}
