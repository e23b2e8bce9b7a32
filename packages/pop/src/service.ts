// The `pop` service (spec 03 §10): POP3 on `pop.port` (STLS) and `pop.sslport` (implicit TLS).
// Options: pop.enable, pop.port, pop.enablesslport, pop.sslport, pop.listenaddr, pop.idletimeout
// (minutes, at least 10: "can only be raised"), pop.maxsessions (600), pop.banner,
// pop.sslusessl (offer STLS), pop.plaintextmincipher (>0: plaintext only under TLS) and
// pop.allowplaintextlogin (Wren: plaintext before STLS only when 1; default 0, secure by default).
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ConfigView, ListenerInfo, Service, ServiceContext, ServiceHealth } from '@wren/kernel'
import type { MailStore } from '@wren/store'
import { openDirectory, type Directory } from '@wren/directory'
import { PopServer, type TlsCredentials } from './server/server.js'
import { directoryAuthenticator } from './server/directory-auth.js'
import type { PopAuthenticator } from './server/ports.js'
import { DEFAULT_BANNER, expandBanner } from './server/banner.js'

/** spec 03 §10: POP idle timeout minimum, in minutes. */
export const MIN_IDLE_MINUTES = 10

export interface PopServiceDeps {
  /** Defaults: ctx.lookup('store'), else a store opened on ctx.dataRoot. */
  store?: MailStore
  /** Defaults: ctx.lookup('directory'), else `@wren/directory`'s opener. */
  auth?: PopAuthenticator
}

export function readNumber(config: ConfigView, name: string, fallback: number): number {
  const v = config.find(name)
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN
  return Number.isFinite(n) ? n : fallback
}

export function readBool(config: ConfigView, name: string, fallback: boolean): boolean {
  const v = config.find(name)
  if (typeof v === 'boolean') return v
  if (typeof v === 'number') return v !== 0
  if (typeof v === 'string') return /^(1|yes|true|on)$/i.test(v.trim())
  return fallback
}

export function popSettings(config: ConfigView, hostname: string) {
  const banner = config.find<string>('pop.banner')
  return {
    enable: readBool(config, 'pop.enable', true),
    port: readNumber(config, 'pop.port', 110),
    enableSsl: readBool(config, 'pop.enablesslport', false),
    sslPort: readNumber(config, 'pop.sslport', 995),
    listenAddr: String(config.find('pop.listenaddr') ?? '0.0.0.0') || '0.0.0.0',
    idleTimeoutMs: Math.max(MIN_IDLE_MINUTES, readNumber(config, 'pop.idletimeout', MIN_IDLE_MINUTES)) * 60_000,
    maxSessions: Math.max(1, readNumber(config, 'pop.maxsessions', 600)),
    greeting: expandBanner(typeof banner === 'string' && banner !== '' ? banner : DEFAULT_BANNER, hostname),
    // Secure by default, as imap: plaintext USER/PASS and AUTH PLAIN before STLS only when
    // pop.allowplaintextlogin is 1 and pop.plaintextmincipher is 0.
    allowPlaintext: readNumber(config, 'pop.plaintextmincipher', 0) <= 0 && readBool(config, 'pop.allowplaintextlogin', false),
    /** `pop.sslusessl`: offer STLS on the plain port when a certificate exists. */
    offerStls: readBool(config, 'pop.sslusessl', true),
  }
}

/** The data root's certificate (`tls/server.crt` + `tls/server.key`), when present. */
export function loadTlsCredentials(dataRoot: string): TlsCredentials | undefined {
  const cert = join(dataRoot, 'tls', 'server.crt')
  const key = join(dataRoot, 'tls', 'server.key')
  if (!existsSync(cert) || !existsSync(key)) return undefined
  return { cert: readFileSync(cert), key: readFileSync(key) }
}

class PopService implements Service {
  readonly name = 'pop'
  private server: PopServer | undefined
  private bound: ListenerInfo[] = []
  private ownedStore: MailStore | undefined
  private ownedDirectory: { close(): Promise<void> } | undefined
  private ctx: ServiceContext | undefined
  private unsubscribe: (() => void) | undefined

  constructor(private readonly deps: PopServiceDeps = {}) {}

  async start(ctx: ServiceContext): Promise<void> {
    this.ctx = ctx
    const logger = ctx.logger('pop')
    const settings = popSettings(ctx.config, ctx.hostname)
    if (!settings.enable && !settings.enableSsl) {
      logger.notice('General', 'pop is disabled (pop.enable 0, pop.enablesslport 0)')
      return
    }
    const store = this.deps.store ?? ctx.lookup<MailStore>('store') ?? (this.ownedStore = await openOwnStore(ctx))
    const auth = this.deps.auth ?? (await this.directoryAuth(ctx))
    const tls = loadTlsCredentials(ctx.dataRoot)
    const server = new PopServer({
      store, auth, logger, dataRoot: ctx.dataRoot, hostname: ctx.hostname, tls,
      greeting: settings.greeting, allowPlaintext: settings.allowPlaintext,
      idleTimeoutMs: settings.idleTimeoutMs, maxSessions: settings.maxSessions,
    })
    this.server = server
    try {
      if (settings.enable) {
        const a = await server.listen(settings.port, settings.listenAddr, false, settings.offerStls)
        this.bound.push({ name: 'pop', host: a.address, port: a.port, tls: tls && settings.offerStls ? 'starttls' : 'none' })
      }
      if (settings.enableSsl) {
        if (!tls) {
          logger.error('General', 'pop.enablesslport is set but tls/server.crt and tls/server.key are missing')
        } else {
          const a = await server.listen(settings.sslPort, settings.listenAddr, true)
          this.bound.push({ name: 'pops', host: a.address, port: a.port, tls: 'implicit' })
        }
      }
    } catch (e) {
      await this.stop()
      throw e
    }
    this.unsubscribe = ctx.config.onChange((changed) => { void this.refresh(changed) })
    for (const l of this.bound) logger.notice('General', `POP3 server listening on ${l.host}:${l.port}${l.tls === 'implicit' ? ' (SSL)' : ''}`)
  }

  private async directoryAuth(ctx: ServiceContext): Promise<PopAuthenticator> {
    const inProcess = ctx.lookup<Directory>('directory')
    if (inProcess) return directoryAuthenticator(inProcess)
    const dir = await openDirectory({ dataRoot: ctx.dataRoot, config: ctx.config, hostname: ctx.hostname, logger: ctx.logger('pop') })
    this.ownedDirectory = dir
    return directoryAuthenticator(dir)
  }

  async refresh(changed: string[]): Promise<void> {
    if (!this.server || !this.ctx) return
    if (!changed.some((n) => n.startsWith('pop.'))) return
    const s = popSettings(this.ctx.config, this.ctx.hostname)
    this.server.update({ greeting: s.greeting, allowPlaintext: s.allowPlaintext, idleTimeoutMs: s.idleTimeoutMs, maxSessions: s.maxSessions })
  }

  async stop(): Promise<void> {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    await this.server?.close()
    this.server = undefined
    this.bound = []
    this.ownedStore?.close()
    this.ownedStore = undefined
    await this.ownedDirectory?.close()
    this.ownedDirectory = undefined
  }

  async health(): Promise<ServiceHealth> {
    if (!this.server) return { ok: false, detail: 'not running' }
    return { ok: true, detail: `${this.server.sessionCount} sessions` }
  }

  listeners(): ListenerInfo[] {
    return [...this.bound]
  }
}

async function openOwnStore(ctx: ServiceContext): Promise<MailStore> {
  const { openStore } = await import('@wren/store')
  return openStore({ dataRoot: ctx.dataRoot, config: ctx.config, bus: ctx.bus, logger: ctx.logger('pop'), hostname: ctx.hostname, processName: 'popd' })
}

export function createService(deps?: PopServiceDeps): Service {
  return new PopService(deps)
}
