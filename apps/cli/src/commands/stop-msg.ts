// stop-msg [-f] [components...] (spec 04 A.1): stops the named services; with no argument stops
// everything, disabled components included, and then the watcher (daemon). `-f` uses SIGKILL.
import type { CliIO } from '../io.js'
import { callControl, findDaemon } from '@wren/server/admin/client'
import { processAlive } from '@wren/server/admin/control-file'
import { dataRootFor, expandComponents, waitFor } from '@wren/server/admin/cli-support'

const USAGE = 'usage: stop-msg [-f] [component ...]\n'

export async function run(argv: string[], io: CliIO): Promise<number> {
  let force = false
  const rest: string[] = []
  for (const a of argv) {
    if (a === '-f') force = true
    else if (a === '-h' || a === '--help') { io.stdout(USAGE); return 0 }
    else if (a.startsWith('-')) { io.stderr(`stop-msg: unknown option ${a}\n${USAGE}`); return 64 }
    else rest.push(a)
  }
  const { names, unknown, watcher } = expandComponents(rest, io.env)
  if (unknown.length) { io.stderr(`stop-msg: unknown component${unknown.length > 1 ? 's' : ''}: ${unknown.join(' ')}\n${USAGE}`); return 64 }
  const dataRoot = dataRootFor(io.env, io.cwd)
  const info = findDaemon(dataRoot)
  if (!info) {
    io.stdout(names.length ? names.map((n) => `${n} server is not running\n`).join('') : 'watcher is not running\n')
    return 0
  }
  if (names.length && !watcher) {
    const { lines } = await callControl<{ lines: string[] }>(info, 'POST', '/control/stop', { services: names, force })
    io.stdout(lines.map((l) => l + '\n').join(''))
    return 0
  }
  const { lines } = await callControl<{ lines: string[] }>(info, 'POST', '/control/stop', { force })
  io.stdout(lines.map((l) => l + '\n').join(''))
  const gone = await waitFor(() => (processAlive(info.pid) ? undefined : true), 30_000)
  if (!gone) { io.stderr(`stop-msg: the watcher (pid ${info.pid}) is still running\n`); return 1 }
  io.stdout(`Stopping watcher ${info.pid} ... done\n`)
  return 0
}
