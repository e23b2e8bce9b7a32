// What the API needs from the daemon (ApiDeps) and what each request carries (ApiContext).
// The API stays free of apps/server types: the daemon adapts its supervisor and config to these ports.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ConfigView, Logger } from '@wren/kernel'
import type { ControlDb } from '@wren/db'
import type { Directory } from '@wren/directory'
import type { ConfigService } from '@wren/config'
import type { UserQuotaReport } from '@wren/store'
import { loadSession, sessionCookie, sessionTimeoutSeconds, type SessionInfo } from './session.js'
import { LoginLimiter } from './rate-limit.js'

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
}

export interface ApiContext {
  deps: ApiDeps
  /** Client address: the TCP peer, or `x-forwarded-for` when the peer is the loopback console proxy. */
  ip: string
  /** The request came over TLS (cookie gets `Secure`). */
  secure: boolean
  /** `console` when proxied by the console, `api` for direct clients (audit source). */
  source: 'console' | 'api'
  session: SessionInfo | null
  /** The `x-csrf-token` header. */
  csrfHeader: string | undefined
  /** Adds a Set-Cookie header to the response (no-op over WebSocket). */
  setCookie(cookie: string): void
  /** A WebSocket connection's context outlives requests: its session is re-checked on every call. */
  longLived?: boolean
}

export function isLoopback(addr: string | undefined): boolean {
  if (!addr) return false
  return addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.')
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}

export function clientInfo(req: IncomingMessage): { ip: string; source: 'console' | 'api'; secure: boolean } {
  const peer = req.socket.remoteAddress ?? ''
  const fwd = header(req, 'x-forwarded-for')
  // contract: trust x-forwarded-for ONLY when the TCP peer is loopback (the console's rewrite proxy)
  if (fwd && isLoopback(peer)) {
    const first = fwd.split(',')[0]!.trim()
    const proto = header(req, 'x-forwarded-proto')
    return { ip: stripMapped(first || peer), source: 'console', secure: proto === 'https' }
  }
  return { ip: stripMapped(peer), source: 'api', secure: Boolean((req.socket as { encrypted?: boolean }).encrypted) }
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
