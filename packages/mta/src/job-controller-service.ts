// Service `job_controller` (spec 01 §11): runs the channel master programs over the queue.
import type { Service, ServiceContext, ServiceHealth } from '@wren/kernel'
import type { QueueStore } from './queue/queue-store.js'
import { JobController } from './jobs/job-controller.js'
import type { ChannelSettings } from './jobs/channel-settings.js'
import type { MasterProgram } from './delivery/types.js'
import { imsMsProgram } from './delivery/ims-ms.js'
import { smtpOutProgram } from './delivery/smtp-out.js'
import { bitbucketProgramFor, holdProgram } from './delivery/simple.js'
import { processProgram } from './delivery/process.js'
import { buildRuntime, reloadLogOptions, type RuntimeOverrides } from './runtime.js'
import { openServiceQueue } from './queue/service-queue.js'
import type { LocalStore } from './ports.js'
import { HandoffServer, handoffSocketPath } from './queue/handoff.js'

export interface JobControllerOptions extends RuntimeOverrides {
  queue?: QueueStore
  store?: LocalStore
  pollMs?: number
  dayMs?: number
  /** DNS override for tcp_* channels (tests). */
  resolveMx?: (domain: string) => Promise<Array<{ exchange: string; priority: number }>>
}

async function openLocalStore(ctx: ServiceContext): Promise<{ store: LocalStore; close?: () => Promise<void> } | undefined> {
  const inProc = ctx.lookup<LocalStore>('store')
  if (inProc) return { store: inProc }
  try {
    const mod = (await import('@wren/store')) as { openStore?: (o: unknown) => LocalStore & { close(): void } }
    if (!mod.openStore) return undefined
    // spec 03 §4: ims-ms enforces the directory's mailQuota / mailMsgQuota, not only store.defaultmailboxquota.
    const { directoryQuotaResolver } = await import('@wren/store/directory-quota')
    const logger = ctx.logger('imta')
    const quota = directoryQuotaResolver({ dataRoot: ctx.dataRoot, config: ctx.config, hostname: ctx.hostname, logger })
    const s = mod.openStore({ dataRoot: ctx.dataRoot, config: ctx.config, bus: ctx.bus, logger, hostname: ctx.hostname, processName: 'imta', quotaResolver: quota.resolver })
    return { store: s, close: async () => { s.close(); await quota.close() } }
  } catch {
    return undefined
  }
}

export class JobControllerService implements Service {
  readonly name = 'job_controller'
  controller?: JobController
  private queue?: QueueStore
  private ownsQueue = false
  private closeStore?: () => Promise<void>
  private programs = new Map<string, MasterProgram>()

  constructor(private readonly opts: JobControllerOptions = {}) {}

  async start(ctx: ServiceContext): Promise<void> {
    const rt = await buildRuntime(ctx, this.opts)
    const q = openServiceQueue(ctx, rt.log, this.opts.queue, { checkpointEveryMs: 1000 })
    this.queue = q.queue
    this.ownsQueue = q.ownsQueue
    rt.log = q.log
    this.closeCounters = q.closeCounters
    let store = this.opts.store
    if (!store) {
      const opened = await openLocalStore(ctx)
      store = opened?.store
      this.closeStore = opened?.close
    }
    const logger = ctx.logger('job_controller')
    const queue = this.queue
    if (!store) logger.warning('Store', 'message store not available: ims-ms deliveries wait in the queue')
    const hostname = ctx.hostname
    const programFor = (ch: ChannelSettings): MasterProgram | undefined => {
      const cached = this.programs.get(ch.name)
      if (cached) return cached
      let p: MasterProgram | undefined
      switch (ch.kind) {
        case 'ims-ms': p = store ? imsMsProgram(store, rt.directory) : undefined; break
        case 'smtp': p = smtpOutProgram({ hostname, lmtp: false, log: rt.log, resolveMx: this.opts.resolveMx, config: ctx.config }); break
        case 'lmtp': p = smtpOutProgram({ hostname, lmtp: true, log: rt.log, resolveMx: this.opts.resolveMx, config: ctx.config }); break
        // vacation autoreplies (delivery_options `!autoreply`, spec 01 §16) are generated here
        case 'bitbucket': p = bitbucketProgramFor({
          hostname, queue, policy: rt.policy, directory: rt.directory, log: rt.log, config: ctx.config, dataRoot: ctx.dataRoot, bus: ctx.bus,
          onError: (e) => logger.error('General', `autoreply: ${e.message}`),
        }); break
        case 'hold': p = holdProgram; break
        // notifications and released held mail are expanded here (spec 01 §22 `process ims-ms E`)
        case 'process': p = processProgram({ queue, policy: rt.policy, directory: rt.directory, log: rt.log, bus: ctx.bus }); break
      }
      if (p) this.programs.set(ch.name, p)
      return p
    }
    const domain = ctx.config.find<string>('base.defaultdomain') ?? ctx.hostname
    this.controller = new JobController({
      hostname, queue: this.queue, policy: rt.policy, directory: rt.directory, log: rt.log,
      postmaster: String(ctx.config.find('mta.postmaster') ?? `postmaster@${domain}`),
      config: ctx.config, logger, bus: ctx.bus, programFor, pollMs: this.opts.pollMs, dayMs: this.opts.dayMs,
      processChannel: true,
    })
    await this.controller.start()
    // The dispatcher hands store-bound mail over here, before it is indexed (queue/handoff.ts, D28).
    const controller = this.controller
    const handoff = new HandoffServer(handoffSocketPath(ctx.dataRoot), {
      channels: () => controller.handoffChannels(),
      fresh: (entries, peer) => controller.acceptHandedOff(entries, peer),
      closed: (peer) => controller.dropHandedOff(peer),
    })
    if (await handoff.listen().catch((e: Error) => { logger.warning('General', `dispatcher hand-off not available: ${e.message}`); return false })) {
      this.handoff = handoff
      // `imsimta qm stop/start` changes a channel's state in the index: the dispatchers hear of it within a second
      let said = JSON.stringify(controller.handoffChannels())
      this.announceTimer = setInterval(() => {
        const now = JSON.stringify(controller.handoffChannels())
        if (now !== said) { said = now; handoff.announce() }
      }, 1000)
      this.announceTimer.unref()
    } else logger.notice('General', 'dispatcher hand-off not available: every message goes through the queue index')
    ctx.bus.onMessage('queue.control', (m) => {
      if (m.action === 'refresh') this.controller?.refresh()
      this.controller?.kick()
      this.handoff?.announce() // (a channel stopped or started, or a new configuration)
    })
    this.flush = () => rt.close()
  }

  private flush?: () => unknown

  private closeCounters?: () => void

  private handoff?: HandoffServer
  private announceTimer?: NodeJS.Timeout

  async stop(): Promise<void> {
    clearInterval(this.announceTimer)
    await this.handoff?.close()
    this.handoff = undefined
    await this.controller?.stop()
    await this.flush?.()
    this.closeCounters?.()
    if (this.ownsQueue) this.queue?.close()
    await this.closeStore?.()
  }

  /** `refresh job_controller`: channel settings, the hand-off's channel list, and mail.log's LOG_* options. */
  async refresh(): Promise<void> { reloadLogOptions(); this.controller?.refresh(); this.handoff?.announce() }

  async health(): Promise<ServiceHealth> {
    return { ok: Boolean(this.controller), detail: `${this.controller?.activeJobs().length ?? 0} active jobs` }
  }
}

export function createService(opts: JobControllerOptions = {}): Service {
  return new JobControllerService(opts)
}
