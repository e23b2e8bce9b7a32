/**
 * The selected-state view of one session (RFC 3501 §5.2, §7.4.1): the session's own message
 * sequence (a compact growable UID array), its \Recent set, and the modseq up to which it has told
 * the client about changes. Changes by other sessions/processes are learned from the store's change
 * notices and `changesSince`, and turned into EXPUNGE/VANISHED, EXISTS, RECENT and FETCH FLAGS.
 */
import type { FlagEntry, MailboxView } from '@wren/store'
import { lowerBound } from '../protocol/seqset.js'
import { flagList } from './flags.js'
import { RecentSet } from './recent.js'

export interface PollOptions {
  /** EXPUNGE responses are forbidden during FETCH, STORE and SEARCH (RFC 3501 §7.4.1). */
  allowExpunge: boolean
  /** Add `UID n` to unsolicited FETCH (RFC 3501 §6.4.8 for UID commands; RFC 7162 requires it with CONDSTORE). */
  withUid: boolean
  condstore: boolean
  qresync: boolean
}

export class SelectedMailbox {
  private arr: Uint32Array
  private len = 0
  readonly recent = new RecentSet()
  /** UIDs expunged elsewhere but not yet reported to the client (kept in the sequence until then). */
  private readonly pendingExpunge = new Set<number>()
  /** Modseq of flag changes this session made itself (no unsolicited FETCH echo). */
  private readonly own = new Map<number, number>()
  modseq: number
  dirty = false
  private unwatch: () => void
  /** SEARCHRES (RFC 5182) saved result, as UIDs. */
  saved: number[] = []

  constructor(readonly view: MailboxView, readonly readOnly: boolean, onNotice: () => void) {
    const uids = view.uids()
    this.arr = new Uint32Array(Math.max(16, uids.length + 16))
    this.arr.set(uids)
    this.len = uids.length
    this.modseq = view.info.highestModseq
    if (!readOnly) this.recent.addMany(view.claimRecentUids())
    this.unwatch = view.watch(() => {
      this.dirty = true
      onNotice()
    })
  }

  get count(): number { return this.len }
  get maxUid(): number { return this.len ? this.arr[this.len - 1] : 0 }
  uidAt(index: number): number { return this.arr[index] }
  /** The live UID array (read-only use). */
  uids(): Uint32Array { return this.arr.subarray(0, this.len) }
  indexOf(uid: number): number {
    const i = lowerBound(this.uids(), uid)
    return i < this.len && this.arr[i] === uid ? i : -1
  }
  isExpunged(uid: number): boolean { return this.pendingExpunge.has(uid) }
  get hasPendingExpunge(): boolean { return this.pendingExpunge.size > 0 }

  noteOwn(entries: FlagEntry[]): void {
    for (const e of entries) this.own.set(e.uid, e.modseq)
  }

  private push(uid: number): void {
    if (this.len === this.arr.length) {
      const n = new Uint32Array(this.arr.length * 2)
      n.set(this.arr)
      this.arr = n
    }
    this.arr[this.len++] = uid
  }

  /** Removes one uid; returns its former 1-based sequence number or 0. */
  remove(uid: number): number {
    const i = this.indexOf(uid)
    if (i < 0) return 0
    this.arr.copyWithin(i, i + 1, this.len)
    this.len--
    this.recent.delete(uid)
    this.pendingExpunge.delete(uid)
    this.own.delete(uid)
    return i + 1
  }

  /** Reports expunges this session caused (EXPUNGE / MOVE): removes and returns response lines. */
  expungeLines(uids: readonly number[], qresync: boolean): string[] {
    const sorted = [...uids].sort((a, b) => a - b)
    if (qresync) {
      const gone = sorted.filter((u) => this.remove(u) > 0)
      return gone.length ? [`* VANISHED ${formatUids(gone)}`] : []
    }
    const lines: string[] = []
    // Descending order keeps the other sequence numbers stable while we report.
    for (let k = sorted.length - 1; k >= 0; k--) {
      const seq = this.remove(sorted[k])
      if (seq) lines.push(`* ${seq} EXPUNGE`)
    }
    return lines
  }

  /** Collects changes since the last poll and renders the untagged responses the client may see now. */
  poll(o: PollOptions): string[] {
    const lines: string[] = []
    const ch = this.view.changesSince(this.modseq)
    this.dirty = false
    this.modseq = Math.max(this.modseq, ch.highestModseq)
    for (const u of ch.vanished) if (this.indexOf(u) >= 0) this.pendingExpunge.add(u)
    if (o.allowExpunge && this.pendingExpunge.size) lines.push(...this.expungeLines([...this.pendingExpunge], o.qresync))
    const max = this.maxUid
    let added = 0
    for (const e of ch.changed) {
      if (e.uid > max) {
        if (this.pendingExpunge.has(e.uid)) continue
        this.push(e.uid)
        added++
        continue
      }
      if (this.pendingExpunge.has(e.uid)) continue
      const mine = this.own.get(e.uid)
      if (mine !== undefined && mine >= e.modseq) continue
      const i = this.indexOf(e.uid)
      if (i < 0) continue
      let items = `FLAGS ${flagList(e, this.recent.has(e.uid))}`
      if (o.withUid || o.condstore) items = `UID ${e.uid} ${items}`
      if (o.condstore) items += ` MODSEQ (${e.modseq})`
      lines.push(`* ${i + 1} FETCH (${items})`)
    }
    this.own.clear()
    if (added) {
      let claimed = 0
      if (!this.readOnly) claimed = this.recent.addMany(this.view.claimRecentUids())
      lines.push(`* ${this.len} EXISTS`)
      if (claimed || added) lines.push(`* ${this.recent.size} RECENT`)
    }
    return lines
  }

  close(): void {
    this.unwatch()
    this.view.close()
  }
}

export function formatUids(uids: readonly number[]): string {
  const parts: string[] = []
  let i = 0
  while (i < uids.length) {
    let j = i
    while (j + 1 < uids.length && uids[j + 1] === uids[j] + 1) j++
    parts.push(i === j ? `${uids[i]}` : `${uids[i]}:${uids[j]}`)
    i = j + 1
  }
  return parts.join(',')
}
