// Test-only service (WREN_TEST_SERVICES=1) that fails for real, as WREN_TEST_THROW says:
// `start` → throws in start(); `runtime` → throws from a timer after starting (uncaughtException);
// `once-start` → throws in start() only the first time (marker file in the data root's run/).
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fixtureService } from './fixture.js'

export const createService = () =>
  fixtureService('thrower', {
    onStart(ctx) {
      const mode = process.env.WREN_TEST_THROW ?? ''
      if (mode === 'start') throw new Error('thrower: failing in start as asked')
      if (mode === 'once-start') {
        const marker = join(ctx.dataRoot, 'run', 'thrower.threw')
        if (!existsSync(marker)) {
          writeFileSync(marker, String(process.pid))
          throw new Error('thrower: failing in start once')
        }
      }
      if (mode === 'runtime') setTimeout(() => { throw new Error('thrower: failing at run time as asked') }, 300)
    },
  })
