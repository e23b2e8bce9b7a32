// The admin API (@wren/api, tRPC 11 on the daemon's control server at /trpc) as the CLI tools use it
// (issue 6: "the CLI uses the same API"). Two ways in (docs/decisions.md D24):
//   - the control token of run/control.json (mode 0600: whoever can read it is root-equivalent on this
//     data root): a global administrator named `cli:<actor>`, audit source `cli`;
//   - `-D admin -w password` (the product's commadmin sign-in, spec 01 §5): `auth.signIn` as that
//     administrator, whose role the API enforces; the session cookie and CSRF token are kept in memory
//     for the run and the session is signed out at the end.
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client'
import type { AppRouter } from '@wren/api'
import { findDaemon } from '@wren/server/admin/client'
import type { ControlFile } from '@wren/server/admin/control-file'

export type ApiClient = ReturnType<typeof createTRPCClient<AppRouter>>

export interface ApiConnection {
  client: ApiClient
  /** `token` (control token, global) or `session` (-D/-w). */
  mode: 'token' | 'session'
  /** Who the audit log names: `cli:<actor>` or the signed-in administrator. */
  actor: string
  /** The daemon's /trpc address (messages). */
  url: string
  /** Signs a session out (no-op for the token). */
  close(): Promise<void>
}

/** The /trpc base URL for a control file: wildcard listen addresses are reached on loopback. */
export function trpcUrl(info: Pick<ControlFile, 'host' | 'port'>): string {
  const h = info.host || '127.0.0.1'
  const host = h === '0.0.0.0' ? '127.0.0.1' : h === '::' ? '[::1]' : h.includes(':') ? `[${h}]` : h
  return `http://${host}:${info.port}/trpc`
}

/** The running daemon of this data root, or undefined (the tools then work on the data root directly). */
export function daemonFor(dataRoot: string): ControlFile | undefined {
  return findDaemon(dataRoot)
}

/** A client authenticated by the control token: global administrator `cli:<actor>`. */
export function tokenClient(info: ControlFile, actor: string): ApiConnection {
  const url = trpcUrl(info)
  const client = createTRPCClient<AppRouter>({
    links: [httpLink({ url, headers: () => ({ authorization: `Bearer ${info.token}`, 'x-wren-actor': actor }) })],
  })
  return { client, mode: 'token', actor: `cli:${actor}`, url, close: async () => undefined }
}

/**
 * Signs in as `login` with `password` (auth.signIn: rate-limited and audited by the daemon like a
 * console sign-in) and returns a client carrying the session cookie and CSRF token.
 * Throws the API's error (UNAUTHORIZED, TOO_MANY_REQUESTS) when the sign-in fails.
 */
export async function sessionClient(info: ControlFile, login: string, password: string): Promise<ApiConnection> {
  const url = trpcUrl(info)
  let cookie = ''
  let csrf = ''
  // Keeps the session cookie the daemon sets (sign-in, sliding renewal); fetch has no cookie jar.
  const keepCookie: typeof fetch = async (input, init) => {
    const res = await fetch(input, init)
    for (const c of res.headers.getSetCookie()) {
      const m = /^wren_session=([^;]*)/.exec(c)
      if (m) cookie = m[1] ? `wren_session=${m[1]}` : ''
    }
    return res
  }
  const client = createTRPCClient<AppRouter>({
    links: [httpLink({
      url,
      fetch: keepCookie,
      headers: () => ({ 'x-wren-source': 'cli', ...(cookie ? { cookie } : {}), ...(csrf ? { 'x-csrf-token': csrf } : {}) }),
    })],
  })
  const me = await client.auth.signIn.mutate({ username: login, password })
  csrf = me.csrfToken
  if (!cookie) throw new Error('the daemon did not set a session cookie')
  return {
    client,
    mode: 'session',
    actor: me.username,
    url,
    close: async () => { await client.auth.signOut.mutate().catch(() => undefined) },
  }
}

/**
 * An API failure as the tool's error lines: one `tool: field: message` line per field error
 * (`commadmin: mail: address already in use`), else `tool: CODE: message`.
 */
export function apiErrorLines(tool: string, err: unknown, url?: string): string[] {
  return apiErrorText(err, url).map((l) => `${tool}: ${l}`)
}

/** The same lines without the tool's name. */
export function apiErrorText(err: unknown, url?: string): string[] {
  if (err instanceof TRPCClientError) {
    const data = (err.data ?? {}) as { code?: string; fieldErrors?: Record<string, string> }
    const fields = Object.entries(data.fieldErrors ?? {})
    if (fields.length) return fields.map(([f, m]) => `${f}: ${m}`)
    if (!data.code) return [`cannot reach the daemon's admin API${url ? ` at ${url}` : ''}: ${causeText(err)}`]
    return [`${data.code}: ${err.message}`]
  }
  return [(err as Error)?.message ?? String(err)]
}

function causeText(err: Error): string {
  const c = err.cause as (Error & { code?: string; cause?: { code?: string; message?: string } }) | undefined
  return c?.cause?.code ?? c?.code ?? c?.cause?.message ?? c?.message ?? err.message
}

export { TRPCClientError }
