// refresh [components...] (spec 04 A.1): running services re-read their refreshable options without
// dropping connections; changed options that are not refreshable are reported as needing a restart.
import type { CliIO } from '../io.js'
import { callControl, findDaemon } from '@wren/server/admin/client'
import { dataRootFor, expandComponents, type StatusPayload } from '@wren/server/admin/cli-support'

const USAGE = 'usage: refresh [component ...]\n'

export async function run(argv: string[], io: CliIO): Promise<number> {
  if (argv.some((a) => a === '-h' || a === '--help')) { io.stdout(USAGE); return 0 }
  const opt = argv.find((a) => a.startsWith('-'))
  if (opt) { io.stderr(`refresh: unknown option ${opt}\n${USAGE}`); return 64 }
  const { names, unknown } = expandComponents(argv, io.env)
  if (unknown.length) { io.stderr(`refresh: unknown component${unknown.length > 1 ? 's' : ''}: ${unknown.join(' ')}\n${USAGE}`); return 64 }
  const info = findDaemon(dataRootFor(io.env, io.cwd))
  if (!info) { io.stderr('refresh: watcher is not running\n'); return 1 }
  let targets = names
  if (!targets.length) {
    const status = await callControl<StatusPayload>(info, 'GET', '/control/status')
    targets = status.services.filter((s) => s.state === 'running').map((s) => s.name)
  }
  const r = await callControl<{ results: Array<{ service: string; ok: boolean; error?: string }>; restartNeeded: string[] }>(info, 'POST', '/control/refresh', { services: targets })
  let failed = false
  for (const x of r.results) {
    if (x.ok) io.stdout(`Refreshing ${x.service} server ... done\n`)
    else { failed = true; io.stderr(`Refreshing ${x.service} server ... failed: ${x.error ?? 'unknown error'}\n`) }
  }
  for (const o of r.restartNeeded) io.stdout(`${o} changed: it takes effect only after a restart\n`)
  return failed ? 1 : 0
}
