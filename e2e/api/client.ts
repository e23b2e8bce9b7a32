// A minimal tRPC-over-HTTP client for the outside-in API tests: plain `fetch`, the session cookie
// kept like a browser keeps it, and the CSRF header on mutations (contract "Sessions, CSRF, roles").
export interface TrpcFailure {
  message: string
  code: string
  httpStatus: number
  fieldErrors: Record<string, string>
}

export type Outcome<T> = { ok: true; data: T; headers: Headers } | { ok: false; error: TrpcFailure; headers: Headers }

export class ApiClient {
  cookie = ''
  csrf = ''

  constructor(readonly base: string, readonly extraHeaders: Record<string, string> = {}) {}

  private async send<T>(method: 'GET' | 'POST', path: string, input: unknown, opts: { csrf?: boolean } = {}): Promise<Outcome<T>> {
    const headers: Record<string, string> = { ...this.extraHeaders }
    if (this.cookie) headers.cookie = this.cookie
    if (method === 'POST') {
      headers['content-type'] = 'application/json'
      if (opts.csrf !== false && this.csrf) headers['x-csrf-token'] = this.csrf
    }
    const url = method === 'GET'
      ? `${this.base}/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`
      : `${this.base}/trpc/${path}`
    const res = await fetch(url, { method, headers, body: method === 'POST' ? JSON.stringify(input ?? {}) : undefined })
    const setCookie = res.headers.get('set-cookie')
    if (setCookie) {
      const m = /wren_session=([^;]*)/.exec(setCookie)
      if (m) this.cookie = m[1] ? `wren_session=${m[1]}` : ''
    }
    const body = (await res.json()) as { result?: { data: T }; error?: { message: string; data: { code: string; httpStatus: number; fieldErrors?: Record<string, string> } } }
    if (body.error) {
      return { ok: false, headers: res.headers, error: { message: body.error.message, code: body.error.data.code, httpStatus: body.error.data.httpStatus, fieldErrors: body.error.data.fieldErrors ?? {} } }
    }
    return { ok: true, data: body.result!.data, headers: res.headers }
  }

  query<T = any>(path: string, input?: unknown): Promise<Outcome<T>> {
    return this.send<T>('GET', path, input)
  }

  mutate<T = any>(path: string, input?: unknown, opts: { csrf?: boolean } = {}): Promise<Outcome<T>> {
    return this.send<T>('POST', path, input, opts)
  }

  /** Like query/mutate but throws on an error answer. */
  async q<T = any>(path: string, input?: unknown): Promise<T> {
    const r = await this.query<T>(path, input)
    if (!r.ok) throw new Error(`${path}: ${r.error.code} ${r.error.message}`)
    return r.data
  }

  async m<T = any>(path: string, input?: unknown): Promise<T> {
    const r = await this.mutate<T>(path, input)
    if (!r.ok) throw new Error(`${path}: ${r.error.code} ${r.error.message}`)
    return r.data
  }

  async signIn(username: string, password: string): Promise<Outcome<{ username: string; role: string; domains: string[]; csrfToken: string }>> {
    const r = await this.mutate<{ username: string; role: string; domains: string[]; csrfToken: string }>('auth.signIn', { username, password }, { csrf: false })
    if (r.ok) this.csrf = r.data.csrfToken
    return r
  }
}
