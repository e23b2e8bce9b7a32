// Service `dispatcher` (spec 01 §10): owns the SMTP / submission / LMTP listeners.
// `refresh` (msconfig set, `refresh dispatcher`) applies the refreshable options to new sessions
// without dropping connections: the SIZE limit (mta.max_message_size, channel blocklimit,
// mta.block_size), a service's banner, timeout and max_conns, mta.max_received_lines, the channel's
// recipientlimit, and the mail.log LOG_* options. Listen ports and addresses need a restart.
import type { ConfigView, ListenerInfo, Logger, Service, ServiceContext, ServiceHealth } from '@wren/kernel'
import type { QueueStore } from './queue/queue-store.js'
import { listenerDefs } from './dispatcher/listener-config.js'
import { SmtpListener, type ListenerDef, type ListenerDeps } from './dispatcher/smtp-listener.js'
import { buildRuntime, reloadLogOptions, type RuntimeOverrides } from './runtime.js'
import { openServiceQueue } from './queue/service-queue.js'
import { handoffSocketPath } from './queue/handoff.js'

export interface DispatcherOptions extends RuntimeOverrides {
  /** Replace the configured listener list (tests: port 0 on 127.0.0.1). */
  listeners?: ListenerDef[]
  queue?: QueueStore
  /** Collects end-of-DATA → 250 latencies in ms (benchmark). */
  acceptLatencies?: number[]
  /** Hand store-bound mail to the job controller instead of indexing it (default true; false: the index path, for comparison). */
  handoff?: boolean
}

const maxReceivedLines = (config: ConfigView) => Number(config.find('mta.max_received_lines') ?? 50)
const maxRecipients = (config: ConfigView, channel: string) => Number(config.find(`channel:${channel}.recipientlimit`) ?? 1000)
const maxBadEntries = (config: ConfigView) => Number(config.find('mta.max_b_entries') ?? 10)

export class DispatcherService implements Service {
  readonly name = 'dispatcher'
  private listenersRunning: SmtpListener[] = []
  private config?: ConfigView
  private logger?: Logger
  private unsubscribe?: () => void
  private queue?: QueueStore
  private ownsQueue = false
  private flushLog?: () => unknown

  constructor(private readonly opts: DispatcherOptions = {}) {}

  async start(ctx: ServiceContext): Promise<void> {
    const rt = await buildRuntime(ctx, this.opts)
    this.flushLog = () => rt.close()
    const q = openServiceQueue(ctx, rt.log, this.opts.queue, { journal: true })
    this.queue = q.queue
    this.ownsQueue = q.ownsQueue
    rt.log = q.log
    this.closeCounters = q.closeCounters
    await this.queue.reconcile({ cleanIncoming: true })
    // Mail for the store goes to the job controller whole, not through the index (handoff.ts, D28).
    if (this.opts.handoff !== false) this.queue.attachHandoff(handoffSocketPath(ctx.dataRoot))
    const logger = ctx.logger('dispatcher')
    const defs = this.opts.listeners ?? listenerDefs(ctx.config)
    for (const def of defs) {
      if (def.tls !== 'none' && !rt.tls && def.tls === 'implicit') {
        logger.warning('Network', `${def.name}: no TLS certificate in tls/; implicit-TLS listener not started`)
        continue
      }
      const deps: ListenerDeps = {
        hostname: ctx.hostname, queue: this.queue, policy: rt.policy, directory: rt.directory, log: rt.log, logger, bus: ctx.bus,
        tls: rt.tls,
        maxReceivedLines: maxReceivedLines(ctx.config),
        maxRecipients: maxRecipients(ctx.config, def.channel),
        maxBadCommandsLogged: maxBadEntries(ctx.config),
        acceptLatencies: this.opts.acceptLatencies,
      }
      const l = new SmtpListener(def, deps)
      await l.listen()
      this.listenersRunning.push(l)
      logger.notice('Network', `${def.name} listening on ${def.host}:${l.port} (${def.channel})`)
    }
    this.config = ctx.config
    this.logger = logger
    // In the daemon's own process no `refresh` message reaches a service: the view's onChange does.
    this.unsubscribe = ctx.config.onChange((changed) => { void this.refresh(changed).catch(() => undefined) })
  }

  /**
   * Re-reads the refreshable options (`refresh dispatcher`; `msconfig set` of a refreshable option).
   * Sessions that start afterwards get the new settings (the SIZE limit also applies to a MAIL sent
   * after it in an open session); no connection is dropped. A listener whose port or address changed
   * keeps listening where it is until the dispatcher restarts.
   */
  async refresh(_changed: string[] = []): Promise<void> {
    const config = this.config
    if (!config) return
    reloadLogOptions()
    // Test-injected listener definitions are fixed; configured ones are recomputed.
    const fresh = this.opts.listeners ? undefined : listenerDefs(config)
    for (const l of this.listenersRunning) {
      const def = l.def
      const now = fresh?.find((d) => d.name === def.name && d.port === def.port && d.host === def.host)
      if (fresh && !now) {
        this.logger?.notice('Network', `${def.name} on ${def.host}:${def.port}: listener configuration changed; restart the dispatcher to apply it`)
      }
      const s = now ?? def
      const changed = l.update({
        size: s.size, banner: s.banner, idleTimeout: s.idleTimeout, maxConns: s.maxConns,
        maxRecipients: maxRecipients(config, def.channel), maxReceivedLines: maxReceivedLines(config), maxBadCommandsLogged: maxBadEntries(config),
      })
      if (changed) this.logger?.notice('Network', `${def.name} on ${def.host}:${l.port}: refreshed (size ${def.size || 'unlimited'}, timeout ${def.idleTimeout / 1000} s, max ${def.maxConns} connections)`)
    }
  }

  private closeCounters?: () => void

  async stop(): Promise<void> {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    this.config = undefined
    await Promise.all(this.listenersRunning.map((l) => l.close()))
    this.listenersRunning = []
    this.queue?.detachHandoff()
    await this.flushLog?.()
    this.closeCounters?.()
    if (this.ownsQueue) this.queue?.close()
  }

  listeners(): ListenerInfo[] {
    return this.listenersRunning.map((l) => ({ name: l.def.name, host: l.def.host, port: l.port, tls: l.def.tls }))
  }

  async health(): Promise<ServiceHealth> {
    return { ok: this.listenersRunning.length > 0, detail: `${this.listenersRunning.length} listeners` }
  }
}

export function createService(opts: DispatcherOptions = {}): Service {
  return new DispatcherService(opts)
}
