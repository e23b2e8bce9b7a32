// Shared helpers of the SMTP benchmarks: free ports, RSS sampling, condition waits, smtp-source.
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'

const ROOT = new URL('../..', import.meta.url).pathname
export const PF_SBIN = join(ROOT, '.tools/pf/usr/sbin')
export const PF_LIB = join(ROOT, '.tools/pf/usr/lib/postfix')

/**
 * A fresh directory for one run's data (Wren's data root, Postfix's and Dovecot's directories).
 * Its parent is marked as the top of a directory hierarchy (`chattr +T`), so that ext4's Orlov
 * allocator places each run in block groups of its own: in the groups of /tmp, where test suites
 * and earlier runs have just deleted thousands of files, a file-system without a journal (this
 * machine's root) scans every recently freed inode before it reuses one — measured 200 µs per
 * file created there against 18 µs elsewhere, which would charge a store of one file per message
 * for the previous run's clean-up. Both servers of compare.ts get the same treatment.
 */
export function runDir(prefix: string): string {
  const parent = join(tmpdir(), 'wren-bench-runs')
  mkdirSync(parent, { recursive: true, mode: 0o755 })
  try { execFileSync('chattr', ['+T', parent], { stdio: 'ignore' }) } catch { /* not ext2/3/4, or no chattr: the default placement */ }
  return mkdtempSync(join(parent, prefix))
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export const freePort = () => new Promise<number>((resolve, reject) => {
  const s = createServer()
  s.once('error', reject)
  s.listen(0, '127.0.0.1', () => { const a = s.address(); s.close(() => resolve(typeof a === 'object' && a ? a.port : 0)) })
})

/** Resident set size of a process in MB (from /proc). */
export const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024

/** Bytes written to the machine's whole disks so far (/proc/diskstats, sectors of 512 bytes; partitions and virtual devices skipped). */
export function diskWrittenBytes(): number {
  execFileSync('sync') // (what earlier work left in the page cache is counted before, this run's after)
  let sectors = 0
  for (const line of readFileSync('/proc/diskstats', 'utf8').split('\n')) {
    const f = line.trim().split(/\s+/)
    if (f.length < 10 || /^(loop|ram|dm-|sr)/.test(f[2]) || /^(sd[a-z]+|vd[a-z]+|xvd[a-z]+)\d+$|p\d+$/.test(f[2])) continue
    sectors += Number(f[9])
  }
  return sectors * 512
}

export const loadAverage = () => loadavg().map((x) => x.toFixed(2)).join(' ')

export async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timeout waiting for ${what}`)
    await sleep(everyMs)
  }
}

/** postfix's smtp-source: `sessions` parallel sessions, `messages` messages of 2 KB. */
export function runSmtpSource(o: { port: number; sessions: number; messages: number; from: string; to: string; size?: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(join(PF_SBIN, 'smtp-source'), ['-s', String(o.sessions), '-m', String(o.messages), '-l', String(o.size ?? 2048), '-f', o.from, '-t', o.to, `127.0.0.1:${o.port}`],
      { env: { ...process.env, LD_LIBRARY_PATH: PF_LIB }, stdio: ['ignore', 'inherit', 'inherit'] })
    p.once('error', reject)
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`smtp-source exited ${code}`))))
  })
}
