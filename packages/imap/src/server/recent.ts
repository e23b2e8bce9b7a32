/**
 * The session's \Recent set (RFC 3501 §2.3.2): the UIDs this session claimed. A first SELECT of a big
 * mailbox claims every message, so the bulk claim is kept as one sorted Uint32Array (binary search)
 * instead of a 100k-entry Set; later claims and removals are small Sets on top.
 */
import { lowerBound } from '../protocol/seqset.js'

export class RecentSet {
  private base: Uint32Array = new Uint32Array(0)
  private readonly removed = new Set<number>()
  private readonly extra = new Set<number>()

  get size(): number { return this.base.length - this.removed.size + this.extra.size }

  /** Adds a claim (ascending UIDs, as `MailboxView.claimRecentUids` returns them). */
  addMany(uids: Uint32Array): number {
    if (!uids.length) return 0
    if (this.size === 0) {
      this.base = uids
      this.removed.clear()
      this.extra.clear()
    } else for (const u of uids) this.add(u)
    return uids.length
  }

  add(uid: number): void {
    if (this.inBase(uid)) this.removed.delete(uid)
    else this.extra.add(uid)
  }

  has(uid: number): boolean {
    if (this.extra.has(uid)) return true
    return this.inBase(uid) && !this.removed.has(uid)
  }

  delete(uid: number): void {
    if (this.extra.delete(uid)) return
    if (this.inBase(uid)) this.removed.add(uid)
  }

  private inBase(uid: number): boolean {
    const i = lowerBound(this.base, uid)
    return i < this.base.length && this.base[i] === uid
  }
}
