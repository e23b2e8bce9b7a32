// msprobe [-d] [-n] [-r] [server] (spec 04 A.1, spec 02 §5): connects to each protocol listener,
// waits for its greeting and classifies the response time: OK, SLOW (over
// msprobe.warningthreshold, 25 s) or BAD (no answer within msprobe.timeout, 30 s, or refused).
// A BAD server whose process is still running is hung: it is restarted through the watcher unless
// `-n`. `-r` prints the CSV report `server,port,ms,OK|SLOW|BAD,"msg"`.
// msprobe detects hung or dead services only (spec 01 §3): a server that answers promptly with a
// well-formed refusal at greeting (SMTP 4xx/5xx, e.g. a PORT_ACCESS `$N` rule; IMAP `* BYE`; POP
// `-ERR`) is alive. It is reported OK/SLOW with a "Refused at greeting" note and never restarted.
// Restarts are kept for timeouts, refused connections, closed connections and garbage.
import { connect as netConnect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import type { CliIO } from '../io.js'
import { callControl, findDaemon } from '@wren/server/admin/client'
import { dataRootFor, type StatusPayload } from '@wren/server/admin/cli-support'

const USAGE = 'usage: msprobe [-d] [-n] [-r] [server]\n'

/** A well-formed SMTP/LMTP reply other than 220 at greeting: the server is alive but refuses (RFC 5321 §3.1). */
export const SMTP_REFUSAL = /^[245]\d\d(?:[ -]|$)/
const IMAP_REFUSAL = /^\* BYE\b/
const POP_REFUSAL = /^-ERR\b/

/**
 * Listener name → msprobe server name, the greeting a healthy server sends, and the well-formed
 * refusal that still proves the server alive (answered promptly, so not hung).
 */
const PROBES: Record<string, { server: string; greeting: RegExp; refusal: RegExp }> = {
  imap: { server: 'imap', greeting: /^\* (OK|PREAUTH)/, refusal: IMAP_REFUSAL },
  imaps: { server: 'imaps', greeting: /^\* (OK|PREAUTH)/, refusal: IMAP_REFUSAL },
  pop: { server: 'pop', greeting: /^\+OK/, refusal: POP_REFUSAL },
  pops: { server: 'pops', greeting: /^\+OK/, refusal: POP_REFUSAL },
  smtp: { server: 'smtp', greeting: /^220[ -]/, refusal: SMTP_REFUSAL },
  smtp_submit: { server: 'submit', greeting: /^220[ -]/, refusal: SMTP_REFUSAL },
  smtps: { server: 'smtps', greeting: /^220[ -]/, refusal: SMTP_REFUSAL },
  lmtp: { server: 'lmtp', greeting: /^220[ -]/, refusal: SMTP_REFUSAL },
}
/** Which service to restart for a hung server: a hung SMTP/LMTP restarts the dispatcher (spec 02 §5). */
const OWNER: Record<string, string> = { smtp: 'dispatcher', submit: 'dispatcher', smtps: 'dispatcher', lmtp: 'dispatcher' }

export interface ProbeResult {
  server: string
  service: string
  port: number
  ms: number
  verdict: 'OK' | 'SLOW' | 'BAD'
  msg: string
}

export interface ProbeOutcome {
  ms: number
  /** True when the server answered (healthy greeting, or a well-formed refusal): it is not hung or dead. */
  ok: boolean
  msg: string
  /** Set when the answer was a well-formed refusal (e.g. `550 5.7.1 …` from a PORT_ACCESS rule). */
  refused?: true
}

/**
 * Connects and reads the first greeting line. `ok` is true for the expected greeting and, when
 * `refusal` is given, for a well-formed refusal (then `refused` is set). Timeouts, refused or closed
 * connections and unrecognised greetings are not ok.
 */
export function probe(host: string, port: number, tls: boolean, greeting: RegExp, timeoutMs: number, refusal?: RegExp): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const t0 = Date.now()
    let done = false
    let buf = ''
    const sock: Socket = tls ? tlsConnect({ host, port, rejectUnauthorized: false }) : netConnect({ host, port })
    const finish = (ok: boolean, msg: string, refused = false) => {
      if (done) return
      done = true
      clearTimeout(timer)
      sock.destroy()
      resolve({ ms: ok ? Date.now() - t0 : -1, ok, msg, ...(refused ? { refused: true as const } : {}) })
    }
    const classify = (line: string) => {
      if (greeting.test(line)) finish(true, 'No error')
      else if (refusal?.test(line)) finish(true, `Refused at greeting: ${line.slice(0, 60)}`, true)
      else finish(false, `Unexpected greeting: ${line.slice(0, 60)}`)
    }
    const timer = setTimeout(() => finish(false, 'Timed out'), timeoutMs)
    sock.setEncoding('utf8')
    sock.on('data', (d: string) => {
      buf += d
      const nl = buf.indexOf('\n')
      if (nl < 0) return
      classify(buf.slice(0, nl).trim())
    })
    sock.on('error', (err: NodeJS.ErrnoException) => finish(false, err.code === 'ECONNREFUSED' ? 'Connection refused' : err.message))
    // A greeting line cut short by the server closing still counts as its answer.
    sock.on('close', () => (buf.trim() ? classify(buf.trim()) : finish(false, 'Connection closed')))
  })
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  let report = false, restart = true, debug = false
  const servers: string[] = []
  for (const a of argv) {
    if (a === '-r') report = true
    else if (a === '-n') restart = false
    else if (a === '-d') debug = true
    else if (a === '-h' || a === '--help') { io.stdout(USAGE); return 0 }
    else if (a.startsWith('-')) { io.stderr(`msprobe: unknown option ${a}\n${USAGE}`); return 64 }
    else servers.push(a)
  }
  const info = findDaemon(dataRootFor(io.env, io.cwd))
  if (!info) { io.stderr('msprobe: watcher is not running\n'); return 1 }
  const st = await callControl<StatusPayload>(info, 'GET', '/control/status')
  const opt = (n: string, d: number) => { const v = Number(io.env[`WREN_MSPROBE_${n.toUpperCase()}`]); return Number.isFinite(v) && v > 0 ? v : d }
  const timeoutMs = opt('timeout', 30) * 1000
  const warnMs = opt('warningthreshold', 25) * 1000
  const targets: Array<{ server: string; service: string; host: string; port: number; tls: boolean; greeting: RegExp; refusal: RegExp }> = []
  for (const s of st.services) {
    for (const l of s.listeners) {
      // SMTP_SUBMIT's implicit-TLS port (ssl_ports) is probed as `smtps`.
      const p = l.name === 'SMTP_SUBMIT' && l.tls === 'implicit' ? PROBES.smtps : PROBES[l.name.toLowerCase()]
      if (!p || (servers.length && !servers.includes(p.server))) continue
      targets.push({ server: p.server, service: s.name, host: l.host === '0.0.0.0' || l.host === '::' ? '127.0.0.1' : l.host, port: l.port, tls: l.tls === 'implicit', greeting: p.greeting, refusal: p.refusal })
    }
  }
  const unknown = servers.filter((s) => !targets.some((t) => t.server === s))
  for (const s of unknown) io.stdout(report ? `${s},-1,-1,BAD,"Server is not running"\n` : `${s}: BAD (server is not running)\n`)
  const results: ProbeResult[] = []
  for (const t of targets) {
    if (debug) io.stderr(`msprobe: probing ${t.server} at ${t.host}:${t.port}\n`)
    const r = await probe(t.host, t.port, t.tls, t.greeting, timeoutMs, t.refusal)
    const verdict = !r.ok ? 'BAD' : r.ms > warnMs ? 'SLOW' : 'OK'
    results.push({ server: t.server, service: t.service, port: t.port, ms: r.ms, verdict, msg: r.msg })
  }
  for (const r of results) io.stdout(report ? `${r.server},${r.port},${r.ms},${r.verdict},"${r.msg}"\n` : `${r.server} (port ${r.port}): ${r.verdict}, ${r.ms} ms, ${r.msg}\n`)
  if (restart) {
    const hung = restartTargets(results)
    if (hung.length) {
      const { lines } = await callControl<{ lines: string[] }>(info, 'POST', '/control/restart', { services: hung })
      for (const l of lines) io.stdout(l + '\n')
    }
  }
  return results.some((r) => r.verdict === 'BAD') || unknown.length ? 1 : 0
}

/**
 * The restart decision: the services owning a BAD (hung or dead) server. A server that answered,
 * even with a refusal, is OK/SLOW and never causes a restart.
 */
export function restartTargets(results: ProbeResult[]): string[] {
  return [...new Set(results.filter((r) => r.verdict === 'BAD').map((r) => OWNER[r.server] ?? r.service))]
}
