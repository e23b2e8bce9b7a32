// The console build lock (scripts/console-build.mjs) is per checkout, in `.build/`: a lock left by a
// killed run is taken over, and nothing in the machine's shared /tmp can block another user's
// `npm start` (a stale root-owned /tmp lock used to crash it with ENOTDIR).
import { afterEach, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { repo } from './harness.js'

const DISTDIR = '.next-locktest'
const lock = join(repo, '.build', `console-build-${DISTDIR}.lock`)
afterEach(() => { rmSync(lock, { force: true }); delete process.env.WREN_CONSOLE_DISTDIR })

describe('console build lock', () => {
  it('lives in the checkout, is released after the build, and a dead holder\'s lock is taken over', async () => {
    process.env.WREN_CONSOLE_DISTDIR = DISTDIR
    const { withBuildLock } = await import('../../scripts/console-build.mjs')
    // a killed run's lock: the pid of a process that has exited
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim()
    mkdirSync(join(repo, '.build'), { recursive: true })
    writeFileSync(lock, dead)
    const seen = withBuildLock(() => readFileSync(lock, 'utf8'))
    expect(seen).toBe(String(process.pid)) // taken over, held while the build runs
    expect(existsSync(lock)).toBe(false)
    expect(existsSync(join('/tmp', `wren-console-build-${DISTDIR}.lock`))).toBe(false)
  })
})
