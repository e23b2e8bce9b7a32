// Newest-first search of mail.log_current, mail.log_yesterday and the cumulative mail.log (spec 01
// §22; rollover.ts names them) for the admin console's log viewer. The files are read BACKWARDS in
// 64 KB blocks from a byte offset, each call scanning at most `maxBytes`, and parsed line by line
// with the product parser (parse.ts); the answer carries a cursor (file identity + offset) to
// continue, so a multi-gigabyte log never stalls the daemon and no line is read twice.
import { open, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { LogOptions } from './options.js'
import { parseLogLine, type ParsedLogLine } from './parse.js'

/** Newest first: the live file, yesterday's, the cumulative one. */
export function logFiles(logDir: string, base: 'mail.log' | 'connection.log' = 'mail.log'): string[] {
  return [`${base}_current`, `${base}_yesterday`, base].map((n) => join(logDir, n))
}

export interface LogQuery {
  /** Records at or after / at or before these times (ms since epoch). */
  since?: number
  until?: number
  /** Action codes (`E`, `D`, `Q`…; connection codes `O`, `C`…); empty = all. */
  actions?: string[]
  /** Source or destination channel (exact). */
  channel?: string
  /** Case-insensitive substring of the envelope from, original to or to address. */
  address?: string
  /** Substring of the Message-ID (with or without brackets). */
  messageId?: string
  /** Only message records, only connection records, or both (default). */
  kind?: 'message' | 'connection'
  /** Only message records whose from or to address is in one of these domains (`null` = any record). */
  scope?: string[] | null
}

/** Where to continue: the file by inode (a nightly rollover renames it) and the byte offset to read back from. */
export interface LogCursor { ino: number; offset: number }

export interface LogPage {
  items: ParsedLogLine[]
  /** Continue here; absent when every file was read to its start. */
  cursor?: LogCursor
  /** Bytes read by this call. */
  scanned: number
  /** The page is short because the byte budget ran out (not because the logs ended). */
  budgetExhausted: boolean
}

const BLOCK = 64 * 1024
/** Records can be up to this much out of time order (several processes append buffered lines). */
const SKEW_MS = 60_000

const domainOf = (a: string) => { const i = a.lastIndexOf('@'); return i < 0 ? '' : a.slice(i + 1).replace(/>$/, '').toLowerCase() }

export function matchesLogQuery(r: ParsedLogLine, q: LogQuery): boolean {
  if (r.kind === 'header') return false
  if (q.kind && r.kind !== q.kind) return false
  const t = r.time.getTime()
  if (q.since !== undefined && t < q.since) return false
  if (q.until !== undefined && t > q.until) return false
  if (q.actions?.length && !q.actions.includes(r.action)) return false
  if (r.kind === 'connection') {
    if (q.scope) return false // connection records carry no address: global administrators and auditors only
    if (q.channel && r.channel !== q.channel) return false
    if (q.address || q.messageId) return false
    return true
  }
  if (q.channel && r.source !== q.channel && r.destination !== q.channel) return false
  if (q.address) {
    const a = q.address.toLowerCase()
    if (!r.from.toLowerCase().includes(a) && !r.to.toLowerCase().includes(a) && !r.originalTo.toLowerCase().includes(a)) return false
  }
  if (q.messageId) {
    const m = q.messageId.replace(/^<|>$/g, '')
    if (!r.messageId?.includes(m)) return false
  }
  if (q.scope) {
    const orig = r.originalTo.replace(/^[a-z0-9-]+;/i, '')
    if (![r.from, r.to, orig].some((a) => a && q.scope!.includes(domainOf(a)))) return false
  }
  return true
}

/**
 * One page of matching records, newest first. `files` are searched in order (newest file first);
 * a cursor from an earlier page resumes inside the file with its inode even after a rollover renamed it.
 */
export async function searchLogs(files: string[], query: LogQuery, opts: { limit: number; maxBytes: number; cursor?: LogCursor; options?: Partial<LogOptions> }): Promise<LogPage> {
  const items: ParsedLogLine[] = []
  let scanned = 0
  // The existing files with their identity, newest first.
  const present: Array<{ path: string; ino: number; size: number }> = []
  for (const path of files) {
    try { const st = await stat(path); present.push({ path, ino: st.ino, size: st.size }) } catch { /* absent */ }
  }
  let start = 0
  let offset: number | undefined
  if (opts.cursor) {
    const i = present.findIndex((f) => f.ino === opts.cursor!.ino)
    // The file is gone (appended to mail.log and removed by the rollover): nothing older is left to show.
    if (i < 0) return { items, scanned, budgetExhausted: false }
    start = i
    offset = Math.min(opts.cursor.offset, present[i]!.size)
  }
  for (let fi = start; fi < present.length; fi++) {
    const f = present[fi]!
    let pos = fi === start && offset !== undefined ? offset : f.size
    const fh = await open(f.path, 'r')
    try {
      let carry = Buffer.alloc(0) // bytes of a line cut by the block boundary (the line's end part)
      while (pos > 0) {
        if (scanned >= opts.maxBytes) return { items, cursor: { ino: f.ino, offset: pos + carry.length }, scanned, budgetExhausted: true }
        const len = Math.min(BLOCK, pos)
        const buf = Buffer.alloc(len + carry.length)
        await fh.read(buf, 0, len, pos - len)
        carry.copy(buf, len)
        pos -= len
        scanned += len
        // Whole lines in this block, newest last; the first piece may be cut unless we reached the file start.
        let end = buf.length
        for (let nl = buf.lastIndexOf(10, end - 1); ; nl = buf.lastIndexOf(10, end - 1)) {
          if (nl < 0 && pos > 0) break
          const lineStart = nl < 0 ? 0 : nl + 1
          if (end > lineStart) {
            const rec = parseLogLine(buf.toString('utf8', lineStart, end), opts.options ?? {})
            if (rec && matchesLogQuery(rec, query)) {
              items.push(rec)
              if (items.length >= opts.limit) return { items, cursor: { ino: f.ino, offset: pos + lineStart }, scanned, budgetExhausted: false }
            }
            // Older than `since` (allowing for skew between writers): nothing further back can match.
            if (rec && query.since !== undefined && rec.time.getTime() < query.since - SKEW_MS) return { items, scanned, budgetExhausted: false }
          }
          if (nl < 0) { end = 0; break }
          end = nl
        }
        carry = buf.subarray(0, end)
      }
    } finally {
      await fh.close()
    }
  }
  return { items, scanned, budgetExhausted: false }
}
