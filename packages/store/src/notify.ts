// Change notification between sessions of one mailbox, within a process and across processes.
// Every committed change rings the owner's doorbell file (`store.chg`: one byte rewritten). Each process
// keeps ONE inotify watch (fs.watch) per user that has watchers, and on a ring re-reads the counters
// (highestmodseq, uidnext, exists) of each watched mailbox once, then calls only the watchers whose
// mailbox actually changed. Idle watchers cost a Set entry; nothing polls.
import fs from 'node:fs'
import path from 'node:path'
import type { MailboxChangeNotice } from './types.js'

export type Counters = { highestModseq: number; uidNext: number; messages: number }

interface Watcher {
  mailboxId: number
  last: Counters
  cb: (n: MailboxChangeNotice) => void
}

interface UserWatch {
  owner: string
  dir: string
  fsw: fs.FSWatcher | null
  watchers: Set<Watcher>
  scheduled: boolean
  read: (mailboxId: number) => Counters | null
}

const ONE = Buffer.from('1')

export function doorbellPath(userDir: string): string {
  return path.join(userDir, 'store.chg')
}

export class ChangeHub {
  private users = new Map<string, UserWatch>()

  /** Tell every process watching `userDir` that its index changed. */
  ring(owner: string, userDir: string, openFd?: () => number): void {
    try {
      if (openFd) fs.writeSync(openFd(), ONE, 0, 1, 0) // the index connection's open doorbell
      else {
        const fd = fs.openSync(doorbellPath(userDir), fs.constants.O_WRONLY | fs.constants.O_CREAT, 0o600)
        try { fs.writeSync(fd, ONE, 0, 1, 0) } finally { fs.closeSync(fd) }
      }
    } catch { /* the user directory was removed */ }
    const u = this.users.get(owner)
    if (u) this.schedule(u)
  }

  watch(owner: string, userDir: string, mailboxId: number, initial: Counters, read: (mailboxId: number) => Counters | null,
    cb: (n: MailboxChangeNotice) => void): () => void {
    let u = this.users.get(owner)
    if (!u) {
      u = { owner, dir: userDir, fsw: null, watchers: new Set(), scheduled: false, read }
      const file = doorbellPath(userDir)
      try {
        if (!fs.existsSync(file)) fs.writeFileSync(file, '0')
        const uw = u
        u.fsw = fs.watch(file, { persistent: false }, () => this.schedule(uw))
        u.fsw.on('error', () => {})
      } catch { /* no inotify: in-process notifications still work */ }
      this.users.set(owner, u)
    }
    const w: Watcher = { mailboxId, last: { ...initial }, cb }
    u.watchers.add(w)
    const uu = u
    return () => {
      uu.watchers.delete(w)
      if (uu.watchers.size === 0) {
        uu.fsw?.close()
        this.users.delete(owner)
      }
    }
  }

  private schedule(u: UserWatch): void {
    if (u.scheduled) return
    u.scheduled = true
    setImmediate(() => {
      u.scheduled = false
      const byMailbox = new Map<number, Counters | null>()
      for (const w of [...u.watchers]) {
        if (!byMailbox.has(w.mailboxId)) {
          let c: Counters | null = null
          try { c = u.read(w.mailboxId) } catch { c = null }
          byMailbox.set(w.mailboxId, c)
        }
        const c = byMailbox.get(w.mailboxId)
        if (!c) continue
        if (c.highestModseq === w.last.highestModseq && c.uidNext === w.last.uidNext && c.messages === w.last.messages) continue
        w.last = { ...c }
        try { w.cb({ owner: u.owner, mailboxId: w.mailboxId, ...c }) } catch { /* a watcher's bug is its own */ }
      }
    })
  }

  close(): void {
    for (const u of this.users.values()) u.fsw?.close()
    this.users.clear()
  }
}
