import type { ConfigView } from './config-view.js'
import type { EventBus } from './events.js'
import type { Logger } from './logger.js'

/** What a service gets from the daemon (apps/server) when it starts. */
export interface ServiceContext {
  /** The data root (`WREN_DATA`, default `./data`): config/ db/ queue/ store/ log/ run/ tls/. */
  dataRoot: string
  /** This host's official name (`base.hostname`, default the machine's FQDN). */
  hostname: string
  config: ConfigView
  /** Product-format logger writing to `log/<name>` (e.g. `imap`, `pop`, `default`). */
  logger(name: string): Logger
  bus: EventBus
  /** Resolves another in-process service's public API (e.g. 'store' → MailStore), if it runs in this process. */
  lookup<T>(name: string): T | undefined
}

export interface ListenerInfo {
  /** e.g. `imap`, `imaps`, `SMTP`, `SMTP_SUBMIT`, `LMTP`, `pop`, `pops`, `admin` */
  name: string
  host: string
  port: number
  tls: 'none' | 'starttls' | 'implicit'
}

export interface ServiceHealth {
  ok: boolean
  detail?: string
}

/**
 * A Wren service: the unit the watcher starts, stops, refreshes and restarts (spec 01 §2–3).
 * Names follow the product: store, imap, pop, dispatcher, job_controller, ens, sched, metermaid, admin.
 */
export interface Service {
  readonly name: string
  start(ctx: ServiceContext): Promise<void>
  stop(): Promise<void>
  /** Re-read refreshable options without dropping connections (`refresh <svc>`). */
  refresh?(changed: string[]): Promise<void>
  health?(): Promise<ServiceHealth>
  listeners?(): ListenerInfo[]
}

/** How a service module is found by the supervisor: `export const createService: ServiceFactory`. */
export type ServiceFactory = () => Service
