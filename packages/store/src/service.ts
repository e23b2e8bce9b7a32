// The `store` service: the product's stored (spec 03 §13). Opens the store, removes temp files left by
// dead processes (crashed deliveries that were never acknowledged), runs the expunged-file cleanup
// (`store.cleanupage`, spec 03 §7) periodically, writes `run/store` (`<pid>\nready`) and answers health.
import fs from 'node:fs'
import path from 'node:path'
import type { Service, ServiceContext, ServiceHealth } from '@wren/kernel'
import type { MailStore, QuotaResolver } from './types.js'
import { openStore, type StoreImpl } from './store.js'
import { directoryQuotaResolver } from './directory-quota.js'

export interface StoreServiceOptions {
  quotaResolver?: QuotaResolver
  /** Cleanup period in ms (default 10 minutes). */
  cleanupIntervalMs?: number
}

function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM' }
}

/** Remove `<partition>/tmp/<pid>.*.tmp` files whose writer process is gone. */
export function removeStaleTemps(store: StoreImpl): number {
  let n = 0
  for (const p of store.layout.partitions.values()) {
    const dir = path.join(p, 'tmp')
    let names: string[] = []
    try { names = fs.readdirSync(dir) } catch { continue }
    for (const f of names) {
      const pid = Number(f.split('.', 1)[0])
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid)) continue
      if (pid === process.pid) continue
      fs.rmSync(path.join(dir, f), { force: true })
      n++
    }
  }
  return n
}

export class StoreService implements Service {
  readonly name = 'store'
  private store: (MailStore & StoreImpl) | null = null
  private timer: NodeJS.Timeout | null = null
  private pidFile: string | null = null
  private closeDirectory?: () => Promise<void>

  constructor(private readonly opts: StoreServiceOptions = {}) {}

  /** The open store, for in-process consumers (`ctx.lookup('store')`). */
  get api(): MailStore | undefined { return this.store ?? undefined }

  async start(ctx: ServiceContext): Promise<void> {
    const logger = ctx.logger('default')
    // spec 03 §4: the limits are the directory's mailQuota / mailMsgQuota, else the configured defaults.
    let quotaResolver = this.opts.quotaResolver ?? ctx.lookup<QuotaResolver>('quotaResolver')
    if (!quotaResolver) {
      const d = directoryQuotaResolver({ dataRoot: ctx.dataRoot, config: ctx.config, hostname: ctx.hostname, logger })
      quotaResolver = d.resolver
      this.closeDirectory = () => d.close()
    }
    this.store = openStore({
      dataRoot: ctx.dataRoot, config: ctx.config, bus: ctx.bus, logger, hostname: ctx.hostname, processName: 'stored', quotaResolver,
    })
    const stale = removeStaleTemps(this.store)
    if (stale) logger.notice('Store', `stored: removed ${stale} temporary files of interrupted deliveries`)
    const every = this.opts.cleanupIntervalMs ?? 600_000
    this.timer = setInterval(() => {
      this.store?.cleanup().then((n) => { if (n) logger.info('Store', `stored: cleanup removed ${n} expunged message files`) },
        (e) => logger.error('Store', `stored: cleanup failed: ${(e as Error).message}`))
    }, every)
    this.timer.unref()
    const run = path.join(ctx.dataRoot, 'run')
    fs.mkdirSync(run, { recursive: true })
    this.pidFile = path.join(run, 'store')
    fs.writeFileSync(this.pidFile, `${process.pid}\nready\n`)
    logger.notice('General', 'stored: ready')
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    this.store?.close()
    this.store = null
    await this.closeDirectory?.()
    this.closeDirectory = undefined
    if (this.pidFile) fs.rmSync(this.pidFile, { force: true })
  }

  async health(): Promise<ServiceHealth> {
    if (!this.store) return { ok: false, detail: 'store not open' }
    try {
      this.store.mboxlist.db.prepare('SELECT COUNT(*) FROM users').get()
      return { ok: true, detail: `${this.store.listUsers().length} users` }
    } catch (e) {
      return { ok: false, detail: (e as Error).message }
    }
  }
}

export function createService(opts: StoreServiceOptions = {}): Service & { readonly api: MailStore | undefined } {
  return new StoreService(opts)
}
