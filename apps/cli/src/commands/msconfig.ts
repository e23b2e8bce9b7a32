// `msconfig` — the unified configuration tool (spec 01 §1). Without arguments: the interactive prompt
// (`msconfig>`, `msconfig#` with unsaved changes). With a command: one-shot mode, where set/unset/revert
// write at once (docs/admin/configuration.md). Reads (show, diff, history, help, export) work on the
// data root's configuration directly. Writes: when a daemon runs for the data root they go through its
// admin API (`config.set` with the version read as baseVersion, `config.rollback`; issue 6), so the
// daemon writes the version (author `cli:$USER`, audit source `cli`) and reloads at once; with no
// daemon they are written to the database directly. `import` always writes directly, then tells a
// running daemon to reload.
import { resolve } from 'node:path'
import { openConfig, ConfigError } from '@wren/config'
import { Msconfig } from '@wren/config/cli/msconfig'
import type { RemoteConfigWriter } from '@wren/config/cli/remote'
import type { CliIO } from '../io.js'
import { apiErrorText, daemonFor, tokenClient, type ApiConnection } from '../api-client.js'

/** config.set / config.rollback of the daemon's admin API, with its errors as msconfig messages. */
export function apiWriter(conn: ApiConnection): RemoteConfigWriter {
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn()
    } catch (err) {
      throw new Error(apiErrorText(err, conn.url).join('\nmsconfig: '))
    }
  }
  return {
    set: (changes, remark, baseVersion, confirmRestricted) => call(async () => {
      const r = await conn.client.config.set.mutate({ changes, remark, baseVersion, ...(confirmRestricted ? { confirmRestricted } : {}) })
      return { version: r.version, restart: r.restart.length ? r.restart : r.restartNeeded.map((option) => ({ option, services: [] })) }
    }),
    revert: (n, remark) => call(async () => {
      const r = await conn.client.config.rollback.mutate({ version: n, ...(remark ? { remark } : {}) })
      return { version: r.version, restart: r.restartNeeded.map((option) => ({ option, services: [] })) }
    }),
  }
}

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
  const daemon = daemonFor(dataRoot)
  const remote = daemon ? apiWriter(tokenClient(daemon, io.env.USER ?? io.env.LOGNAME ?? 'msconfig')) : undefined
  try {
    if (!argv.length) return await new Msconfig(svc, io, 'interactive', remote).repl()
    return await new Msconfig(svc, io, 'oneshot', remote).exec(argv)
  } catch (err) {
    io.stderr(`msconfig: ${err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)}\n`)
    return 1
  } finally {
    await svc.close()
  }
}
