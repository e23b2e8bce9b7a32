// wren-status: every service's state (running / stopped / restarting / failed / not installed /
// disabled), pid, uptime, restarts and listeners, plus the watcher's recent events.
import type { CliIO } from '../io.js'
import { callControl, findDaemon } from '@wren/server/admin/client'
import { dataRootFor, type StatusPayload } from '@wren/server/admin/cli-support'

function uptime(sec?: number): string {
  if (sec === undefined) return '-'
  const h = Math.floor(sec / 3600), m = Math.floor((sec % 3600) / 60), s = sec % 60
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const json = argv.includes('-j') || argv.includes('--json')
  const bad = argv.find((a) => !['-j', '--json'].includes(a))
  if (bad) { io.stderr(`wren-status: unknown argument ${bad}\nusage: wren-status [-j]\n`); return 64 }
  const dataRoot = dataRootFor(io.env, io.cwd)
  const info = findDaemon(dataRoot)
  if (!info) { io.stdout(`watcher is not running (data root ${dataRoot})\n`); return 1 }
  const st = await callControl<StatusPayload>(info, 'GET', '/control/status')
  if (json) { io.stdout(JSON.stringify(st, null, 2) + '\n'); return 0 }
  io.stdout(`watcher  pid ${st.daemon.pid}  up ${uptime(st.daemon.uptime)}  host ${st.daemon.hostname}  data root ${st.daemon.dataRoot}\n`)
  const rows = [['SERVICE', 'STATE', 'PID', 'UPTIME', 'RESTARTS', 'LISTENERS']]
  for (const s of st.services) {
    rows.push([s.name, s.state, s.pid ? String(s.pid) : '-', uptime(s.uptime), String(s.restarts), s.listeners.map((l) => `${l.name}@${l.host}:${l.port}`).join(' ') || '-'])
  }
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  for (const r of rows) io.stdout(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  ') + '\n')
  const events = st.events.slice(-8)
  if (events.length) {
    io.stdout('\nRecent watcher events:\n')
    for (const e of events) io.stdout(`  ${e.at}  ${e.line}\n`)
  }
  return 0
}
