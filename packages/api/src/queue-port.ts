// The daemon's queue and mail.log as the admin API sees them (QueuePort, MailLogPort in types.ts).
// The queue is opened as `imsimta qm` opens it — its own connection to the WAL index next to the job
// controller's, operator claims (negative pids) so entries being delivered are skipped — and every
// action goes through the MTA's own queue/operations.ts; delete and return write their real K / R
// mail.log records (and return its DSN) through the MTA's transport log.
import { readMessagePrefix } from '@wren/mta/queue/message-ref'
import { hostname as osHostname } from 'node:os'
import { join } from 'node:path'
import type { ConfigView } from '@wren/kernel'
import type { Directory } from '@wren/directory'
import { QueueStore } from '@wren/mta/queue/queue-store'
import type { QueueFilter } from '@wren/mta/queue/filter'
import type { EntryRow } from '@wren/mta/queue/index-db'
import { queueFileName } from '@wren/mta/queue/names'
import { countEntries, keysInScope, matchingKeys, pageEntries, summarizeChannels, type QueuePageCursor } from '@wren/mta/queue/browse'
import { deleteMatching, holdMatching, releaseMatching, retryMatching, returnMatching, type BulkResult } from '@wren/mta/queue/operations'
import { releaseHoldChannel } from '@wren/mta/delivery/hold-release'
import { openTransportLog } from '@wren/mta/maillog-adapter'
import { defaultPolicy } from '@wren/mta/runtime'
import { directoryPort } from '@wren/mta/directory-adapter'
import { logFiles, searchLogs, type LogCursor } from '@wren/mta/maillog/search'
import { logOptionsFromConfig } from '@wren/mta/maillog/options'
import { ACTION_CODES, CONNECTION_CODES } from '@wren/mta/maillog/record'
import type { ParsedLogLine } from '@wren/mta/maillog/parse'
import type { LogRecordRow, MailLogPort, QueueAction, QueueBulkResult, QueueEntryDetail, QueueEntryRow, QueueFilterInput, QueuePort } from './types.js'

export interface QueuePortOptions {
  dataRoot: string
  /** The daemon's effective configuration (channel subdirs, LOG_* options, base.hostname). */
  config: () => ConfigView
  /** Resolves local senders of returned messages (DSN routing), as imsimta does. */
  directory?: Directory
  hostname?: string
}

/**
 * Channel totals visit every row (≈1.5–3.5 s at 1,000,000 entries, on the daemon's event loop): an
 * answer is reused for 3 s, or ten times as long as it took to compute, so that consoles refreshing
 * it keep the daemon busy at most ~10 % of the time however big the queue grows.
 */
const SUMMARY_TTL_MS = 3000
/** `total` of a list page counts at most this far; `queue.count` gives the exact figure. */
const TOTAL_CAP = 10_000
/** Keys per chunk when a scoped selection is acted on. */
const ACT_CHUNK = 500

const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : null)

function toFilter(f: QueueFilterInput): QueueFilter {
  const out: QueueFilter = {}
  if (f.channel) out.channel = f.channel
  if (f.sender !== undefined && f.sender !== '') out.sender = f.sender === '<>' ? '' : f.sender
  if (f.recipient) out.recipient = f.recipient
  if (f.domain) out.domain = f.domain
  if (f.olderThan !== undefined) out.olderThan = f.olderThan
  if (f.newerThan !== undefined) out.newerThan = f.newerThan
  if (f.minAttempts !== undefined) out.minAttempts = f.minAttempts
  if (f.maxAttempts !== undefined) out.maxAttempts = f.maxAttempts
  if (f.error) out.error = f.error
  if (f.held !== undefined) out.held = f.held
  return out
}

function encode(v: unknown): string { return Buffer.from(JSON.stringify(v)).toString('base64url') }
function decode<T>(s: string): T | undefined {
  try { return JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as T } catch { return undefined }
}

/** Reads the header block of a queued message (at most 64 KB, never the body). */
async function readHeaders(path: string, size: number): Promise<Array<{ name: string; value: string }>> {
  const text = (await readMessagePrefix(path, Math.min(size, 65536))).toString('utf8')
  const end = text.search(/\r?\n\r?\n/)
  const head = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ')
  const wanted = ['subject', 'from', 'to', 'cc', 'date', 'message-id']
  const out: Array<{ name: string; value: string }> = []
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(':')
    if (i <= 0) continue
    const name = line.slice(0, i).trim()
    if (wanted.includes(name.toLowerCase())) out.push({ name, value: line.slice(i + 1).trim().slice(0, 998) })
  }
  return out
}

export function openQueuePort(opts: QueuePortOptions): QueuePort {
  let store: QueueStore | undefined
  // Opened on first use: the MTA creates the index; an API request must not race its creation at daemon start.
  const q = () => (store ??= new QueueStore({ dataRoot: opts.dataRoot, subdirs: (ch) => Number(opts.config().find(`channel:${ch}.subdirs`) ?? 0) }))
  const summaryCache = new Map<string, { at: number; ttl: number; value: ReturnType<QueuePort['summary']> }>()

  const rowOf = (r: EntryRow, rcpts: string[]): QueueEntryRow => ({
    key: r.key,
    file: queueFileName(r.key, r.attempts, Boolean(r.held)),
    channel: r.channel,
    sender: r.sender,
    recipients: rcpts,
    recipientCount: r.rcpt_count,
    size: r.size,
    created: new Date(r.created).toISOString(),
    attempts: r.attempts,
    nextAttempt: r.attempts > 0 && !r.held ? iso(r.next_at) : null,
    lastError: r.last_error,
    held: Boolean(r.held),
    active: r.active !== 0,
  })

  /** Operations over one QueueFilter (all of it in scope, or chunks of in-scope keys). */
  async function run(action: QueueAction, filter: QueueFilter): Promise<BulkResult> {
    const queue = q()
    const config = opts.config()
    if (action === 'hold') return holdMatching(queue, filter)
    if (action === 'retry') return retryMatching(queue, filter)
    const log = openTransportLog(opts.dataRoot, config)
    try {
      // The hold channel's messages are re-expanded through `process` (delivery/hold-release.ts), as `qm release -channel=hold`.
      if (action === 'release' && filter.channel === 'hold') return { ...(await releaseHoldChannel(queue, filter, log)), skipped: 0 }
      if (action === 'release') return await releaseMatching(queue, filter)
      if (action === 'delete') return await deleteMatching(queue, filter, log)
      const host = opts.hostname ?? String(config.find('base.hostname') ?? osHostname())
      const domain = String(config.find('base.defaultdomain') ?? host)
      return await returnMatching(queue, filter, log, {
        hostname: host, queue, policy: defaultPolicy({ config, hostname: host }),
        directory: opts.directory ? directoryPort(opts.directory) : (await import('@wren/mta/ports')).staticDirectory({}),
        log, postmaster: `postmaster@${domain}`,
      })
    } finally {
      await log.close?.()
    }
  }

  return {
    summary(scope) {
      const k = JSON.stringify(scope)
      const hit = summaryCache.get(k)
      if (hit && Date.now() - hit.at < hit.ttl) return hit.value
      const t0 = Date.now()
      const queue = q()
      const stopped = new Set(queue.index.stoppedChannels())
      const value = summarizeChannels(queue.index, scope).map((t) => ({
        channel: t.channel, stopped: stopped.has(t.channel), messages: t.messages, bytes: t.bytes, oldest: iso(t.oldest),
        held: t.held, heldBytes: t.heldBytes, oldestHeld: iso(t.oldestHeld), active: t.active, delayed: t.delayed,
      }))
      const took = Date.now() - t0
      if (summaryCache.size > 100) summaryCache.clear() // one entry per distinct scope
      summaryCache.set(k, { at: Date.now(), ttl: Math.max(SUMMARY_TTL_MS, took * 10), value })
      return value
    },

    list(filter, scope, page) {
      const queue = q()
      const f = toFilter(filter)
      const cursor = page.cursor ? decode<QueuePageCursor>(page.cursor) : undefined
      if (page.cursor && (!cursor || typeof cursor.created !== 'number' || typeof cursor.key !== 'string')) throw new Error('invalid cursor')
      const rows = pageEntries(queue.index, f, scope, { order: page.order, limit: page.limit + 1, ...(cursor ? { cursor } : {}) })
      const pageRows = rows.slice(0, page.limit)
      const rcpt = queue.index.db.prepare('SELECT address FROM rcpt WHERE key = ? ORDER BY idx LIMIT 3')
      const items = pageRows.map((r) => rowOf(r, (rcpt.all(r.key) as Array<{ address: string }>).map((x) => x.address)))
      const total = cursor ? -1 : countEntries(queue.index, f, scope, { cap: TOTAL_CAP })
      const last = pageRows[pageRows.length - 1]
      return {
        items,
        ...(rows.length > page.limit && last ? { nextCursor: encode({ created: last.created, key: last.key }) } : {}),
        total,
        totalCapped: total >= TOTAL_CAP,
      }
    },

    count(filter, scope) {
      return countEntries(q().index, toFilter(filter), scope)
    },

    async get(key, scope) {
      const queue = q()
      if (!keysInScope(queue.index, [key], scope).has(key)) return undefined
      const r = queue.index.get(key)
      if (!r) return undefined
      const env = await queue.envelope(r).catch(() => undefined)
      const done = queue.index.doneSet(key)
      const recipients = env?.recipients ?? []
      const headers = env ? await readHeaders(queue.pathOf(r), env.size).catch(() => []) : []
      const detail: QueueEntryDetail = {
        ...rowOf(r, recipients.slice(0, 3).map((x) => x.to)),
        messageId: env?.messageId ?? null,
        sourceChannel: env?.sourceChannel ?? '',
        envid: env?.envid ?? null,
        ret: env?.ret ?? null,
        authenticatedAs: env?.username ?? null,
        peer: env?.peer ?? null,
        recipientDetails: recipients.map((x, i) => ({ address: x.to, originalAddress: x.origTo, orcpt: x.orcpt ?? null, notify: x.notify ?? null, done: done.has(i) })),
        headers,
      }
      return detail
    },

    inScope(keys, scope) {
      return keysInScope(q().index, keys, scope)
    },

    async act(action, sel, scope) {
      const queue = q()
      summaryCache.clear()
      const total: QueueBulkResult = { matched: 0, changed: 0, skipped: 0 }
      const add = (r: BulkResult) => { total.matched += r.matched; total.changed += r.changed; total.skipped += r.skipped }
      const base = toFilter(sel.filter ?? {})
      if (sel.keys) {
        for (let i = 0; i < sel.keys.length; i += ACT_CHUNK) add(await run(action, { ...base, keys: sel.keys.slice(i, i + ACT_CHUNK) }))
        return total
      }
      if (scope === null) { add(await run(action, base)); return total }
      // A delegated administrator's filter is ANDed with the scope: act on chunks of in-scope keys.
      let after = ''
      for (;;) {
        const keys = matchingKeys(queue.index, base, scope, after, ACT_CHUNK)
        if (!keys.length) break
        after = keys[keys.length - 1]!
        add(await run(action, { ...base, keys }))
      }
      return total
    },

    close() { store?.close(); store = undefined },
  }
}

const labelOf = (r: ParsedLogLine): string =>
  r.kind === 'connection' ? CONNECTION_CODES[r.action] ?? r.action : r.kind === 'message' ? ACTION_CODES[r.action] ?? r.action : ''

function logRow(r: ParsedLogLine, id: string): LogRecordRow | undefined {
  if (r.kind === 'header') return undefined
  if (r.kind === 'connection') {
    return {
      id, time: r.time.toISOString(), kind: 'connection', action: r.action, modifiers: '', label: labelOf(r),
      source: r.channel, destination: r.direction === '+' ? 'in' : 'out', from: '', originalTo: '', to: '', size: null,
      messageId: r.messageId ?? null, diagnostic: [r.transport, r.application, r.diagnostic].filter(Boolean).join(' '), raw: r.raw,
    }
  }
  return {
    id, time: r.time.toISOString(), kind: 'message', action: r.action, modifiers: r.modifiers ?? '', label: labelOf(r),
    source: r.source, destination: r.destination ?? '', from: r.from, originalTo: r.originalTo, to: r.to, size: r.blocks,
    messageId: r.messageId ?? null, diagnostic: [r.sourceSystem, r.transport ? `(${r.transport})` : '', r.diagnostic].filter(Boolean).join(' '), raw: r.raw,
  }
}

export function openMailLogPort(opts: { dataRoot: string; config: () => ConfigView }): MailLogPort {
  const logDir = join(opts.dataRoot, 'log')
  return {
    separateConnectionLog: () => logOptionsFromConfig(opts.config()).separateConnectionLog,
    async search(query, scope, page) {
      const options = logOptionsFromConfig(opts.config())
      const files = logFiles(logDir, page.file === 'connection' ? 'connection.log' : 'mail.log')
      const cursor = page.cursor ? decode<LogCursor>(page.cursor) : undefined
      if (page.cursor && (!cursor || typeof cursor.ino !== 'number' || typeof cursor.offset !== 'number')) throw new Error('invalid cursor')
      const res = await searchLogs(files, { ...query, scope }, { limit: page.limit, maxBytes: page.maxBytes, options, ...(cursor ? { cursor } : {}) })
      const items: LogRecordRow[] = []
      res.items.forEach((r, i) => { const row = logRow(r, `${cursor?.ino ?? 0}:${cursor?.offset ?? 0}:${i}`); if (row) items.push(row) })
      return { items, ...(res.cursor ? { nextCursor: encode(res.cursor) } : {}), scanned: res.scanned, budgetExhausted: res.budgetExhausted }
    },
  }
}
