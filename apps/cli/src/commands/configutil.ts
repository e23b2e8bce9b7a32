// `configutil` — the legacy configuration tool (spec 04 A.1) over the unified configuration: -o get,
// -o -v set (`OK SET`), -o -d delete, -p list, -H help blocks, -m REFRESHABLE metadata, -V validate,
// -i import. Legacy names are translated (`configutil -H -o logfile.imap.expirytime` names
// `imap.logfile.expirytime`). Exit codes: 0 ok, 1 error, 64 usage.
import { resolve } from 'node:path'
import { openConfig } from '@wren/config'
import { Configutil } from '@wren/config/cli/configutil'
import type { CliIO } from '../io.js'

export async function run(argv: string[], io: CliIO): Promise<number> {
  const dataRoot = resolve(io.cwd, io.env.WREN_DATA || './data')
  let svc
  try {
    svc = await openConfig(dataRoot)
  } catch (err) {
    io.stderr(`configutil: cannot open the configuration of ${dataRoot}: ${(err as Error).message}\n`)
    return 1
  }
  try {
    return await new Configutil(svc, io).run(argv)
  } catch (err) {
    io.stderr(`configutil: ${(err as Error).message}\n`)
    return 1
  } finally {
    await svc.close()
  }
}
