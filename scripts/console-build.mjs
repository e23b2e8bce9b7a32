// The web console (apps/console) runs from a `next build` output; `npm start` and the console's
// end-to-end tests build it when the build is missing or older than the console's sources.
import { spawnSync } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const consoleDir = join(root, 'apps/console')
// WREN_CONSOLE_DISTDIR: a side build (a bench, a second developer's test run) beside the default .next
const buildId = join(consoleDir, process.env.WREN_CONSOLE_DISTDIR || '.next', 'BUILD_ID')

/** Newest modification time (ms) of the console's sources and build configuration. */
function newestSource() {
  let newest = 0
  const visit = (p) => {
    const st = statSync(p)
    if (st.isDirectory()) { for (const e of readdirSync(p)) visit(join(p, e)) }
    else newest = Math.max(newest, st.mtimeMs)
  }
  visit(join(consoleDir, 'src'))
  for (const f of ['next.config.ts', 'postcss.config.mjs', 'tsconfig.json', 'package.json']) {
    if (existsSync(join(consoleDir, f))) visit(join(consoleDir, f))
  }
  return newest
}

/** Why the console needs a (re)build, or undefined when its build is current. */
export function consoleBuildReason() {
  if (!existsSync(join(consoleDir, 'src'))) return undefined // no console in this checkout
  if (!existsSync(buildId)) return 'missing'
  return statSync(buildId).mtimeMs < newestSource() ? 'stale' : undefined
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
const alive = (pid) => { try { process.kill(pid, 0); return true } catch (e) { return e.code === 'EPERM' } }

/**
 * One build at a time per checkout (two test runs or an `npm start` next to a test run would
 * otherwise write the same .next directory at once); a lock left by a dead process is taken over.
 * The lock lives in the checkout's `.build/`, beside what it guards: one in the machine's shared
 * /tmp, left by another user's killed run, could be neither taken over nor removed.
 */
export function withBuildLock(fn) {
  mkdirSync(join(root, '.build'), { recursive: true })
  const lock = join(root, '.build', `console-build${process.env.WREN_CONSOLE_DISTDIR ? '-' + process.env.WREN_CONSOLE_DISTDIR.replace(/[^\w.-]/g, '_') : ''}.lock`)
  for (;;) {
    try {
      const fd = openSync(lock, 'wx')
      writeSync(fd, String(process.pid))
      closeSync(fd)
      break
    } catch (err) {
      if (err.code !== 'EEXIST') throw err
      let holder = 0
      try { holder = Number(readFileSync(lock, 'utf8')) } catch { /* just released */ }
      if (holder && !alive(holder)) rmSync(lock, { force: true })
      else sleep(500)
    }
  }
  try { return fn() } finally { rmSync(lock, { force: true }) }
}

/** Builds the console when needed; returns false (after printing why) when the build fails. */
export function ensureConsoleBuilt({ log = (l) => console.log(l) } = {}) {
  if (!consoleBuildReason()) return true
  return withBuildLock(() => buildNow(log))
}

function buildNow(log) {
  let announced = false
  const t0 = Date.now()
  for (;;) {
    const reason = consoleBuildReason() // another process may have built it while we waited
    if (!reason) return true
    if (!announced) log(reason === 'missing' ? 'wren: building the console (first run only)…' : 'wren: rebuilding the console (its sources changed)…')
    announced = true
    const r = spawnSync(process.execPath, [join(root, 'node_modules/next/dist/bin/next'), 'build', consoleDir], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
      maxBuffer: 64 * 1024 * 1024,
    })
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`
    // a build started by hand (npm run build -w @wren/console) holds Next's own lock: wait for it
    if (r.status !== 0 && /Another next build process is already running/.test(output) && Date.now() - t0 < 10 * 60_000) {
      sleep(3000)
      continue
    }
    process.stdout.write(output)
    if (r.status !== 0) {
      log(`wren: the console build failed (next build exited ${r.status ?? r.signal}); the daemon starts without it`)
      return false
    }
    return true
  }
}
