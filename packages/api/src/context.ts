// What the API needs from the daemon (ApiDeps) and what each request carries (ApiContext).
// The API stays free of apps/server types: the daemon adapts its supervisor and config to these ports.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ConfigView, Logger } from '@wren/kernel'
import type { ControlDb } from '@wren/db'
import type { Directory } from '@wren/directory'
import type { ConfigService } from '@wren/config'
import type { UserQuotaReport } from '@wren/store'
import { recordAudit } from '@wren/db'
import { localSessionFor, loadSession, sessionCookie, sessionTimeoutSeconds, tokenMatches, type SessionInfo } from './session.js'
import { LoginLimiter } from './rate-limit.js'
import type { MailLogPort, QueuePort } from './types.js'

export interface ServiceStatusLike {
  name: string
  state: string
  enabled?: boolean
  pid?: number
  /** Seconds since the current process started. */
  uptime?: number
  restarts?: number
  listeners?: Array<{ name: string; host: string; port: number; tls: string }>
  error?: string
}

/** The daemon's supervisor as the API sees it (apps/server/src/admin/api-deps.ts adapts it). */
export interface ServicesPort {
  daemon(): { pid: number; startedAt: string; hostname: string }
  status(): ServiceStatusLike[]
  events(): Array<{ at: string; line: string }>
  names(): string[]
  action(name: string, action: 'start' | 'stop' | 'restart'): Promise<string[]>
  /** After a configuration write: re-read it and refresh running services (control-routes reloadConfig). */
  reloadConfig(): Promise<{ restartNeeded: string[]; restart?: Array<{ option: string; services: string[] }> }>
  /** Called on every service state change; returns an unsubscribe function. */
  onChange?(listener: () => void): () => void
}

/** Store usage for quota views (`MailStore.quotaReport`); undefined when the user has no mailbox yet. */
export interface QuotaPort {
  report(storeId: string): Promise<UserQuotaReport | undefined>
  /** Store ids that have a mailbox (`uid` in the default domain, `uid@domain` otherwise). */
  users(): string[]
}

export interface ApiDeps {
  db: ControlDb
  directory: Directory
  /** The unified configuration (set/write/history/differences/revert). */
  config: ConfigService
  /** The daemon's effective option values (admin.sessiontimeout, store.quotawarn…). */
  view(): ConfigView
  services: ServicesPort
  quota: QuotaPort
  /** The daemon's product-format log (sign-ins, sign-outs, failures). */
  log: Logger
  /** Origins a WebSocket client may come from (console and admin origins); default: loopback console/admin. */
  allowedOrigins?(): string[]
  /** Clock (tests). */
  now?(): number
  /** Failed sign-in limiter (shared between HTTP and WS handlers); created when absent. */
  limiter?: LoginLimiter
  /**
   * The control API's bearer token (run/control.json, mode 0600). Local tools (commadmin, msconfig)
   * that send `Authorization: Bearer <token>` act as a global administrator with audit source `cli`
   * (docs/decisions.md D24). Absent: bearer authentication is off.
   */
  controlToken?: string | (() => string | undefined)
  /** The MTA queue (queue viewer); absent: the queue procedures answer PRECONDITION_FAILED. */
  queue?: QueuePort
  /** mail.log / connection.log search; absent: the logs procedures answer PRECONDITION_FAILED. */
  mailLog?: MailLogPort
}

/** Audit source of a request: the console's proxy, a direct API client, or a local CLI tool. */
export type ApiSource = 'console' | 'api' | 'cli'

export interface ApiContext {
  deps: ApiDeps
  /** Client address: the TCP peer, or `x-forwarded-for` when the peer is the loopback console proxy. */
  ip: string
  /** The request came over TLS (cookie gets `Secure`). */
  secure: boolean
  /** `console` when proxied by the console, `api` for direct clients, `cli` for local tools (audit source). */
  source: ApiSource
  session: SessionInfo | null
  /** The `x-csrf-token` header. */
  csrfHeader: string | undefined
  /** Adds a Set-Cookie header to the response (no-op over WebSocket). */
  setCookie(cookie: string): void
  /** A WebSocket connection's context outlives requests: its session is re-checked on every call. */
  longLived?: boolean
  /** The request carried an `Authorization: Bearer` token that is not the control token: every procedure answers UNAUTHORIZED. */
  badBearer?: string
}

export function isLoopback(addr: string | undefined): boolean {
  if (!addr) return false
  return addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.')
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}

export function clientInfo(req: IncomingMessage): { ip: string; source: ApiSource; secure: boolean } {
  const peer = req.socket.remoteAddress ?? ''
  const fwd = header(req, 'x-forwarded-for')
  // contract: trust x-forwarded-for ONLY when the TCP peer is loopback (the console's rewrite proxy)
  if (fwd && isLoopback(peer)) {
    const first = fwd.split(',')[0]!.trim()
    const proto = header(req, 'x-forwarded-proto')
    return { ip: stripMapped(first || peer), source: 'console', secure: proto === 'https' }
  }
  const secure = Boolean((req.socket as { encrypted?: boolean }).encrypted)
  // A local tool signed in with -D/-w (commadmin) labels its calls `cli`; only believed from this machine.
  if (isLoopback(peer) && header(req, 'x-wren-source') === 'cli') return { ip: stripMapped(peer), source: 'cli', secure }
  return { ip: stripMapped(peer), source: 'api', secure }
}

function stripMapped(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip
}

export function parseCookies(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  if (!raw) return out
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const k = part.slice(0, eq).trim()
    if (k && !(k in out)) out[k] = decodeURIComponent(part.slice(eq + 1).trim())
  }
  return out
}

export const SESSION_COOKIE = 'wren_session'

/** Builds the per-request context for the HTTP and WebSocket adapters. */
export function createApiContextFactory(deps: ApiDeps) {
  deps.limiter ??= new LoginLimiter(deps)
  return async (opts: { req: IncomingMessage; res?: ServerResponse | unknown }): Promise<ApiContext> => {
    const { req, res } = opts
    const info = clientInfo(req)
    const bearer = bearerOf(header(req, 'authorization'))
    if (bearer !== undefined) {
      const local = await localSession(deps, req, bearer)
      if (local) return { deps, ...info, source: 'cli', session: local, csrfHeader: undefined, setCookie: () => undefined, longLived: false }
      return { deps, ...info, session: null, csrfHeader: undefined, setCookie: () => undefined, badBearer: 'missing or wrong bearer token (see run/control.json)' }
    }
    const sid = parseCookies(header(req, 'cookie'))[SESSION_COOKIE]
    const session = sid ? await loadSession(deps, sid) : null
    const httpRes = res && typeof (res as ServerResponse).appendHeader === 'function' ? (res as ServerResponse) : undefined
    // A sliding session renews the browser's cookie too, or an active admin would lose it after
    // admin.sessiontimeout seconds although the server-side session is still valid.
    if (session?.extended && httpRes && !httpRes.headersSent) {
      httpRes.appendHeader('set-cookie', sessionCookie(session.id, { secure: info.secure, maxAgeSeconds: sessionTimeoutSeconds(deps) }))
    }
    return {
      deps,
      ...info,
      session,
      csrfHeader: header(req, 'x-csrf-token'),
      setCookie: (cookie) => { if (httpRes && !httpRes.headersSent) httpRes.appendHeader('set-cookie', cookie) },
      longLived: !httpRes,
    }
  }
}

function bearerOf(auth: string | undefined): string | undefined {
  const m = auth ? /^Bearer\s+(\S*)\s*$/i.exec(auth) : null
  return m ? m[1]! : auth !== undefined && /^bearer\b/i.test(auth) ? '' : undefined
}

/**
 * A local tool's bearer token (D24): the control token, presented from this machine and not
 * through the console's proxy, makes a global administrator `cli:<x-wren-actor>`. Anything else is a
 * failed sign-in: written to the daemon log and the audit log (`auth.failed`), answered UNAUTHORIZED.
 */
async function localSession(deps: ApiDeps, req: IncomingMessage, token: string): Promise<SessionInfo | null> {
  const peer = req.socket.remoteAddress ?? ''
  const expected = typeof deps.controlToken === 'function' ? deps.controlToken() : deps.controlToken
  // this machine: a loopback peer, or one whose address is our own (admin.listenaddr not loopback);
  // never through the console's proxy, which forwards other machines' requests
  const fromHere = (isLoopback(peer) || peer === req.socket.localAddress) && header(req, 'x-forwarded-for') === undefined
  const ok = fromHere && expected !== undefined && expected !== '' && tokenMatches(token, expected)
  const name = actorName(header(req, 'x-wren-actor'))
  if (ok) return localSessionFor(deps, name)
  const ip = clientInfo(req).ip
  const reason = !expected ? 'bearer tokens are not accepted' : !fromHere ? 'bearer token from another machine' : 'wrong bearer token'
  deps.log.notice('Account', `admin sign-in failed for cli:${name} from ${ip}: ${reason}`)
  await recordAudit(deps.db.prisma, {
    actor: `cli:${name}`, role: '', source: 'cli', sourceIp: ip, action: 'auth.failed', target: `cli:${name}`,
    diff: [{ field: 'reason', before: undefined, after: reason }],
  }).catch(() => undefined)
  return null
}

/** The `x-wren-actor` header (the CLI sends -D or $USER): a short printable name, `unknown` otherwise. */
export function actorName(raw: string | undefined): string {
  const v = (raw ?? '').trim()
  return /^[\w.@+-]{1,64}$/.test(v) ? v : 'unknown'
}
