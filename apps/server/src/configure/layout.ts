// The data root layout (spec 04 B.5 / D.1): config/ db/ queue/ store/ log/ run/ tls/.
// Directories holding secrets or control state are 0700; the rest 0750.
import { chmodSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { DATA_ROOT_DIRS } from '../data-root.js'

const PRIVATE = new Set(['config', 'db', 'run', 'tls'])

export function createLayout(dataRoot: string): void {
  mkdirSync(dataRoot, { recursive: true, mode: 0o750 })
  for (const dir of DATA_ROOT_DIRS) {
    const path = join(dataRoot, dir)
    const mode = PRIVATE.has(dir) ? 0o700 : 0o750
    mkdirSync(path, { recursive: true, mode })
    chmodSync(path, mode)
  }
}
