// The watcher log `DataRoot/log/watcher` (spec 01 §3): "not managed by the logging system (no
// rollover or purging) and records all server starts and stops", in the product's words, e.g.
//   watcher process 13425 started at Mon Jun 4 11:23:54 2012
//   Watched 'imapd' process 13428 exited abnormally
//   Received request to restart:  store imap pop http
// Lines are appended synchronously: they are rare and must survive the daemon's own crash.
import { appendFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'

export interface WatcherLog {
  readonly path: string
  write(line: string): void
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** ctime-style date as in the product's sample: `Mon Jun 4 11:23:54 2012`. */
export function formatWatcherDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${d.getDate()} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${d.getFullYear()}`
}

export function openWatcherLog(dataRoot: string): WatcherLog {
  const dir = join(dataRoot, 'log')
  const path = join(dir, 'watcher')
  mkdirSync(dir, { recursive: true })
  return {
    path,
    write(line) {
      try {
        appendFileSync(path, line.replace(/\r?\n/g, ' ') + '\n', { mode: 0o640 })
      } catch {
        // the watcher keeps supervising even when its log cannot be written
      }
    },
  }
}
