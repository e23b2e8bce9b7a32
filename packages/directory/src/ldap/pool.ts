// LDAP connections for the ldap provider: a small pool of bound ldapts clients with failover across
// `base.ugldaphost` entries, tried in order (spec 01 §5: `"ldap1.example.com ldap2.example.com:389"`).
// A host that fails to connect is skipped for a while, so later lookups do not wait for it again.
import { Client } from 'ldapts'

export interface PoolOptions {
  hosts: string[]
  port: number
  ssl: boolean
  bindDn?: string
  bindCred?: string
  timeoutMs: number
  size: number
  /** How long a host that failed is skipped (default 30 s). */
  downMs?: number
  /** Told when a host fails (the service log's LDAP category). */
  onHostDown?: (url: string, reason: string) => void
}

/** `host[:port]` → ldap URL. IPv6 literals in brackets are kept. */
export function hostUrl(entry: string, port: number, ssl: boolean): string {
  if (/^ldaps?:\/\//i.test(entry)) return entry
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry)
  const host = m ? m[1] : entry
  const p = m?.[2] ? Number(m[2]) : port
  return `${ssl ? 'ldaps' : 'ldap'}://${host}:${p}`
}

/** True for failures of the connection (as opposed to an LDAP result code). */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; name?: string; message?: string }
  if (typeof e?.code === 'string') return true // ECONNREFUSED, ETIMEDOUT, ECONNRESET…
  return /timeout|timed out|closed|ECONN|socket|connect/i.test(`${e?.name ?? ''} ${e?.message ?? ''}`)
}

export class LdapPool {
  private readonly idle: Client[] = []
  private readonly down = new Map<string, number>()
  private total = 0
  private waiters: Array<(c: Client) => void> = []
  private closed = false
  readonly urls: string[]

  constructor(private readonly opts: PoolOptions) {
    if (opts.hosts.length === 0) throw new Error('base.ugldaphost is empty')
    this.urls = opts.hosts.map((h) => hostUrl(h, opts.port, opts.ssl))
  }

  /** URLs in the order to try: hosts not marked down first, in configured order. */
  private order(): string[] {
    const now = Date.now()
    const up = this.urls.filter((u) => (this.down.get(u) ?? 0) <= now)
    const down = this.urls.filter((u) => (this.down.get(u) ?? 0) > now)
    return [...up, ...down]
  }

  /** A new client connected (and bound, when a bind DN is given) to the first host that answers. */
  async connect(bind?: { dn: string; password: string }): Promise<Client> {
    const errors: string[] = []
    for (const url of this.order()) {
      const client = new Client({ url, timeout: this.opts.timeoutMs, connectTimeout: this.opts.timeoutMs, strictDN: false })
      try {
        const who = bind ?? (this.opts.bindDn ? { dn: this.opts.bindDn, password: this.opts.bindCred ?? '' } : undefined)
        if (who) await client.bind(who.dn, who.password)
        else await client.search('', { scope: 'base', attributes: ['namingContexts'] }) // forces the connection
        this.down.delete(url)
        return client
      } catch (err) {
        await client.unbind().catch(() => {})
        if (!isConnectionError(err)) throw err // e.g. invalid credentials: the same on every replica
        this.down.set(url, Date.now() + (this.opts.downMs ?? 30_000))
        const reason = (err as Error).message || String((err as { code?: string }).code)
        this.opts.onHostDown?.(url, reason)
        errors.push(`${url}: ${reason}`)
      }
    }
    throw Object.assign(new Error(`no LDAP server answered (${errors.join('; ')})`), { code: 'ELDAPDOWN' })
  }

  private async acquire(): Promise<Client> {
    if (this.closed) throw new Error('LDAP pool is closed')
    const c = this.idle.pop()
    if (c) return c
    if (this.total < this.opts.size) {
      this.total++
      try {
        return await this.connect()
      } catch (err) {
        this.total--
        throw err
      }
    }
    return new Promise((res) => this.waiters.push(res))
  }

  private release(c: Client, broken: boolean): void {
    if (broken || this.closed) {
      this.total--
      c.unbind().catch(() => {})
      // A waiter gets a fresh connection when a broken one leaves the pool.
      const w = this.waiters.shift()
      if (w && !this.closed) {
        this.total++
        this.connect().then(w, () => { this.total--; this.waiters.unshift(w) })
      }
      return
    }
    const w = this.waiters.shift()
    if (w) w(c)
    else this.idle.push(c)
  }

  /** Runs `fn` on a pooled connection; on a connection failure, retries once on a fresh connection (failover). */
  async use<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const c = await this.acquire()
      try {
        const r = await fn(c)
        this.release(c, false)
        return r
      } catch (err) {
        const broken = isConnectionError(err)
        this.release(c, broken)
        if (!broken || attempt >= 1) throw err
        // Drop the other idle connections of a failed server: they are dead too.
        for (const idle of this.idle.splice(0)) { this.total--; idle.unbind().catch(() => {}) }
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true
    const all = this.idle.splice(0)
    this.total -= all.length
    await Promise.all(all.map((c) => c.unbind().catch(() => {})))
  }
}
