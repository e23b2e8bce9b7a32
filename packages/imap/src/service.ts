/**
 * The `imap` service (spec 03 §10): listeners from `imap.port` (plain + STARTTLS) and `imap.sslport`
 * (implicit TLS), enabled by `imap.enable` / `imap.enablesslport`, bound to `imap.listenaddr`.
 * The store comes from the in-process `store` service when present, else it is opened here; the
 * authenticator from the in-process `directory` (or an `authenticator` registered by the daemon).
 */
import * as os from 'node:os'
import type { ListenerInfo, Service, ServiceContext, ServiceHealth } from '@wren/kernel'
import { openStore, type MailStore } from '@wren/store'
import type { Directory } from '@wren/directory/types'
import { directoryAuthenticator } from './server/directory-auth.js'
import { optBool, optNum, opt } from './server/options.js'
import type { Authenticator } from './server/ports.js'
import { ImapServer } from './server/server.js'
import { loadTlsCredentials } from './server/tls.js'
import { fileTransactSink } from './server/transact-log.js'

export const PRODUCT = 'Wren Messaging Server'
export const VERSION = '0.1.0'

export interface ImapServiceOptions {
  /** Use this authenticator instead of looking one up (tools and tests). */
  authenticator?: Authenticator
  /** Use this store instead of the in-process `store` service. */
  store?: MailStore
}

function listenHost(v: string): string {
  return !v || v === 'INADDR_ANY' || v === '0.0.0.0' ? '0.0.0.0' : v
}

export function createService(options: ImapServiceOptions = {}): Service {
  let server: ImapServer | undefined
  let ownStore: MailStore | undefined
  let ownDirectory: { close(): Promise<void> } | undefined
  let infos: ListenerInfo[] = []
  let logger: import('@wren/kernel').Logger | undefined
  return {
    name: 'imap',
    async start(ctx: ServiceContext) {
      const config = ctx.config
      logger = ctx.logger('imap')
      let auth = options.authenticator ?? ctx.lookup<Authenticator>('authenticator')
      let dir = ctx.lookup<Directory>('directory')
      if (!auth && !dir) {
        // In its own process (the daemon forks one per service): open the configured directory.
        const { openDirectory } = await import('@wren/directory')
        const opened = await openDirectory({ dataRoot: ctx.dataRoot, config, logger, hostname: ctx.hostname })
        ownDirectory = opened
        dir = opened
      }
      if (!auth) auth = directoryAuthenticator(dir!)
      let store = options.store ?? ctx.lookup<MailStore>('store')
      if (!store) {
        const quotaDir = dir
        ownStore = openStore({
          dataRoot: ctx.dataRoot, config, bus: ctx.bus, logger, processName: 'imapd', hostname: ctx.hostname,
          // spec 03 §4: mailQuota / mailMsgQuota come from the directory
          quotaResolver: quotaDir ? (userid) => quotaDir.quotaSource(userid) : undefined,
        })
        store = ownStore
      }
      const tlsCreds = loadTlsCredentials(ctx.dataRoot)
      server = new ImapServer({
        config, store, auth, logger, hostname: ctx.hostname || os.hostname(), bus: ctx.bus, tls: tlsCreds,
        transact: fileTransactSink(ctx.dataRoot), product: PRODUCT, version: VERSION, quotaDirectory: dir,
      })
      const host = listenHost(String(opt(config, 'imap.listenaddr')))
      infos = []
      if (optBool(config, 'imap.enable')) {
        const l = await server.listen({ host, port: optNum(config, 'imap.port'), tls: 'none' })
        infos.push({ name: 'imap', host, port: l.port, tls: tlsCreds ? 'starttls' : 'none' })
      }
      if (optBool(config, 'imap.enablesslport')) {
        if (!tlsCreds) logger.warning('Network', `imap.enablesslport is set but ${ctx.dataRoot}/tls/server.crt|key are missing; SSL port not opened`)
        else {
          const l = await server.listen({ host, port: optNum(config, 'imap.sslport'), tls: 'implicit' })
          infos.push({ name: 'imaps', host, port: l.port, tls: 'implicit' })
        }
      }
      logger.notice('General', `IMAP service started: ${infos.map((i) => `${i.name} ${i.host}:${i.port}`).join(', ')}`)
    },
    async stop() {
      await server?.close()
      server = undefined
      ownStore?.close()
      ownStore = undefined
      await ownDirectory?.close()
      ownDirectory = undefined
      infos = []
    },
    async refresh(changed: string[]) {
      // Options are read live from the ConfigView (banner, limits, capabilities, plaintext policy,
      // transaction log); listener addresses need a restart, as in the product.
      const needRestart = changed.filter((n) => /^imap\.(port|sslport|enable|enablesslport|listenaddr)$/.test(n))
      if (needRestart.length && logger) logger.notice('General', `options ${needRestart.join(', ')} take effect after restart imap`)
    },
    async health(): Promise<ServiceHealth> {
      return server ? { ok: true, detail: `${server.sessionCount} sessions` } : { ok: false, detail: 'not started' }
    },
    listeners() {
      return infos
    },
  }
}
