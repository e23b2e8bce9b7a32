// Service `dispatcher` (spec 01 §10): owns the SMTP / submission / LMTP listeners.
import type { ListenerInfo, Service, ServiceContext, ServiceHealth } from '@wren/kernel'
import type { QueueStore } from './queue/queue-store.js'
import { listenerDefs } from './dispatcher/listener-config.js'
import { SmtpListener, type ListenerDef } from './dispatcher/smtp-listener.js'
import { buildRuntime, type RuntimeOverrides } from './runtime.js'
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

export class DispatcherService implements Service {
  readonly name = 'dispatcher'
  private listenersRunning: SmtpListener[] = []
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
      const l = new SmtpListener(def, {
        hostname: ctx.hostname, queue: this.queue, policy: rt.policy, directory: rt.directory, log: rt.log, logger, bus: ctx.bus,
        tls: rt.tls,
        maxReceivedLines: Number(ctx.config.find('mta.max_received_lines') ?? 50),
        maxRecipients: Number(ctx.config.find(`channel:${def.channel}.recipientlimit`) ?? 1000),
        acceptLatencies: this.opts.acceptLatencies,
      })
      await l.listen()
      this.listenersRunning.push(l)
      logger.notice('Network', `${def.name} listening on ${def.host}:${l.port} (${def.channel})`)
    }
  }

  private closeCounters?: () => void

  async stop(): Promise<void> {
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
