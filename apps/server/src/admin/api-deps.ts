// The admin API (@wren/api) inside the daemon: adapts the supervisor, the configuration, the control
// database, the directory and the store to the API's ports, and mounts `/trpc` (HTTP + SSE) and the
// WebSocket upgrade on the control server (issue 6; contract "Shape").
import type { Logger } from '@wren/kernel'
import { openControlDb } from '@wren/db'
import { openConfig } from '@wren/config'
import { openDirectory } from '@wren/directory'
import { openStore, type MailStore } from '@wren/store'
import { attachTrpcWebSocket, createTrpcHttpHandler, defaultAllowedOrigins, TRPC_PREFIX, type ApiDeps, type ServicesPort } from '@wren/api'
import { openMailLogPort, openQueuePort } from '@wren/api/queue-port'
import type { ServerConfig } from '../config-source.js'
import type { Supervisor } from '../supervisor/supervisor.js'
import type { ControlServer } from './control-server.js'
import { reloadConfig } from './control-routes.js'
import type { Router } from './router.js'

export interface AdminApiOptions {
  dataRoot: string
  hostname: string
  supervisor: Supervisor
  config: ServerConfig
  daemon: { pid: number; startedAt: string }
  log: Logger
}

export interface AdminApi {
  deps: ApiDeps
  /** Mounts `/trpc` on the control router (mounts bypass the control bearer token). */
  mount(router: Router): void
  /** Adds the WebSocket upgrade for `/trpc` to the running control server. */
  attach(control: ControlServer): void
  close(): Promise<void>
}

/** Polls the supervisor (it has no change hook) while someone listens: state changes reach subscribers within a second. */
function changeWatcher(sup: Supervisor): ServicesPort['onChange'] {
  const listeners = new Set<() => void>()
  let timer: NodeJS.Timeout | undefined
  let last = ''
  const snapshot = () => JSON.stringify([sup.status().map((s) => [s.name, s.state, s.pid, s.restarts]), sup.events().length])
  return (listener) => {
    listeners.add(listener)
    if (!timer) {
      last = snapshot()
      timer = setInterval(() => {
        const now = snapshot()
        if (now !== last) { last = now; for (const l of listeners) l() }
      }, 1000)
      timer.unref()
    }
    return () => {
      listeners.delete(listener)
      if (!listeners.size && timer) { clearInterval(timer); timer = undefined }
    }
  }
}

export async function openAdminApi(opts: AdminApiOptions): Promise<AdminApi> {
  const { supervisor: sup, config } = opts
  const db = await openControlDb(opts.dataRoot)
  const configService = await openConfig(opts.dataRoot)
  const directory = await openDirectory({ dataRoot: opts.dataRoot, config: config.view(), db, logger: opts.log, hostname: opts.hostname })
  // The store is opened on first use (quota views), as the store tools open it (multi-process safe).
  let store: MailStore | undefined
  const getStore = () => (store ??= openStore({ dataRoot: opts.dataRoot, config: config.view(), processName: 'admin', hostname: opts.hostname, quotaResolver: (id) => directory.quotaSource(id) }))
  const services: ServicesPort = {
    daemon: () => ({ pid: opts.daemon.pid, startedAt: opts.daemon.startedAt, hostname: opts.hostname }),
    status: () => sup.status(),
    events: () => sup.events(),
    names: () => sup.names,
    action: (name, action) => (action === 'start' ? sup.start([name]) : action === 'stop' ? sup.stop([name]) : sup.restart([name])),
    reloadConfig: async () => {
      await configService.reload()
      const r = await reloadConfig({ supervisor: sup, config })
      directory.invalidate()
      return { restartNeeded: r.restartNeeded, restart: r.restart }
    },
    onChange: changeWatcher(sup),
  }
  const deps: ApiDeps = {
    db,
    directory,
    config: configService,
    view: () => config.view(),
    services,
    quota: {
      report: async (id) => {
        const s = getStore()
        return s.userExists(id) ? s.quotaReport(id) : undefined
      },
      users: () => getStore().listUsers(),
    },
    log: opts.log,
    // The MTA queue and mail.log, opened as `imsimta qm` opens them (the job controller keeps running).
    queue: openQueuePort({ dataRoot: opts.dataRoot, config: () => config.view(), directory, hostname: opts.hostname }),
    mailLog: openMailLogPort({ dataRoot: opts.dataRoot, config: () => config.view() }),
  }
  const handler = createTrpcHttpHandler(deps)
  let ws: ReturnType<typeof attachTrpcWebSocket> | undefined
  return {
    deps,
    mount: (router) => { router.mount(TRPC_PREFIX, handler) },
    attach: (control) => {
      // the console's origins (console.listenaddr:console.port) and the control server's real port
      const own = [control.host === '127.0.0.1' || control.host === '0.0.0.0' ? ['127.0.0.1', 'localhost'] : [control.host]].flat()
        .flatMap((h) => [`http://${h}:${control.port}`, `https://${h}:${control.port}`])
      deps.allowedOrigins = () => [...defaultAllowedOrigins(deps), ...own]
      ws = attachTrpcWebSocket(control.server, deps)
      deps.controlToken = control.token // D24: local tools' bearer token (run/control.json) on /trpc
    },
    async close() {
      await ws?.close().catch(() => undefined)
      store?.close()
      deps.queue?.close()
      await directory.close().catch(() => undefined)
      await configService.close()
      await db.close()
    },
  }
}
