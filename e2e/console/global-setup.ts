// Playwright global setup: builds the console if its build is missing or stale (as `npm start`
// does), starts the daemon (daemon.ts) and hands its coordinates to the tests through the
// environment (Playwright passes global setup's process.env on to the workers). The returned
// function is the global teardown: it stops the daemon and removes the data root.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { ensureConsoleBuilt } from '../../scripts/console-build.mjs'
import { repo, startConsoleDaemon } from './daemon.js'

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!ensureConsoleBuilt()) throw new Error('the console build failed (see the next build output above)')
  mkdirSync(join(repo, 'test-results', 'screenshots'), { recursive: true })
  const daemon = await startConsoleDaemon()
  process.env.WREN_E2E_CONSOLE_URL = daemon.consoleUrl
  process.env.WREN_E2E_ADMIN_URL = daemon.adminUrl
  process.env.WREN_E2E_ADMIN_PASSWORD = daemon.adminPassword
  process.env.WREN_E2E_DOMAIN = daemon.defaultDomain
  process.env.WREN_E2E_DATA = daemon.dataRoot
  return async () => {
    if (process.env.WREN_E2E_KEEP_OUTPUT) process.stdout.write(daemon.output())
    await daemon.stop()
  }
}
