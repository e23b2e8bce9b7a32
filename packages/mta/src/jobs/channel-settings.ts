// The channel keywords the job controller and the delivery programs use (spec 01 §9, §11):
// maxjobs, filesperjob, pool, backoff, notices, port, daemon, mx/nomx, logging, copysendpost/copywarnpost/
// postheadonly — read from `channel:<name>.<keyword>` with `channel:defaults.<keyword>` behind it
// (the product's `defaults` channel block). H6's ChannelSet is the richer parser of the same options.
import type { ConfigView } from '@wren/kernel'

export interface ChannelSettings {
  name: string
  /** Master program type. */
  kind: 'ims-ms' | 'smtp' | 'lmtp' | 'bitbucket' | 'hold' | 'process' | 'none'
  maxjobs: number
  /**
   * Queue entries per service job before another job is started (Admin Guide 12.5.5 "Service Job
   * Limits"); 0 (the default) = one job at a time. SMTP/LMTP channels ignore it (see jobsWanted).
   */
  filesPerJob: number
  pool: string
  /** Retry delays in ms after the 1st, 2nd … failed attempt (last one repeats). */
  backoff: number[]
  /** Days: delay warnings at each but the last; return at the last (`notices 1 2 4 7`). */
  notices: number[]
  port: number
  /** Smart host (`daemon host`), for SMTP/LMTP channels. */
  daemon?: string
  mx: boolean
  copySendPost: boolean
  copyWarnPost: boolean
  postHeadOnly: boolean
  /** Messages per job run (ims-ms batches deliveries into one store group commit). */
  batch: number
}

/** ISO-8601 duration (`PT30M`, `P1DT2H`) in ms; plain numbers are seconds. */
export function isoDurationMs(s: string): number {
  if (/^\d+$/.test(s)) return Number(s) * 1000
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(s.replace(/"/g, ''))
  if (!m) return 3_600_000
  return (((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60 + Number(m[4] ?? 0)) * 1000
}

function words(v: unknown): string[] {
  if (v === undefined || v === null) return []
  if (Array.isArray(v)) return v.flatMap((x) => String(x).split(/\s+/)).filter(Boolean)
  return String(v).split(/[\s,]+/).filter(Boolean)
}

const KIND: Record<string, ChannelSettings['kind']> = {
  'ims-ms': 'ims-ms', bitbucket: 'bitbucket', hold: 'hold', process: 'process', tcp_lmtpcs: 'lmtp',
  tcp_local: 'smtp', tcp_intranet: 'smtp', tcp_auth: 'smtp', tcp_submit: 'smtp',
}

export function channelSettings(config: ConfigView, name: string): ChannelSettings {
  const opt = (kw: string) => config.find(`channel:${name}.${kw}`) ?? config.find(`channel:defaults.${kw}`)
  const flag = (kw: string) => { const v = opt(kw); return v !== undefined && v !== false && v !== 0 && v !== '0' }
  let kind = KIND[name] ?? (name.startsWith('tcp_') ? 'smtp' : 'none')
  if (config.find(`channel:${name}.lmtp`) !== undefined) kind = 'lmtp'
  else if (config.find(`channel:${name}.smtp`) !== undefined && kind === 'none') kind = 'smtp'
  const backoff = words(opt('backoff')).map(isoDurationMs)
  const notices = words(opt('notices')).map(Number).filter((n) => n > 0)
  const nomx = config.find(`channel:${name}.nomx`) !== undefined
  return {
    name, kind,
    maxjobs: Number(opt('maxjobs') ?? (kind === 'smtp' ? 7 : 2)),
    filesPerJob: Number(opt('filesperjob') ?? 0) || 0,
    pool: String(opt('pool') ?? (kind === 'smtp' || kind === 'lmtp' ? 'SMTP_POOL' : 'DEFAULT')),
    backoff: backoff.length ? backoff : [3_600_000], // "will not re-attempt delivery for an hour"
    notices: notices.length ? notices : [1, 2, 4, 7], // `defaults notices 1 2 4 7`
    port: Number(opt('port') ?? (kind === 'lmtp' ? 225 : 25)),
    daemon: (opt('daemon') as string | undefined) || undefined,
    mx: !nomx && kind === 'smtp',
    copySendPost: flag('copysendpost'),
    copyWarnPost: flag('copywarnpost'),
    postHeadOnly: flag('postheadonly'),
    batch: Number(config.find(`channel:${name}.batch`) ?? (kind === 'ims-ms' ? 64 : 16)),
  }
}

/**
 * Whether a channel with `running` jobs should start another one for a backlog of `backlog` entries
 * (at most `limit + 1` counted). The product's job controller (Admin Guide 12.5.5) starts one service
 * job per channel, more only when `filesperjob` is set: one per `filesperjob` entries, up to
 * `maxjobs` and the pool's `job_limit`. SMTP and LMTP channels start new jobs as mail for different
 * hosts is enqueued, up to `maxjobs` (their "new threads or processes"), so they always may.
 */
export function wantsAnotherJob(s: ChannelSettings, running: number, backlog: (limit: number) => number): boolean {
  if (running === 0 || s.kind === 'smtp' || s.kind === 'lmtp') return true
  if (s.filesPerJob <= 0) return false
  const limit = s.filesPerJob * running
  return backlog(limit) > limit
}

export function poolLimit(config: ConfigView, pool: string): number {
  return Number(config.find(`job_controller.job_pool:${pool}.job_limit`) ?? 10)
}

export function backoffDelay(s: ChannelSettings, attemptsDone: number): number {
  return s.backoff[Math.min(attemptsDone - 1, s.backoff.length - 1)] ?? 3_600_000
}
