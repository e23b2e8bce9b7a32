// Disk layout (spec 02 §14, spec 03 §2). Under a partition path:
//   =user/<hh>/<hh>/=<userid>/store.idx        the user's index (SQLite, WAL): every folder of the user
//   =user/<hh>/<hh>/=<userid>/store.chg        change doorbell (watched with inotify by other processes)
//   =user/<hh>/<hh>/=<userid>/f<id>/store.meta folder name + UIDVALIDITY (for reconstruct without index)
//   =user/<hh>/<hh>/=<userid>/f<id>/<nn>/<uid>.msg   message files, nn = floor(uid/100) mod 100
//   tmp/                                        temp files of deliveries in progress (same filesystem)
// Folders are keyed by a stable numeric id, so RENAME is an index-only (atomic) change; COPY and
// single-copy delivery hard-link the message file.
// Store-wide: <dataRoot>/store/mboxlist/mboxlist.db (users, partitions, quota usage, ACL index).
import path from 'node:path'
import type { ConfigView } from '@wren/kernel'
import { hashdir } from './hashdir.js'

export class Layout {
  readonly storeRoot: string
  readonly partitions = new Map<string, string>()
  readonly defaultPartition: string

  constructor(readonly dataRoot: string, config: ConfigView) {
    this.storeRoot = path.join(dataRoot, 'store')
    // partition:<name>.path (spec 03 §2); legacy store.partition.<name>.path
    for (const { name, value } of [...config.list('store.partition.*.path'), ...config.list('partition:*.path')]) {
      const m = /^(?:partition:|store\.partition\.)([a-z0-9]+)\.path$/i.exec(name)
      if (m && typeof value === 'string' && value) this.partitions.set(m[1].toLowerCase(), path.resolve(dataRoot, value))
    }
    if (!this.partitions.has('primary')) this.partitions.set('primary', path.join(this.storeRoot, 'partition', 'primary'))
    const def = String(config.find('store.defaultpartition') ?? 'primary').toLowerCase()
    this.defaultPartition = this.partitions.has(def) ? def : 'primary'
  }

  partitionPath(name: string): string {
    const p = this.partitions.get(name)
    if (!p) throw new Error(`Unknown/invalid partition ${name}`)
    return p
  }

  userDir(partition: string, userid: string): string {
    return path.join(this.partitionPath(partition), '=user', hashdir(userid), '=' + userid)
  }

  tmpDir(partition: string): string {
    return path.join(this.partitionPath(partition), 'tmp')
  }

  mboxlistPath(): string {
    return path.join(this.storeRoot, 'mboxlist', 'mboxlist.db')
  }
}

export function folderDir(userDir: string, mailboxId: number): string {
  return path.join(userDir, 'f' + mailboxId)
}

/** `<nn>/<uid>.msg`, nn = floor(uid/100) mod 100 (spec 02 §14). */
export function messageRelPath(uid: number): string {
  const nn = Math.floor(uid / 100) % 100
  return path.join(nn < 10 ? '0' + nn : String(nn), `${uid}.msg`)
}

export function messagePath(userDir: string, mailboxId: number, uid: number): string {
  return path.join(folderDir(userDir, mailboxId), messageRelPath(uid))
}
