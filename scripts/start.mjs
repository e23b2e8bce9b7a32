#!/usr/bin/env node
// `npm start`: installs what a fresh clone lacks, then runs the `wren` daemon in the foreground with
// the data root `$WREN_DATA` (default ./data in the checkout). The first run configures the data
// root and prints the generated admin password once; later runs reuse it. Ctrl-C stops cleanly.
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureInstalled } from './ensure-installed.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
process.chdir(root)
ensureInstalled()

const daemon = spawn(
  process.execPath,
  ['--no-warnings', '--import', join(root, 'node_modules/tsx/dist/esm/index.mjs'), join(root, 'apps/server/src/main.ts'), ...process.argv.slice(2)],
  { stdio: 'inherit', env: process.env },
)
// The terminal's Ctrl-C reaches the daemon directly (same process group); forwarding is for signals
// sent to this process alone. The daemon treats repeated SIGINTs within a second as one.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => { if (daemon.exitCode === null) daemon.kill(sig === 'SIGHUP' ? 'SIGTERM' : sig) })
}
daemon.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
