// `msconfig` — the unified configuration tool (spec 01 §1). Without arguments: the interactive prompt
// (`msconfig>`, `msconfig#` with unsaved changes). With a command: one-shot mode, where set/unset/revert
// write at once (docs/admin/configuration.md). Works on the data root's database directly, with the
// daemon stopped or running (a running daemon is told to reload after each write).
import { resolve } from 'node:path'
import { openConfig, ConfigError } from '@wren/config'
import { Msconfig } from '@wren/config/cli/msconfig'
import type { CliIO } from '../io.js'

export async function run(argv: string[], io: CliIO): Promise<number> {
  if (argv[0] === '-h' || argv[0] === '--help' || argv[0] === '-help') argv = ['help', ...argv.slice(1)]
  const dataRoot = resolve(io.cwd, io.env.WREN_DATA || './data')
  let svc
  try {
    svc = await openConfig(dataRoot)
  } catch (err) {
    io.stderr(`msconfig: cannot open the configuration of ${dataRoot}: ${(err as Error).message}\n`)
    return 1
  }
  try {
    if (!argv.length) return await new Msconfig(svc, io, 'interactive').repl()
    return await new Msconfig(svc, io, 'oneshot').exec(argv)
  } catch (err) {
    io.stderr(`msconfig: ${err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)}\n`)
    return 1
  } finally {
    await svc.close()
  }
}
