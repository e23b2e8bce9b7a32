// start-msg [components...] (spec 04 A.1, spec 01 §2): starts the enabled services through the
// watcher; launches the daemon in the background first when it is not running. A new data root is
// configured here, in the foreground, so the generated admin password reaches the terminal only.
import type { CliIO } from '../io.js'
import { callControl, findDaemon } from '@wren/server/admin/client'
import { dataRootFor, expandComponents, launchDaemon } from '@wren/server/admin/cli-support'
import { ensureConfigured, configuredOptions } from '@wren/server/configure/index'
import { openServerConfig } from '@wren/server/config-source'

const USAGE = 'usage: start-msg [component ...]\n'

export async function run(argv: string[], io: CliIO): Promise<number> {
  if (argv.some((a) => a === '-h' || a === '--help')) { io.stdout(USAGE); return 0 }
  const opt = argv.find((a) => a.startsWith('-'))
  if (opt) { io.stderr(`start-msg: unknown option ${opt}\n${USAGE}`); return 64 }
  const { names, unknown } = expandComponents(argv, io.env)
  if (unknown.length) { io.stderr(`start-msg: unknown component${unknown.length > 1 ? 's' : ''}: ${unknown.join(' ')}\n${USAGE}`); return 64 }
  const dataRoot = dataRootFor(io.env, io.cwd)
  io.stdout('Connecting to watcher ...\n')
  const info = findDaemon(dataRoot)
  if (info) {
    const { lines } = await callControl<{ lines: string[] }>(info, 'POST', '/control/start', { services: names })
    io.stdout(lines.length ? lines.map((l) => l + '\n').join('') : 'All enabled services are running.\n')
    return 0
  }
  const configure = await ensureConfigured(dataRoot, { config: async (c) => (await openServerConfig(dataRoot, c, io.env)).view() })
  if (configure.fresh && configure.adminPassword) {
    const o = configuredOptions(configure.state)
    io.stdout(`Configured a new data root at ${dataRoot} (${o['base.hostname']}, domain ${o['base.defaultdomain']})\n`)
    io.stdout(`Administrator: admin / ${configure.adminPassword}  (shown once; stored only as a hash)\n`)
  }
  const up = await launchDaemon(dataRoot, io.env, names)
  if ('error' in up) { io.stderr(`start-msg: ${up.error}\n`); return 1 }
  io.stdout(`Launching watcher ... ${up.info.pid}\n`)
  for (const e of up.status.events) io.stdout(e.line + '\n')
  return 0
}
