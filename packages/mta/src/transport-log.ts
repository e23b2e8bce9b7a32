// mail.log_current / connection records in the product's line format (spec 01 §22), LOG_FORMAT 1.
// This is the transport's fallback writer; when H6's MailLog (maillog/writer.ts) is wired, the
// runtime passes an adapter instead (see policy-adapter.ts). Lines are buffered and appended
// on the next tick (one write per burst), never blocking a session.
import { appendFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { TransportLog, TransportLogConnection, TransportLogMessage } from './ports.js'

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const p2 = (n: number) => String(n).padStart(2, '0')

/** `16-Feb-2007 14:54:13.72` (local time, hundredths). */
export function logTime(d = new Date()): string {
  return `${p2(d.getDate())}-${MONTHS[d.getMonth()]}-${d.getFullYear()} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${p2(Math.floor(d.getMilliseconds() / 10))}`
}

/** Size in blocks (BLOCK_SIZE 1024): `ceil`, as the manual's 1-block example for a small message. */
export const blocks = (bytes: number) => Math.ceil(bytes / 1024)

export function formatMessageLine(r: TransportLogMessage, d = new Date()): string {
  const parts = [logTime(d), r.source]
  if (r.destination) parts.push(r.destination)
  parts.push(r.action + (r.modifiers ?? ''), String(blocks(r.size)), r.from, r.origTo ?? '', r.to ?? '')
  let line = parts.join(' ')
  if (r.messageId) line += ` ${r.messageId}`
  if (r.transport) line += ` ${r.transport}`
  if (r.status) line += ` ${r.status}`
  return line
}

export function formatConnectionLine(r: TransportLogConnection, d = new Date()): string {
  let line = `${logTime(d)} ${r.channel} ${r.direction} ${r.action} ${r.transport} ${r.application}`
  if (r.username) line += ` ${r.username}`
  if (r.diagnostic) line += ` ${r.diagnostic}`
  return line
}

export function fileTransportLog(dataRoot: string, opts: { connections?: boolean } = {}): TransportLog & { lines: string[] } {
  const dir = join(dataRoot, 'log')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, 'mail.log_current')
  let buf: string[] = []
  let scheduled = false
  const flush = () => {
    scheduled = false
    if (!buf.length) return
    const text = buf.join('\n') + '\n'
    buf = []
    try { appendFileSync(file, text) } catch { /* logging never breaks mail flow */ }
  }
  const push = (line: string) => {
    buf.push(line)
    if (!scheduled) { scheduled = true; setImmediate(flush) }
  }
  return {
    lines: [],
    message(r) { push(formatMessageLine(r)) },
    connection(r) { if (opts.connections !== false) push(formatConnectionLine(r)) },
    flush,
    sync: flush,
    close: flush,
  }
}
