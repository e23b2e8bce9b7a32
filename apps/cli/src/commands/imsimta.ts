// imsimta: the MTA's administration tool (spec 02 §2–3, spec 03 §22): `qm` (summarize, directory,
// hold, release, delete, return, retry, start/stop, jobs, counters), `counters`, `cache -sync`,
// `test -rewrite` / `test -mapping` / `test -match`, `version`, `cnbuild` (checks the configuration
// the MTA reads live), `restart` (the dispatcher and job controller). Works on the running daemon's queue files and
// index; stop/start and operator actions reach the job controller through the shared index
// (it re-reads channel state and claims on every scan).
import { hostname as osHostname } from 'node:os'
import { openConfig } from '@wren/config'
import { openDirectory } from '@wren/directory'
import { QueueStore } from '@wren/mta/queue/queue-store'
import type { QueueFilter } from '@wren/mta/queue/filter'
import type { EntryRow } from '@wren/mta/queue/index-db'
import { releaseHoldChannel } from '@wren/mta/delivery/hold-release'
import { clearCounters, createSection, deleteSection, readCounters, sectionExists, toolCountingLog, DELIVERED_FIRST, IN_ASSOCS, OUT_ASSOCS, type CounterRow } from '@wren/mta/queue/counters'
import { deleteMatching, holdMatching, releaseMatching, retryMatching, returnMatching, type BulkResult } from '@wren/mta/queue/operations'
import { openTransportLog } from '@wren/mta/maillog-adapter'
import { defaultPolicy } from '@wren/mta/runtime'
import { directoryPort } from '@wren/mta/directory-adapter'
import { staticDirectory } from '@wren/mta/ports'
import { parseQueueName, queueFileName } from '@wren/mta/queue/names'
import { callControl, findDaemon } from '@wren/server/admin/client'
import type { CliIO } from '../io.js'
import { dataRootOf } from '../store-tools/context.js'
import { checkMtaConfiguration } from '../mta-tools/cnbuild.js'
import { run as wrenVersion } from './wren-version.js'

const USAGE = `usage: imsimta qm [command [qualifiers]]
       imsimta counters -show | -clear | -create | -delete
       imsimta cache -sync
       imsimta test -rewrite [-debug] address | test -mapping ... | test -match [-pattern=P] [target...]
       imsimta version | cnbuild | restart
qm commands: summarize [-directory_tree|-database] [-held], directory [channel] [filters],
  hold|release|delete|return|retry [filters] [-all] [id...], start|stop channel, jobs [channel],
  counters show|clear, exit
filters: -channel=name -from=addr -to=addr -domain=dom -older_than=secs -newer_than=secs
  -min_attempts=n -error=text -held
`

const MB = (b: number) => (b / 1048576).toFixed(2)
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const p2 = (n: number) => String(n).padStart(2, '0')
/** `23 Apr, 21:35:16` (spec 02 §3). */
const qmDate = (ms: number | null) => { if (!ms) return ''; const d = new Date(ms); return `${d.getDate()} ${MONTHS[d.getMonth()]}, ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}` }
const pad = (s: string | number, n: number) => String(s).padStart(n)
const padr = (s: string, n: number) => s.padEnd(n)

interface Parsed { flags: Map<string, string | true>; args: string[] }
function parseQualifiers(argv: string[]): Parsed {
  const flags = new Map<string, string | true>()
  const args: string[] = []
  for (const a of argv) {
    const m = /^-([a-z_]+)(?:=(.*))?$/i.exec(a)
    if (m) flags.set(m[1].toLowerCase(), m[2] ?? true)
    else args.push(a)
  }
  return { flags, args }
}

/** Queue ids as shown by `dir` (file names, keys or message ids). */
function normalizeId(id: string): string {
  const base = id.replace(/^.*\//, '').replace(/\.HELD$/, '')
  return parseQueueName(base)?.key ?? base
}

function filterFrom(p: Parsed, channelArg?: string): QueueFilter {
  const f: QueueFilter = {}
  const s = (k: string) => { const v = p.flags.get(k); return typeof v === 'string' ? v : undefined }
  f.channel = s('channel') ?? channelArg
  if (s('from') !== undefined) f.sender = s('from')
  if (s('to') !== undefined) f.recipient = s('to')
  if (s('domain')) f.domain = s('domain')
  if (s('older_than')) f.olderThan = Number(s('older_than'))
  if (s('newer_than')) f.newerThan = Number(s('newer_than'))
  if (s('min_attempts')) f.minAttempts = Number(s('min_attempts'))
  if (s('error')) f.error = s('error')
  if (p.flags.has('held')) f.held = true
  return f
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const [cmd, ...rest] = argv
  if (!cmd || cmd === '-h' || cmd === '--help') { io.stderr(USAGE); return cmd ? 0 : 64 }
  if (cmd === 'test') return runTest(rest, io)
  const dataRoot = dataRootOf(io)
  if (cmd === 'restart') return restartMta(dataRoot, io)
  if (cmd === 'version') {
    const rc = await wrenVersion([], io)
    // spec 01 §1: the product prints "(not compiled)" until cnbuild; Wren never compiles
    io.stdout('MTA configuration: unified configuration, read live (no compiled image; see imsimta cnbuild)\n')
    return rc
  }
  const cfg = await openConfig(dataRoot)
  const config = cfg.view()
  if (cmd === 'cnbuild') {
    try { return cnbuild(config, io) } finally { await cfg.close() }
  }
  const queue = new QueueStore({ dataRoot, subdirs: (ch) => Number(config.find(`channel:${ch}.subdirs`) ?? 0) })
  try {
    switch (cmd) {
      case 'qm': {
        const ctx = { io, queue, dataRoot, config }
        if (rest.length) return await qm(rest, ctx)
        // interactive: `qm.maint>` prompt until exit/quit or end of input
        for (;;) {
          const line = await io.prompt('qm.maint> ')
          if (line === null) return 0
          const words = line.trim().split(/\s+/).filter(Boolean)
          if (!words.length) continue
          if (/^(exit|quit)$/i.test(words[0])) return 0
          await qm(words, ctx)
        }
      }
      case 'counters': {
        const p = parseQualifiers(rest)
        // spec 02 §2: the section is created by the MTA at start or by -create, lost on shutdown.
        if (p.flags.has('create')) { createSection(queue.index); return 0 }
        if (p.flags.has('delete')) { deleteSection(queue.index); return 0 }
        if (!sectionExists(queue.index)) { io.stderr(NO_SECTION); return 1 }
        if (p.flags.has('clear')) { clearCounters(queue.index); return 0 }
        showCounters(queue, io)
        return 0
      }
      case 'cache': {
        const p = parseQualifiers(rest)
        if (p.flags.has('sync')) {
          const r = await queue.reconcile()
          io.stdout(`Queue cache synchronized: ${r.added} added, ${r.removed} removed, ${r.fixed} updated\n`)
          return 0
        }
        io.stdout(`${queue.index.count()} messages in the queue cache\n`)
        return 0
      }
      default:
        io.stderr(`imsimta: unknown command '${cmd}'\n${USAGE}`)
        return 64
    }
  } finally {
    queue.close()
    await cfg.close()
  }
}

/** `imsimta cnbuild`: compiles what the MTA would load and reports problems; writes nothing. */
function cnbuild(config: import('@wren/kernel').ConfigView, io: CliIO): number {
  const host = String(config.find('base.hostname') ?? '') || osHostname()
  const r = checkMtaConfiguration(config, host)
  for (const w of r.warnings) io.stderr(`%CNBUILD-W, ${w}\n`)
  for (const e of r.errors) io.stderr(`%CNBUILD-E, ${e}\n`)
  io.stdout(`${r.rules} configured rewrite rules (plus the built-in ones), ${r.channels} channels, ${r.tables} mapping tables (${r.entries} entries) checked: ${r.errors.length} errors, ${r.warnings.length} warnings\n`)
  io.stdout('No compiled configuration is written: the MTA reads the configuration live; `msconfig` changes reach a running daemon at once (restart-only options need `imsimta restart`).\n')
  return r.errors.length ? 1 : 0
}

/** `imsimta restart`: restarts the MTA's detached processes, the dispatcher and the job controller. */
async function restartMta(dataRoot: string, io: CliIO): Promise<number> {
  const info = findDaemon(dataRoot)
  if (!info) { io.stderr('imsimta restart: watcher is not running\n'); return 1 }
  try {
    const { lines } = await callControl<{ lines: string[] }>(info, 'POST', '/control/restart', { services: ['dispatcher', 'job_controller'] })
    for (const l of lines) io.stdout(`${l}\n`)
    return 0
  } catch (e) {
    io.stderr(`imsimta restart: ${(e as Error).message}\n`)
    return 1
  }
}

async function runTest(argv: string[], io: CliIO): Promise<number> {
  const which = argv[0]?.toLowerCase()
  try {
    if (which === '-rewrite') {
      const mod = (await import('@wren/mta/rewrite/test-rewrite-command')) as { runTestRewrite(a: string[], io: CliIO): Promise<number> }
      return await mod.runTestRewrite(argv.slice(1), io)
    }
    if (which === '-mapping') {
      const mod = (await import('@wren/mta/mapping/test-mapping-command')) as { runTestMapping(a: string[], io: CliIO): Promise<number> }
      return await mod.runTestMapping(argv.slice(1), io)
    }
    if (which === '-match') {
      const mod = await import('@wren/mta/mapping/test-match-command')
      return await mod.runTestMatch(argv.slice(1), io)
    }
  } catch (e) {
    io.stderr(`imsimta test: ${(e as Error).message}\n`)
    return 1
  }
  io.stderr(USAGE)
  return 64
}

interface QmCtx { io: CliIO; queue: QueueStore; dataRoot: string; config: import('@wren/kernel').ConfigView }

async function qm(words: string[], ctx: QmCtx): Promise<number> {
  const { io, queue } = ctx
  const [c, ...rest] = words
  const p = parseQualifiers(rest)
  const cmd = c.toLowerCase()
  if (/^sum(marize)?$/.test(cmd)) return summarize(p, ctx)
  if (/^dir(ectory)?$/.test(cmd)) return directory(p, ctx)
  if (cmd === 'start' || cmd === 'stop') {
    const ch = p.args[0]
    if (!ch) { io.stderr(`%QM-E-NOCHANNEL, a channel name is required\n`); return 64 }
    const stopped = queue.index.isStopped(ch)
    if (cmd === 'stop' && stopped) { io.stderr(`%QM-E-NOTSTARTED, channel ${ch} is already stopped\n`); return 1 }
    if (cmd === 'start' && !stopped) { io.stderr(`%QM-E-NOTSTOPPED, channel ${ch} is not stopped\n`); return 1 }
    queue.index.setStopped(ch, cmd === 'stop')
    io.stdout(`Channel ${ch} ${cmd === 'stop' ? 'stopped' : 'started'}\n`)
    return 0
  }
  if (cmd === 'jobs') return jobs(p, ctx)
  if (cmd === 'counters') {
    if (!sectionExists(queue.index)) { io.stderr(NO_SECTION); return 1 }
    if (p.args[0]?.toLowerCase() === 'clear') { clearCounters(queue.index); return 0 }
    showCounters(queue, io)
    return 0
  }
  if (['hold', 'release', 'delete', 'return', 'retry'].includes(cmd)) {
    const filter = filterFrom(p)
    const ids = p.args.map(normalizeId)
    if (ids.length) filter.keys = ids
    const anyFilter = ids.length || p.flags.has('all') || Object.values(filter).some((v) => v !== undefined)
    if (!anyFilter) { io.stderr(`%QM-E-NOSELECT, give message ids, a filter or -all\n`); return 64 }
    // The K, R and DSN E records written here count in the MTA's channel counters (spec 02 §2).
    const log = toolCountingLog(queue.index, openTransportLog(ctx.dataRoot, ctx.config))
    let res: BulkResult
    try {
      if (cmd === 'hold') res = await holdMatching(queue, filter)
      // The hold channel's messages are re-expanded through `process` (delivery/hold-release.ts).
      else if (cmd === 'release' && filter.channel === 'hold') res = { ...(await releaseHoldChannel(queue, filter, log)), skipped: 0 }
      else if (cmd === 'release') res = await releaseMatching(queue, filter)
      else if (cmd === 'retry') res = await retryMatching(queue, filter)
      else if (cmd === 'delete') res = await deleteMatching(queue, filter, log)
      else {
        const host = String(ctx.config.find('base.hostname') ?? osHostname())
        const pctx = { config: ctx.config, hostname: host }
        let directory = staticDirectory({})
        let closeDir: (() => Promise<void>) | undefined
        try { const d = await openDirectory({ dataRoot: ctx.dataRoot, config: ctx.config }); directory = directoryPort(d); closeDir = () => d.close() } catch { /* local senders unresolvable */ }
        const domain = String(ctx.config.find('base.defaultdomain') ?? host)
        res = await returnMatching(queue, filter, log, {
          hostname: host, queue, policy: defaultPolicy(pctx), directory, log, postmaster: `postmaster@${domain}`,
        })
        await closeDir?.()
      }
    } finally { await log.close?.() }
    const verb = { hold: 'held', release: 'released', delete: 'deleted', return: 'returned', retry: 'scheduled for retry' }[cmd]
    io.stdout(`%QM-I-${cmd.toUpperCase()}, ${res.changed} message${res.changed === 1 ? '' : 's'} ${verb}${res.skipped ? `; ${res.skipped} being processed, not changed` : ''}\n`)
    return 0
  }
  io.stderr(`%QM-E-UNKNOWNCMD, unknown command '${c}'\n`)
  return 64
}

function summarize(p: Parsed, { io, queue }: QmCtx): number {
  if (p.flags.has('held') && p.flags.has('database')) {
    io.stderr('%QM-E-CMDERR, Conflicting parameters and/or qualifiers: (DATABASE AND HELD)\n')
    return 1
  }
  const rows = queue.index.summary()
  const stopped = new Set(queue.index.stoppedChannels())
  const chans = [...new Set(rows.map((r) => r.channel))].sort()
  const name = (c: string) => stopped.has(c) ? `${c} (stopped)` : c
  const sum = (c: string, held: number) => rows.find((r) => r.channel === c && r.held === held)
  if (p.flags.has('held')) {
    io.stdout(`${padr('', 28)}${pad('Messages', 9)}${pad('Size (Mb)', 11)}  ${padr('Oldest Queued', 17)}${pad('Held Messages', 14)}${pad('Size (Mb)', 11)}  Oldest Held\n`)
    io.stdout(`${padr('Channel', 28)}\n${'-'.repeat(110)}\n`)
    let tm = 0, tb = 0, hm = 0, hb = 0
    for (const c of chans) {
      const a = sum(c, 0), h = sum(c, 1)
      tm += a?.messages ?? 0; tb += a?.bytes ?? 0; hm += h?.messages ?? 0; hb += h?.bytes ?? 0
      io.stdout(`${padr(name(c), 28)}${pad(a?.messages ?? 0, 9)}${pad(MB(a?.bytes ?? 0), 11)}  ${padr(qmDate(a?.oldest ?? null), 17)}${pad(h?.messages ?? 0, 14)}${pad(MB(h?.bytes ?? 0), 11)}  ${qmDate(h?.oldest ?? null)}\n`)
    }
    io.stdout(`${'-'.repeat(110)}\n${padr('Totals', 28)}${pad(tm, 9)}${pad(MB(tb), 11)}  ${padr('', 17)}${pad(hm, 14)}${pad(MB(hb), 11)}\n`)
    return 0
  }
  if (p.flags.has('database')) {
    const now = Date.now()
    io.stdout(`${padr('Channel', 28)}${pad('Total Messages', 15)} = ${pad('Active', 6)} + ${pad('Pending', 7)} + ${pad('Delayed', 7)}  ${pad('Total Size (Mb)', 15)}\n${'-'.repeat(90)}\n`)
    const counts = queue.index.db.prepare(`SELECT channel, count(*) AS n, sum(size) AS b, sum(active > 0) AS active,
      sum(active <= 0 AND attempts > 0 AND next_at > ?) AS delayed FROM entry WHERE held = 0 GROUP BY channel ORDER BY channel`).all(now) as Array<{ channel: string; n: number; b: number; active: number; delayed: number }>
    let t = 0, ta = 0, tp = 0, td = 0, tb = 0
    for (const r of counts) {
      const pending = r.n - r.active - r.delayed
      t += r.n; ta += r.active; tp += pending; td += r.delayed; tb += r.b
      io.stdout(`${padr(name(r.channel), 28)}${pad(r.n, 15)} = ${pad(r.active, 6)} + ${pad(pending, 7)} + ${pad(r.delayed, 7)}  ${pad(MB(r.b), 15)}\n`)
    }
    io.stdout(`${'-'.repeat(90)}\n${padr('Totals', 28)}${pad(t, 15)} = ${pad(ta, 6)} + ${pad(tp, 7)} + ${pad(td, 7)}  ${pad(MB(tb), 15)}\n`)
    return 0
  }
  // -directory_tree (default): what is on disk (held files excluded, as the job controller sees them)
  io.stdout(`${padr('', 28)}${pad('Messages', 9)}${pad('Size (Mb)', 11)}\n${padr('Channel', 28)}\n${'-'.repeat(48)}\n`)
  let tm = 0, tb = 0
  for (const c of chans) {
    const a = sum(c, 0)
    if (!a && !stopped.has(c)) continue
    tm += a?.messages ?? 0; tb += a?.bytes ?? 0
    io.stdout(`${padr(name(c), 28)}${pad(a?.messages ?? 0, 9)}${pad(MB(a?.bytes ?? 0), 11)}\n`)
  }
  io.stdout(`${'-'.repeat(48)}\n${padr('Totals', 28)}${pad(tm, 9)}${pad(MB(tb), 11)}\n`)
  return 0
}

async function directory(p: Parsed, { io, queue }: QmCtx): Promise<number> {
  const filter = filterFrom(p, p.args[0])
  const max = Number(p.flags.get('max') ?? 1000)
  const total = queue.index.count(filter)
  if (p.flags.has('total')) { io.stdout(`Total messages: ${total}\n`); return 0 }
  const rows = queue.index.list(filter, { limit: max })
  const byChannel = new Map<string, EntryRow[]>()
  for (const r of rows) byChannel.set(r.channel, [...(byChannel.get(r.channel) ?? []), r])
  io.stdout(`${new Date().toUTCString()}\n`)
  let n = 0, bytes = 0
  for (const [ch, list] of [...byChannel].sort()) {
    io.stdout(`Channel: ${ch}${' '.repeat(Math.max(1, 40 - ch.length))}Size: ${MB(list.reduce((a, r) => a + r.size, 0))} Mb\n`)
    for (const r of list) {
      n++; bytes += r.size
      const rc = queue.index.recipients(r.key)
      io.stdout(`  ${pad(n, 4)}. ${queueFileName(r.key, r.attempts, Boolean(r.held))} (${(r.size / 1024).toFixed(1)} Kb)${r.held ? '  [held]' : ''}\n`)
      io.stdout(`        Created: ${qmDate(r.created)}  Attempts: ${r.attempts}${r.attempts ? `  Next: ${qmDate(r.next_at)}` : ''}\n`)
      io.stdout(`        From: ${r.sender || '<>'}\n`)
      for (const x of rc) io.stdout(`        To: ${x.address}${x.done ? ' (done)' : ''}\n`)
      if (r.last_error) io.stdout(`        Last error: ${r.last_error}\n`)
    }
  }
  io.stdout(`Total messages: ${total}${total > rows.length ? ` (${rows.length} shown; -max=N for more)` : ''}\n`)
  return 0
}

function jobs(p: Parsed, { io, queue }: QmCtx): number {
  const ch = p.args[0]
  const chans = ch ? [ch] : queue.channels().sort()
  for (const c of chans) {
    const active = queue.index.db.prepare('SELECT * FROM entry WHERE channel = ? AND active > 0 ORDER BY key').all(c) as EntryRow[]
    const pending = (queue.index.db.prepare('SELECT count(*) AS n FROM entry WHERE channel = ? AND active = 0 AND held = 0 AND next_at <= ?').get(c, Date.now()) as { n: number }).n
    const byJob = new Map<number, EntryRow[]>()
    for (const r of active) byJob.set(r.active, [...(byJob.get(r.active) ?? []), r])
    const rcpts = active.reduce((a, r) => a + r.rcpt_count, 0)
    io.stdout(`${c} channel:\n`)
    io.stdout(`Pending: ${pending ? 1 : 0} jobs\n`)
    io.stdout(`Active: ${byJob.size} jobs, ${active.length} messages (${MB(active.reduce((a, r) => a + r.size, 0))} Mb), ${rcpts} recipients\n`)
    if (byJob.size) {
      io.stdout('Active jobs and messages:\n')
      for (const [pid, rows] of byJob) io.stdout(`${pid}: ${rows.length} messages (${MB(rows.reduce((a, r) => a + r.size, 0))} Mb), ${rows.reduce((a, r) => a + r.rcpt_count, 0)} recipients\n`)
      io.stdout('Active messages:\n')
      for (const r of active) io.stdout(`${queueFileName(r.key, r.attempts, false)} (${(r.size / 1024).toFixed(1)} Kb)\n`)
    }
  }
  return 0
}

const NO_SECTION = '%IMSIMTA-E-NOSECTION, no channel counters section for this MTA run; use imsimta counters -create\n'

const COUNTER_LINES = ['Received', 'Stored', 'Delivered', 'Submitted', 'Attempted', 'Rejected', 'Failed'] as const

/**
 * spec 02 §2 output shape (the manual's `imsimta counters -show`): one block per channel; Stored is a
 * counter (it can go negative after a clear). Delivered shows its first-attempt count, then the queue
 * time lines and the channel's associations; every figure comes from the counters (counters.ts).
 */
function showCounters(queue: QueueStore, io: CliIO): void {
  const rows = readCounters(queue.index)
  io.stdout(`${padr('Channel', 26)}${pad('Messages', 10)}${pad('Recipients', 12)}${pad('Blocks', 10)}\n${'-'.repeat(58)}\n`)
  for (const c of [...new Set(rows.map((r) => r.channel))].sort()) io.stdout(counterBlock(c, rows.filter((r) => r.channel === c)))
}

/** One channel's block of `counters -show`. */
function counterBlock(channel: string, rows: CounterRow[]): string {
  const get = (n: string) => rows.find((r) => r.name === n) ?? { messages: 0, recipients: 0, blocks: 0, extra: 0 }
  const first = get(DELIVERED_FIRST)
  const line = (label: string) => {
    const x = get(label)
    const tail = label === 'Delivered' ? ` (${first.messages} first time)` : ''
    return `${padr(label, 26)}${pad(x.messages, 10)}${pad(x.recipients, 12)}${pad(x.blocks, 10)}${tail}\n`
  }
  // Queue time/count: total seconds in queue of the delivered recipients over their count (spec 02 §2)
  const ratio = (label: string, x: { recipients: number; extra: number }) =>
    `${label} ${x.extra}/${x.recipients} = ${(x.recipients ? x.extra / x.recipients : 0).toFixed(2)}\n`
  return `${channel}\n${COUNTER_LINES.map(line).join('')}` +
    ratio('Queue time/count', get('Delivered')) + ratio('Queue first time/count', first) +
    `${padr('Total In Assocs', 26)}${pad(get(IN_ASSOCS).messages, 10)}\n${padr('Total Out Assocs', 26)}${pad(get(OUT_ASSOCS).messages, 10)}\n`
}
