// A selected mailbox (RFC 3501 §6.3.1 SELECT / §6.3.2 EXAMINE): flag scans, metadata, message bytes,
// \Recent claiming, STORE, EXPUNGE, COPY/MOVE (RFC 4315 COPYUID, RFC 6851), CONDSTORE/QRESYNC changes,
// brute-force substring SEARCH and change watching.
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import {
  FLAG_DELETED, FLAG_SEEN, MailboxNotFoundError, OverQuotaError, PermissionDeniedError,
  type CopyResult, type FlagEntry, type MailboxChangeNotice, type MailboxChanges, type MailboxInfo, type MailboxName,
  type MailboxView, type MessageMeta, type MessageSummary, type MimePart, type StoreFlagsRequest, type StoreFlagsResult,
} from './types.js'
import { mailboxInfo, type AppendEntry, type StoreImpl } from './store.js'
import type { MailboxRow, MessageRow, UserDb } from './userdb.js'
import type { Session } from './session.js'
import { messagePath } from './layout.js'
import { readRange } from './fsutil.js'
import { applyFlags, ensFlagLetters, keywordsFromText, keywordsToText, parseFlagList, sameKeywords } from './flags.js'
import { decodedHeaderText, messageText } from './search.js'

/** Shared by every entry without keywords (scans of 100k rows allocate one object per row, not two). */
const NO_KEYWORDS: string[] = Object.freeze([]) as unknown as string[]

export class View implements MailboxView {
  private row: MailboxRow
  private unwatchers = new Set<() => void>()
  private closed = false

  constructor(
    private readonly store: StoreImpl, private readonly session: Session, readonly owner: string,
    private readonly udb: UserDb, row: MailboxRow, readonly readOnly: boolean, readonly rights: string,
    /** Non-null: \Seen comes from the per-user table for this user (shareflags=0, spec 03 §9). */
    private readonly seenUser: string | null,
  ) {
    this.row = row
    udb.refs++
  }

  get info(): MailboxInfo { return mailboxInfo(this.owner, this.udb.partition, this.row) }

  get id(): number { return this.row.id }

  refresh(): MailboxInfo {
    const r = this.udb.mailbox(this.row.id)
    if (!r) throw new MailboxNotFoundError(this.row.folder)
    this.row = r
    return this.info
  }

  uids(): Uint32Array {
    return this.store.uidList(this.udb, this.row.id).slice()
  }

  private toEntries(rows: Array<[number, number, number, string | null]>, from: number, to: number): FlagEntry[] {
    const out = new Array<FlagEntry>(rows.length)
    let seen: Set<number> | null = null
    if (this.seenUser) seen = new Set(this.udb.s.seenOf.all(this.row.id, this.seenUser, from, to) as number[])
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]
      let flags = r[2]
      if (seen) flags = (flags & ~FLAG_SEEN) | (seen.has(r[0]) ? FLAG_SEEN : 0)
      out[i] = { uid: r[0], modseq: r[1], flags, keywords: r[3] ? r[3].split(' ') : NO_KEYWORDS }
    }
    return out
  }

  flags(range: { from?: number; to?: number } = {}): FlagEntry[] {
    const from = range.from ?? 1
    const to = range.to ?? 0xffffffff
    if (to - from < 256) return this.toEntries(this.udb.s.flagScan.all(this.row.id, from, to) as Array<[number, number, number, string | null]>, from, to)
    // Big ranges: keyword-free rows packed in one BLOB, the (usually few) keyword rows merged in by uid;
    // both reads in one transaction so that they see the same snapshot (WAL).
    return this.udb.db.transaction(() => {
      const blob = this.udb.s.flagPacked.get(this.row.id, from, to) as Buffer | null
      const kw = this.udb.s.flagKeywordRows.all(this.row.id, from, to) as Array<[number, number, number, string]>
      const seen = this.seenUser ? new Set(this.udb.s.seenOf.all(this.row.id, this.seenUser, from, to) as number[]) : null
      const n = blob ? blob.length >>> 4 : 0
      const out = new Array<FlagEntry>(n + kw.length)
      const dv = blob ? new DataView(blob.buffer, blob.byteOffset, n << 4) : null
      let o = 0
      let k = 0
      let sorted = true
      let last = 0
      for (let i = 0; i < n; i++) {
        const p = i << 4
        const uid = dv!.getUint32(p)
        while (k < kw.length && kw[k][0] < uid) out[o++] = this.kwEntry(kw[k++], seen)
        let flags = dv!.getUint32(p + 12)
        if (seen) flags = (flags & ~FLAG_SEEN) | (seen.has(uid) ? FLAG_SEEN : 0)
        if (uid <= last) sorted = false
        last = uid
        out[o++] = { uid, modseq: dv!.getUint32(p + 4) * 4294967296 + dv!.getUint32(p + 8), flags, keywords: NO_KEYWORDS }
      }
      while (k < kw.length) out[o++] = this.kwEntry(kw[k++], seen)
      // The primary-key scan yields ascending uids; keep the invariant even if a query plan changed that.
      return sorted ? out : out.sort((a, b) => a.uid - b.uid)
    })()
  }

  private kwEntry(r: [number, number, number, string], seen: Set<number> | null): FlagEntry {
    const flags = seen ? (r[2] & ~FLAG_SEEN) | (seen.has(r[0]) ? FLAG_SEEN : 0) : r[2]
    return { uid: r[0], modseq: r[1], flags, keywords: r[3].split(' ') }
  }

  firstUnseenUid(fromUid = 1): number {
    const u = this.seenUser
      ? this.udb.s.firstUnseenOf.get(this.row.id, fromUid, this.seenUser)
      : this.udb.s.firstUnseen.get(this.row.id, fromUid)
    return (u as number | undefined) ?? 0
  }

  flagsOf(uids: readonly number[]): FlagEntry[] {
    if (uids.length === 0) return []
    const sorted = [...uids].sort((a, b) => a - b)
    // One range scan when dense, point lookups when sparse.
    if (sorted.length > 64) {
      const want = new Set(sorted)
      const all = this.flags({ from: sorted[0], to: sorted[sorted.length - 1] })
      const byUid = new Map(all.filter((e) => want.has(e.uid)).map((e) => [e.uid, e]))
      return uids.map((u) => byUid.get(u)).filter((e): e is FlagEntry => !!e)
    }
    const out: FlagEntry[] = []
    for (const u of uids) { const e = this.flags({ from: u, to: u })[0]; if (e) out.push(e) }
    return out
  }

  private messageRow(uid: number): MessageRow | undefined {
    return this.udb.s.message.get(this.row.id, uid) as MessageRow | undefined
  }

  summaries(range: { from?: number; to?: number } = {}): MessageSummary[] {
    const from = range.from ?? 1
    const to = range.to ?? 0xffffffff
    const rows = this.udb.s.summaries.all(this.row.id, from, to) as Array<[number, number, number, string | null, number, number, number, number, string | null]>
    const seen = this.seenUser ? new Set(this.udb.s.seenOf.all(this.row.id, this.seenUser, from, to) as number[]) : null
    return rows.map((r) => ({
      uid: r[0], modseq: r[1], flags: seen ? (r[2] & ~FLAG_SEEN) | (seen.has(r[0]) ? FLAG_SEEN : 0) : r[2],
      keywords: r[3] ? r[3].split(' ') : [], size: r[4], headerSize: r[5], internalDate: r[6], saveDate: r[7], messageId: r[8],
    }))
  }

  meta(uid: number): MessageMeta | null {
    const m = this.messageRow(uid)
    if (!m) return null
    const c = this.udb.s.cacheRow.get(this.row.id, uid) as { message_id: string | null; envelope: string; structure: string } | undefined
    if (!c) return null
    let flags = m.flags
    if (this.seenUser) flags = (flags & ~FLAG_SEEN) | (this.udb.s.seenHas.get(this.row.id, this.seenUser, uid) ? FLAG_SEEN : 0)
    return {
      uid, modseq: m.modseq, flags, keywords: keywordsFromText(m.keywords), internalDate: m.internal_date,
      saveDate: m.save_date, size: m.size, headerSize: m.header_size, messageId: c.message_id,
      envelope: JSON.parse(c.envelope), structure: JSON.parse(c.structure),
    }
  }

  metas(uids: readonly number[]): MessageMeta[] {
    const out: MessageMeta[] = []
    for (const u of uids) { const m = this.meta(u); if (m) out.push(m) }
    return out
  }

  filePath(uid: number): string {
    return messagePath(this.udb.dir, this.row.id, uid)
  }

  async read(uid: number, start = 0, end?: number): Promise<Buffer> {
    const m = this.messageRow(uid)
    if (!m) throw new MailboxNotFoundError(`${this.row.folder} uid ${uid}`)
    const e = Math.min(end ?? m.size, m.size)
    return readRange(this.filePath(uid), Math.max(0, start), e)
  }

  async header(uid: number): Promise<Buffer> {
    const m = this.messageRow(uid)
    if (!m) throw new MailboxNotFoundError(`${this.row.folder} uid ${uid}`)
    return readRange(this.filePath(uid), 0, m.header_size)
  }

  claimRecent(): number[] {
    return Array.from(this.claimRecentUids())
  }

  claimRecentUids(): Uint32Array {
    if (this.readOnly) return new Uint32Array(0)
    return this.udb.write(() => {
      const r = this.udb.mailbox(this.row.id)
      if (!r || r.uidnext - 1 <= r.recent_uid) return new Uint32Array(0)
      // The recent uids are the tail of the (cached) uid list above recent_uid: no second 100k-row scan.
      const list = this.store.uidList(this.udb, r.id)
      let lo = 0
      let hi = list.length
      while (lo < hi) { const mid = (lo + hi) >>> 1; if (list[mid] <= r.recent_uid) lo = mid + 1; else hi = mid }
      this.udb.s.setRecent.run(r.uidnext - 1, r.id)
      return list.slice(lo)
    })
  }

  private writable(): void {
    if (this.readOnly) throw new PermissionDeniedError('Mailbox is read-only')
  }

  storeFlags(uids: readonly number[], req: StoreFlagsRequest): StoreFlagsResult {
    this.writable()
    const f = parseFlagList(req.flags)
    // RFC 4314 §4: flags needing rights the user lacks are ignored; `replace` keeps their old values.
    let mask = ~0
    if (!this.rights.includes('s')) mask &= ~FLAG_SEEN
    if (!this.rights.includes('t')) mask &= ~FLAG_DELETED
    const canW = this.rights.includes('w')
    if (!canW) mask &= FLAG_SEEN | FLAG_DELETED
    const seenUser = this.seenUser
    const updated: FlagEntry[] = []
    const modified: number[] = []
    const seenAdded: number[] = []
    const deletedAdded: number[] = []
    const changedOther: number[] = []
    const res = this.udb.write(() => {
      const mb = this.udb.mailbox(this.row.id)
      if (!mb) throw new MailboxNotFoundError(this.row.folder)
      let modseq = mb.highestmodseq
      let dSeen = 0
      let dDeleted = 0
      const sorted = [...new Set(uids)].sort((a, b) => a - b)
      for (const uid of sorted) {
        const m = this.messageRow(uid)
        if (!m) continue
        let curBits = m.flags
        if (seenUser) curBits = (curBits & ~FLAG_SEEN) | (this.udb.s.seenHas.get(mb.id, seenUser, uid) ? FLAG_SEEN : 0)
        const curKw = keywordsFromText(m.keywords)
        if (req.unchangedSince !== undefined && m.modseq > req.unchangedSince) { modified.push(uid); continue }
        const next = applyFlags(req.mode, curBits, curKw, f.bits & mask, canW ? f.keywords : [])
        const bits = (next.bits & mask) | (curBits & ~mask)
        const kws = canW ? next.keywords : curKw
        if (bits === curBits && sameKeywords(kws, curKw)) continue
        modseq++
        if (seenUser) {
          if ((bits & FLAG_SEEN) !== (curBits & FLAG_SEEN)) {
            if (bits & FLAG_SEEN) this.udb.s.seenAdd.run(mb.id, seenUser, uid)
            else this.udb.s.seenDel.run(mb.id, seenUser, uid)
          }
          this.udb.s.setFlags.run((bits & ~FLAG_SEEN) | (m.flags & FLAG_SEEN), keywordsToText(kws), modseq, mb.id, uid)
        } else {
          this.udb.s.setFlags.run(bits, keywordsToText(kws), modseq, mb.id, uid)
          dSeen += (bits & FLAG_SEEN) - (curBits & FLAG_SEEN)
        }
        dDeleted += ((bits & FLAG_DELETED) - (curBits & FLAG_DELETED)) / FLAG_DELETED
        if ((bits & FLAG_SEEN) && !(curBits & FLAG_SEEN)) seenAdded.push(uid)
        if ((bits & FLAG_DELETED) && !(curBits & FLAG_DELETED)) deletedAdded.push(uid)
        else if (!((bits & FLAG_SEEN) && !(curBits & FLAG_SEEN))) changedOther.push(uid)
        updated.push({ uid, modseq, flags: bits, keywords: kws })
      }
      if (modseq !== mb.highestmodseq) this.udb.s.setModseq.run(modseq, mb.id)
      if (dSeen || dDeleted) this.udb.s.adjustFlagCounts.run(dSeen, dDeleted, mb.id)
      return { highestModseq: modseq }
    })
    if (updated.length) {
      this.store.hub.ring(this.owner, this.udb.dir)
      const base = { uidValidity: this.row.uidvalidity, userid: this.session.userid, owner: String(this.owner === this.session.userid) }
      if (seenAdded.length) this.session.emit('ReadMsg', this.owner, this.row.folder, { ...base, uidList: seqSet(seenAdded), numMsgs: this.row.exists_count })
      if (deletedAdded.length) this.session.emit('TrashMsg', this.owner, this.row.folder, { ...base, uidList: seqSet(deletedAdded), numMsgs: this.row.exists_count })
      if (changedOther.length) {
        this.session.emit('ChangeFlag', this.owner, this.row.folder, {
          ...base, uidList: seqSet(changedOther), operation: req.mode === 'add' ? 1 : req.mode === 'remove' ? 2 : 3,
          msgflags: ensFlagLetters(f.bits),
        })
      }
    }
    return { updated, modified, highestModseq: res.highestModseq }
  }

  async expunge(uids?: readonly number[]): Promise<number[]> {
    this.writable()
    if (!/[ex]/.test(this.rights)) throw new PermissionDeniedError()
    return this.expungeInternal(uids ? new Set(uids) : null, true)
  }

  /** Remove messages from the index (logging them for VANISHED); `onlyDeleted` = EXPUNGE semantics. */
  private async expungeInternal(uids: Set<number> | null, onlyDeleted: boolean): Promise<number[]> {
    const immediatePurge = this.store.opt('store.cleanupage', 0) <= 0
    const done = this.udb.write(() => {
      const mb = this.udb.mailbox(this.row.id)
      if (!mb) throw new MailboxNotFoundError(this.row.folder)
      let victims: Array<[number, number, number]>
      if (onlyDeleted) victims = (this.udb.s.deletedUids.all(mb.id) as Array<[number, number, number]>).filter(([u]) => !uids || uids.has(u))
      else victims = [...uids!].sort((a, b) => a - b).map((u) => this.messageRow(u)).filter((m): m is MessageRow => !!m).map((m) => [m.uid, m.size, m.flags])
      if (!victims.length) return [] as Array<[number, number, number]>
      let dSeen = 0
      let dDeleted = 0
      for (const v of victims) { dSeen -= v[2] & FLAG_SEEN; dDeleted -= (v[2] & FLAG_DELETED) / FLAG_DELETED }
      if (dSeen || dDeleted) this.udb.s.adjustFlagCounts.run(dSeen, dDeleted, mb.id)
      const modseq = mb.highestmodseq + 1
      const now = Date.now()
      let bytes = 0
      for (const [uid, size] of victims) {
        this.udb.s.deleteMessage.run(mb.id, uid)
        this.udb.s.deleteCache.run(mb.id, uid)
        this.udb.s.deleteText.run(mb.id, uid)
        this.udb.s.insertExpunged.run(mb.id, uid, modseq, now, size)
        this.udb.db.prepare('DELETE FROM seen WHERE mailbox_id = ? AND uid = ?').run(mb.id, uid)
        bytes += size
      }
      this.udb.s.bumpExpunge.run(modseq, victims.length, bytes, victims.length, mb.id)
      return victims
    })
    const expunged = done.map(([u]) => u)
    if (!expunged.length) return []
    if (immediatePurge) {
      // store.cleanupage 0: the files go now (after the commit; a crash in between leaves files that
      // reconstruct recognises as expunged, never a visible message without a file).
      await Promise.all(expunged.map((u) => fsp.unlink(this.filePath(u)).catch(() => {})))
      this.udb.write(() => { for (const u of expunged) this.udb.s.markPurged.run(this.row.id, u) })
    }
    this.store.afterUsageChange(this.udb)
    this.store.hub.ring(this.owner, this.udb.dir)
    const r = this.udb.mailbox(this.row.id)
    this.session.emit('ExpungeMsg', this.owner, this.row.folder, {
      uidValidity: this.row.uidvalidity, uidList: seqSet(expunged), numMsgs: r?.exists_count ?? 0, userid: this.session.userid,
    })
    return expunged
  }

  async copy(uids: readonly number[], dest: MailboxName): Promise<CopyResult> {
    return this.copyInternal(uids, dest, false)
  }

  async move(uids: readonly number[], dest: MailboxName): Promise<CopyResult> {
    this.writable()
    // RFC 6851 §3.3: MOVE needs the rights of COPY plus STORE \Deleted and EXPUNGE on the source.
    if (!this.rights.includes('t') || !/[ex]/.test(this.rights)) throw new PermissionDeniedError()
    return this.copyInternal(uids, dest, true)
  }

  private async copyInternal(uids: readonly number[], dest: MailboxName, move: boolean): Promise<CopyResult> {
    const target = this.session.locate(dest)
    if (!target.rights.includes('i')) throw new PermissionDeniedError()
    const sorted = [...new Set(uids)].sort((a, b) => a - b)
    const entries: AppendEntry[] = []
    const srcUids: number[] = []
    const flagMap = new Map(this.flagsOf(sorted).map((e) => [e.uid, e]))
    for (const uid of sorted) {
      const m = this.messageRow(uid)
      const c = this.udb.s.cacheRow.get(this.row.id, uid) as { message_id: string | null; envelope: string; structure: string } | undefined
      const fe = flagMap.get(uid)
      if (!m || !c || !fe) continue
      let bits = fe.flags
      if (!target.rights.includes('s')) bits &= ~FLAG_SEEN
      if (!target.rights.includes('t')) bits &= ~FLAG_DELETED
      entries.push({
        mailboxId: target.row.id, tmp: this.filePath(uid), size: m.size, bits,
        keywords: target.rights.includes('w') ? fe.keywords : [], internalDate: m.internal_date, bypassQuota: false,
        parsed: {
          headerSize: m.header_size, messageId: c.message_id, envelopeJson: c.envelope, structureJson: c.structure, simple: m.simple,
          text: this.cachedText(uid),
        },
      })
      srcUids.push(uid)
    }
    if (!entries.length) return { uidValidity: target.row.uidvalidity, sourceUids: [], destUids: [] }
    // Moving within one owner's quota root does not change usage: skip the check then.
    const sameOwner = target.r.owner === this.owner
    if (move && sameOwner) for (const e of entries) e.bypassQuota = true
    const limits = await this.store.limitsFor(target.r.owner)
    // All or nothing (RFC 3501 §6.4.7): check the total first, then commit.
    if (!(move && sameOwner)) {
      const total = entries.reduce((a, e) => a + e.size, 0)
      // The count limit is checked by the commit per message; the byte total here, against the root
      // governing the destination folder.
      const v = await this.store.checkQuota(target.r.owner, total, target.r.folder)
      if (!v.ok && v.reason !== 'messages') throw new OverQuotaError(v)
      if (this.store.policy().enforcement && !this.store.msgRoomFor(target.udb, limits, target.r.folder, entries.length)) {
        throw new OverQuotaError({ ok: false, temporary: true, reason: 'messages' })
      }
      for (const e of entries) e.bypassQuota = true
    }
    const res = this.store.commitAppends(target.udb, entries, limits)
    const destUids: number[] = []
    const okSrc: number[] = []
    res.forEach((r, i) => { if (r.ok) { destUids.push(r.uid); okSrc.push(srcUids[i]) } })
    if (okSrc.length !== srcUids.length) {
      // Roll back a partial copy (store.maxmessages reached mid-way): expunge what we added.
      const back = this.session.open({ owner: target.r.owner, folder: target.r.folder })
      try { await (back as View).expungeInternal(new Set(destUids), false) } finally { back.close() }
      throw this.store.limitError('Mailbox has reached its maximum number of messages (store.maxmessages)')
    }
    const uidValidity = target.udb.mailbox(target.row.id)?.uidvalidity ?? target.row.uidvalidity
    this.session.emit('Copy', target.r.owner, target.r.folder, {
      frommailboxName: this.owner, fromUidList: okSrc.join(','), toUidList: destUids.join(','),
      fromuidValidity: this.row.uidvalidity, uidValidity, userid: this.session.userid,
    })
    if (move) await this.expungeInternal(new Set(okSrc), false)
    return { uidValidity, sourceUids: okSrc, destUids }
  }

  private cachedText(uid: number): { header: string; body: string } | null {
    const r = this.udb.s.textRow.get(this.row.id, uid) as { hdr: string; body: string } | undefined
    return r ? { header: r.hdr, body: r.body } : null
  }

  changesSince(modseq: number): MailboxChanges {
    const mb = this.udb.mailbox(this.row.id)
    if (!mb) throw new MailboxNotFoundError(this.row.folder)
    this.row = mb
    const rows = this.udb.s.changedSince.all(mb.id, modseq) as Array<[number, number, number, string | null]>
    let changed = this.toEntries(rows, rows.length ? rows[0][0] : 1, rows.length ? rows[rows.length - 1][0] : 0)
    if (this.seenUser) changed = changed.filter((e) => e.modseq > modseq)
    return {
      highestModseq: mb.highestmodseq, uidNext: mb.uidnext, changed,
      vanished: this.udb.s.vanishedSince.all(mb.id, modseq) as number[],
    }
  }

  async search(uid: number, needle: string, where: 'body' | 'text'): Promise<boolean> {
    return (await this.searchMany([uid], needle, where)).length === 1
  }

  async searchMany(uids: readonly number[], needle: string, where: 'body' | 'text'): Promise<number[]> {
    const n = needle.toLowerCase()
    const want = membership(uids)
    const hits = new Set<number>()
    // 1. The text cache (decoded at append): SQL LIKE is a case-insensitive substring test for ASCII;
    //    other needles are compared in JS with Unicode lower-casing.
    if (/^[\x20-\x7e]*$/.test(needle)) {
      const like = '%' + needle.replace(/[\\%_]/g, '\\$&') + '%'
      const rows = (where === 'body' ? this.udb.s.likeBody.all(this.row.id, like) : this.udb.s.likeText.all(this.row.id, like, like)) as number[]
      for (const u of rows) if (want.has(u)) hits.add(u)
    } else {
      let i = 0
      for (const [uid, hdr, body] of this.udb.s.allText.iterate(this.row.id) as IterableIterator<[number, string, string]>) {
        if (want.has(uid) && (body.toLowerCase().includes(n) || (where === 'text' && hdr.toLowerCase().includes(n)))) hits.add(uid)
        if (++i % 2048 === 0) await new Promise((r) => setImmediate(r))
      }
    }
    // 2. Messages without cached text (larger than the cache limit): read their files.
    const rest = (this.udb.s.uncachedText.all(this.row.id) as number[]).filter((u) => want.has(u))
    if (rest.length) for (const u of await this.searchFiles(rest, needle, where)) hits.add(u)
    return [...hits].sort((a, b) => a - b)
  }

  private async searchFiles(uids: number[], needle: string, where: 'body' | 'text'): Promise<number[]> {
    const n = needle.toLowerCase()
    // Pure-ASCII needles are matched on the raw bytes of simple messages (one 7bit/8bit US-ASCII/UTF-8
    // text part, flagged at append): no JSON, no decoding, a case-insensitive regexp over a latin1 view.
    const ascii = /^[\x20-\x7e]*$/.test(needle)
    const re = ascii ? new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i') : null
    const want = membership(uids)
    const out: number[] = []
    let scratch = Buffer.allocUnsafe(64 * 1024)
    const structureOf = this.udb.db.prepare('SELECT structure FROM cache WHERE mailbox_id = ? AND uid = ?').pluck()
    const rows = this.udb.s.searchRows.all(this.row.id) as Array<[number, number, number, number]>
    let i = 0
    for (const [uid, headerSize, size, simple] of rows) {
      if (!want.has(uid)) continue
      if (scratch.length < size) scratch = Buffer.allocUnsafe(size)
      let buf: Buffer
      try {
        // open/read/close into a reused buffer: no fstat, no allocation per message.
        const fd = fs.openSync(this.filePath(uid), 'r')
        try { buf = scratch.subarray(0, fs.readSync(fd, scratch, 0, size, 0)) } finally { fs.closeSync(fd) }
      } catch { continue }
      let hit: boolean
      if (re && simple && where === 'body') hit = re.test(buf.toString('latin1', headerSize, buf.length))
      else if (re && simple) hit = re.test(libmimeSafeHeader(buf, headerSize)) || re.test(buf.toString('latin1', headerSize, buf.length))
      else {
        const st = JSON.parse(structureOf.get(this.row.id, uid) as string) as MimePart
        hit = messageText(buf, st, where).toLowerCase().includes(n)
      }
      if (hit) out.push(uid)
      // Let other sessions run during long scans.
      if (++i % 512 === 0) await new Promise((r) => setImmediate(r))
    }
    return out
  }

  watch(cb: (notice: MailboxChangeNotice) => void): () => void {
    const initial = this.store.counters(this.udb, this.row.id) ?? { highestModseq: 0, uidNext: 0, messages: 0 }
    const off = this.store.hub.watch(this.owner, this.udb.dir, this.row.id, initial, (id) => this.store.counters(this.udb, id), cb)
    this.unwatchers.add(off)
    return () => { off(); this.unwatchers.delete(off) }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    for (const off of this.unwatchers) off()
    this.unwatchers.clear()
    this.udb.refs--
  }
}

function libmimeSafeHeader(buf: Buffer, headerSize: number): string {
  return decodedHeaderText(buf, 0, headerSize)
}

/** `1,3:5,9` from sorted uids (IMAP sequence-set form, used in ENS uidList). */
export function seqSet(uids: number[]): string {
  const out: string[] = []
  let i = 0
  while (i < uids.length) {
    let j = i
    while (j + 1 < uids.length && uids[j + 1] === uids[j] + 1) j++
    out.push(i === j ? String(uids[i]) : `${uids[i]}:${uids[j]}`)
    i = j + 1
  }
  return out.join(',')
}

/**
 * A membership test over `uids`. A SEARCH over a whole mailbox passes 100k ascending uids while a text
 * scan yields a few hits: binary search on the array then beats building a 100k-entry Set.
 */
function membership(uids: readonly number[]): { has(uid: number): boolean } {
  for (let i = 1; i < uids.length; i++) if (uids[i - 1] >= uids[i]) return new Set(uids)
  return {
    has(uid: number): boolean {
      let lo = 0
      let hi = uids.length
      while (lo < hi) { const mid = (lo + hi) >>> 1; if (uids[mid] < uid) lo = mid + 1; else hi = mid }
      return lo < uids.length && uids[lo] === uid
    },
  }
}
