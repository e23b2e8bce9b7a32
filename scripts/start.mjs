#!/usr/bin/env node
// `npm start`: installs what a fresh clone lacks, builds the web console when its build is missing
// or stale, then runs the `wren` daemon in the foreground with the data root `$WREN_DATA` (default
// ./data in the checkout). The first run configures the data root and prints the generated admin
// password once; later runs reuse it. The listeners it prints include the console's URL.
// Ctrl-C stops cleanly.
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureInstalled } from './ensure-installed.mjs'
import { ensureConsoleBuilt } from './console-build.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
process.chdir(root)
ensureInstalled()

/** console.enable 0 in WREN_OPTIONS: no need to build it. */
function consoleWanted() {
  try {
    const o = JSON.parse(process.env.WREN_OPTIONS ?? '{}')
    const v = Object.entries(o).find(([k]) => k.toLowerCase() === 'console.enable')?.[1]
    return !(v === 0 || v === '0' || v === false)
  } catch {
    return true
  }
}
if (consoleWanted()) ensureConsoleBuilt()

const daemon = spawn(
  process.execPath,
  ['--no-warnings', '--import', join(root, 'node_modules/tsx/dist/esm/index.mjs'), join(root, 'apps/server/src/main.ts'), ...process.argv.slice(2)],
  { stdio: ['inherit', 'pipe', 'inherit'], env: process.env },
)
// Pass the daemon's output through line by line; right after the console's listener line, print
// its URL.
let pending = ''
daemon.stdout.on('data', (chunk) => {
  pending += chunk.toString()
  const lines = pending.split('\n')
  pending = lines.pop() ?? ''
  let out = ''
  for (const line of lines) {
    out += line + '\n'
    const m = /^ {2}console\s+console\s+(\S+):(\d+)\s+plain$/.exec(line)
    if (m) {
      const host = m[1] === '0.0.0.0' || m[1] === '[::]' ? '127.0.0.1' : m[1]
      out += `  console URL  http://${host}:${m[2]}/\n`
    }
  }
  if (out) process.stdout.write(out)
})
daemon.stdout.on('end', () => { if (pending) process.stdout.write(pending) })
// The terminal's Ctrl-C reaches the daemon directly (same process group); forwarding is for signals
// sent to this process alone. The daemon treats repeated SIGINTs within a second as one.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => { if (daemon.exitCode === null) daemon.kill(sig === 'SIGHUP' ? 'SIGTERM' : sig) })
}
// 'close': after the daemon's output has been passed on
daemon.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
