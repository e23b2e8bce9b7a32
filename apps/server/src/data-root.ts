// The data root (spec 04 B.5 DataRoot): `$WREN_DATA`, else `./data` relative to the working directory.
import { resolve } from 'node:path'

export const DATA_ROOT_DIRS = ['config', 'db', 'queue', 'store', 'log', 'run', 'tls'] as const

export function resolveDataRoot(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const v = env.WREN_DATA?.trim()
  return resolve(cwd, v ? v : './data')
}
