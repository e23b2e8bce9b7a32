// Nightly rollover as the return job does it (spec 01 §22; Admin Guide ch. 17): append any
// mail.log_yesterday to the cumulative mail.log, rename mail.log_current to mail.log_yesterday
// (a new mail.log_current is started by the next write), the same for connection.log*, then run
// DataRoot/site-programs/bin/daily_cleanup if it exists.
import { execFile } from 'node:child_process'
import { constants, createReadStream, createWriteStream } from 'node:fs'
import { access, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { reopenMailLogs } from './writer.js'

async function exists(p: string): Promise<boolean> {
  try { await stat(p); return true } catch { return false }
}

async function appendFileTo(src: string, dst: string): Promise<void> {
  await pipeline(createReadStream(src), createWriteStream(dst, { flags: 'a' }))
}

/** Roll `<logDir>/mail.log*` and `connection.log*`. Returns the files that were rolled. */
export async function rolloverMailLogs(logDir: string, opts: { dataRoot?: string } = {}): Promise<string[]> {
  const rolled: string[] = []
  for (const base of ['mail.log', 'connection.log']) {
    const cur = join(logDir, `${base}_current`)
    const yest = join(logDir, `${base}_yesterday`)
    if (await exists(yest)) {
      await appendFileTo(yest, join(logDir, base))
      await rm(yest)
    }
    if (await exists(cur)) {
      await rename(cur, yest)
      rolled.push(base)
    }
  }
  // this process's writers start the new files now; other processes' within a second (writer.ts)
  reopenMailLogs()
  if (opts.dataRoot) {
    const script = join(opts.dataRoot, 'site-programs', 'bin', 'daily_cleanup')
    try {
      await access(script, constants.X_OK)
      await new Promise<void>((resolve) => execFile(script, { cwd: opts.dataRoot }, () => resolve()))
    } catch { /* no site cleanup script */ }
  }
  return rolled
}

/** Milliseconds from `now` to the next local midnight. */
export function msUntilMidnight(now: Date = new Date()): number {
  const next = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 0, 0, 0, 0)
  return next.getTime() - now.getTime()
}

/** Roll the logs every night at local midnight; returns a stop function. */
export function startDailyRollover(logDir: string, opts: { dataRoot?: string; onError?: (e: unknown) => void } = {}): () => void {
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  const arm = () => {
    if (stopped) return
    timer = setTimeout(() => {
      rolloverMailLogs(logDir, opts).catch((e) => opts.onError?.(e)).finally(arm)
    }, msUntilMidnight() + 50)
    timer.unref()
  }
  arm()
  return () => { stopped = true; if (timer) clearTimeout(timer) }
}
