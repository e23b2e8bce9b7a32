// RFC 1939 §4: "the POP3 server then acquires an exclusive-access lock on the maildrop". The lock
// must hold across processes (the POP service, a second POP process, tests), so it is a lock file
// `run/poplock/<userid>` created with O_EXCL holding the owner's pid; a file whose pid is gone is stale.
import { mkdirSync, openSync, closeSync, writeSync, readFileSync, unlinkSync, fsyncSync } from 'node:fs'
import { join } from 'node:path'

export class MaildropLocks {
  private readonly dir: string
  private readonly held = new Set<string>()

  constructor(dataRoot: string) {
    this.dir = join(dataRoot, 'run', 'poplock')
    mkdirSync(this.dir, { recursive: true })
  }

  private file(userid: string): string {
    return join(this.dir, encodeURIComponent(userid))
  }

  /** Takes the lock; false when another session (here or in another process) holds it. */
  acquire(userid: string): boolean {
    if (this.held.has(userid)) return false
    const path = this.file(userid)
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o600)
        try {
          writeSync(fd, `${process.pid}\n`)
          fsyncSync(fd)
        } finally {
          closeSync(fd)
        }
        this.held.add(userid)
        return true
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
        if (!this.isStale(path)) return false
        try { unlinkSync(path) } catch { /* raced with another remover */ }
      }
    }
    return false
  }

  release(userid: string): void {
    if (!this.held.delete(userid)) return
    try { unlinkSync(this.file(userid)) } catch { /* already gone */ }
  }

  /** Releases every lock this process holds (service stop). */
  releaseAll(): void {
    for (const u of [...this.held]) this.release(u)
  }

  private isStale(path: string): boolean {
    let pid: number
    try {
      pid = Number.parseInt(readFileSync(path, 'utf8'), 10)
    } catch {
      return false // being written right now: treat as held
    }
    if (!Number.isInteger(pid) || pid <= 0) return true
    if (pid === process.pid) return false // ours, but not in `held`: a session of this process is taking it
    try {
      process.kill(pid, 0)
      return false
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ESRCH'
    }
  }
}
