// Operations on behalf of one authenticated user: mailbox management, LIST, STATUS, APPEND, ACLs
// (RFC 3501 §6.3, RFC 4314, spec 03 §9, §12). Administrators (`store.admins`) have every right.
import {
  ACL_RIGHTS, FLAG_DELETED, FLAG_SEEN, InvalidMailboxNameError, MailboxNotFoundError, MailboxPinnedError,
  OWNER_RIGHTS, OverQuotaError, PermissionDeniedError, StoreError,
  type AclEntry, type AppendOptions, type AppendResult, type ListOptions, type MailboxInfo, type MailboxListEntry,
  type MailboxName, type MailboxStatus, type MailboxView, type MailSession, type QuotaRootUsage, type SpecialUse,
} from './types.js'
import type { StoreImpl } from './store.js'
import { AtomicAppendError, mailboxInfo, type AppendCommit, type AppendEntry } from './store.js'
import type { ParsedMessage } from './mime.js'
import type { MailboxRow, UserDb } from './userdb.js'
import { fullName, isValidUserId, listPatternToRegExp, matchesListPattern, normalizeFolderName, parentsOf } from './names.js'
import { applyRightsChange, canonicalRights, domainOf, evaluateRights, identifiersFor, isValidRights, type Principal } from './acl.js'
import { parseFlagList } from './flags.js'
import { governingRoot, rootLimits, usageByRoot } from './quota.js'
import { View } from './view.js'
import fsp from 'node:fs/promises'

export interface Resolved { owner: string; folder: string }

export class Session implements MailSession {
  readonly principal: Principal
  private closed = false

  constructor(readonly store: StoreImpl, readonly userid: string, readonly isAdmin: boolean, groups: string[]) {
    this.principal = { userid, groups }
  }

  /** ENS events on/off for this session (IMAP XNOTNOTIFY, POP3: "no events for POP3", spec 01 §19). */
  notify = true

  setNotify(enabled: boolean): void { this.notify = enabled }

  emit(evtType: string, owner: string, folder: string, fields: Record<string, string | number | undefined>): void {
    if (this.notify) this.store.emit(evtType, owner, folder, fields)
  }

  resolve(name: MailboxName): Resolved {
    if (typeof name === 'string') return { owner: this.userid, folder: normalizeFolderName(name) }
    if (!isValidUserId(name.owner)) throw new MailboxNotFoundError(`user/${name.owner}`)
    return { owner: name.owner, folder: normalizeFolderName(name.folder) }
  }

  /** Rights of this session's user on a mailbox row of `owner`. */
  rightsOn(owner: string, udb: UserDb, row: MailboxRow): string {
    if (this.isAdmin || owner === this.userid) return OWNER_RIGHTS
    return evaluateRights(udb.s.aclOf.all(row.id) as AclEntry[], this.principal)
  }

  /** Locate a mailbox the user may see (`l` or `r`); otherwise NONEXISTENT (RFC 4314 §6: do not reveal). */
  locate(name: MailboxName): { r: Resolved; udb: UserDb; row: MailboxRow; rights: string } {
    const r = this.resolve(name)
    const udb = this.store.db(r.owner)
    const row = udb?.mailboxByFolder(r.folder)
    if (!udb || !row) throw new MailboxNotFoundError(r.owner === this.userid ? r.folder : fullName(r.owner, r.folder))
    const rights = this.rightsOn(r.owner, udb, row)
    if (!/[lr]/.test(rights)) throw new MailboxNotFoundError(r.owner === this.userid ? r.folder : fullName(r.owner, r.folder))
    return { r, udb, row, rights }
  }

  private need(rights: string, right: string, what = 'Permission denied'): void {
    if (!rights.includes(right)) throw new PermissionDeniedError(what)
  }

  private shareFlags(): boolean {
    return this.store.opt('store.privatesharedfolders.shareflags', 0) !== 0
  }

  /** Per-user \Seen applies for non-owners unless shareflags=1 (spec 03 §9). */
  seenUserFor(owner: string): string | null {
    return owner !== this.userid && !this.shareFlags() ? this.userid : null
  }

  // ------------------------------------------------------------------------------ LIST
  list(opts: ListOptions): MailboxListEntry[] {
    const out: MailboxListEntry[] = []
    const own = this.store.db(this.userid)
    const subs = own ? (own.s.subscriptions.all() as Array<{ owner: string; folder: string }>) : []
    const subSet = new Set(subs.map((s) => s.owner + '\0' + s.folder))
    const re = listPatternToRegExp(opts.pattern)
    const publicUser = this.store.publicUser()
    if (own) {
      const rows = own.allMailboxes()
      const names = new Set(rows.map((r) => r.folder))
      const children = (f: string) => rows.some((r) => r.folder.startsWith(f + '/'))
      for (const r of rows) {
        if (!matchesListPattern(re, r.folder, opts.pattern)) continue
        const subscribed = subSet.has(this.userid + '\0' + r.folder)
        if (opts.subscribedOnly && !subscribed) continue
        out.push({ owner: this.userid, folder: r.folder, fullName: fullName(this.userid, r.folder), own: true,
          isPublic: this.userid === publicUser, nonExistent: false, hasChildren: children(r.folder), subscribed,
          specialUse: (r.special_use as SpecialUse | null) ?? null, rights: OWNER_RIGHTS })
      }
      // Parents that exist only through their children (RFC 3501 §6.3.8 \Noselect / RFC 5258 \NonExistent).
      const placeholders = new Set<string>()
      for (const r of rows) for (const p of parentsOf(r.folder)) if (!names.has(p)) placeholders.add(p)
      for (const p of placeholders) {
        if (!matchesListPattern(re, p, opts.pattern)) continue
        const subscribed = subSet.has(this.userid + '\0' + p)
        if (opts.subscribedOnly && !subscribed) continue
        out.push({ owner: this.userid, folder: p, fullName: fullName(this.userid, p), own: true, isPublic: false,
          nonExistent: true, hasChildren: true, subscribed, specialUse: null, rights: '' })
      }
      if (opts.subscribedOnly) {
        // Subscriptions to mailboxes that no longer exist are still listed (RFC 3501 §6.3.9).
        for (const s of subs) {
          if (s.owner !== this.userid || names.has(s.folder) || placeholders.has(s.folder)) continue
          if (!matchesListPattern(re, s.folder, opts.pattern)) continue
          out.push({ owner: s.owner, folder: s.folder, fullName: fullName(s.owner, s.folder), own: true, isPublic: false,
            nonExistent: true, hasChildren: false, subscribed: true, specialUse: null, rights: '' })
        }
      }
    }
    // Shared and public mailboxes: `store.sharedfolders` 0 hides them from LIST but not from LSUB (spec 03 §9).
    if (opts.includeShared && (opts.subscribedOnly || this.store.opt('store.sharedfolders', 1) !== 0)) {
      const sre = listPatternToRegExp(opts.sharedPattern ?? '*')
      const cands = this.store.mboxlist.sharedWith(identifiersFor(this.principal)).filter((c) => c.owner !== this.userid)
      const cache = new Map<string, UserDb | null>()
      for (const c of cands) {
        if (!cache.has(c.owner)) cache.set(c.owner, this.store.db(c.owner))
        const udb = cache.get(c.owner)
        const row = udb?.mailbox(c.mailbox_id)
        if (!udb || !row) continue
        const rights = this.rightsOn(c.owner, udb, row)
        if (!rights.includes('l')) continue
        if (!sre.test(`${c.owner}/${row.folder}`)) continue
        const subscribed = subSet.has(c.owner + '\0' + row.folder)
        if (opts.subscribedOnly && !subscribed) continue
        const hasChildren = udb.allMailboxes().some((r) => r.folder.startsWith(row.folder + '/'))
        out.push({ owner: c.owner, folder: row.folder, fullName: fullName(c.owner, row.folder), own: false,
          isPublic: c.owner === publicUser, nonExistent: false, hasChildren, subscribed,
          specialUse: (row.special_use as SpecialUse | null) ?? null, rights })
      }
    }
    return out
  }

  get(name: MailboxName): MailboxInfo | null {
    try {
      const { r, udb, row } = this.locate(name)
      return mailboxInfo(r.owner, udb.partition, row)
    } catch (e) {
      if (e instanceof StoreError) return null
      throw e
    }
  }

  // ------------------------------------------------------------------------------ CREATE / DELETE / RENAME
  create(name: MailboxName, opts: { specialUse?: SpecialUse } = {}): MailboxInfo {
    const r = this.resolve(name)
    const udb = r.owner === this.userid ? this.store.db(r.owner, true)! : this.store.db(r.owner)
    if (!udb) throw new MailboxNotFoundError(`user/${r.owner}`)
    if (r.owner !== this.userid && !this.isAdmin) {
      // RFC 4314 §4: CREATE needs `k` on the parent.
      const parent = parentsOf(r.folder).pop()
      const prow = parent ? udb.mailboxByFolder(parent) : undefined
      if (!prow || !this.rightsOn(r.owner, udb, prow).includes('k')) throw new PermissionDeniedError()
    }
    const row = this.store.createMailbox(udb, r.folder, opts.specialUse ?? null)
    return mailboxInfo(r.owner, udb.partition, row)
  }

  private checkPinned(folder: string): void {
    if (!this.isAdmin && this.store.pinned().has(folder)) throw new MailboxPinnedError()
  }

  async delete(name: MailboxName): Promise<void> {
    const { r, udb, rights } = this.locate(name)
    if (r.folder === 'INBOX') throw new StoreError('CANNOT', 'Cannot delete INBOX')
    this.checkPinned(r.folder)
    if (!/[x]/.test(rights)) throw new PermissionDeniedError()
    await this.store.deleteMailbox(udb, r.folder)
  }

  async rename(from: MailboxName, to: MailboxName): Promise<void> {
    const src = this.locate(from)
    const dst = this.resolve(to)
    if (dst.owner !== src.r.owner) throw new StoreError('CANNOT', 'Cannot rename a mailbox to another user')
    this.checkPinned(src.r.folder)
    this.checkPinned(dst.folder)
    if (!src.rights.includes('x')) throw new PermissionDeniedError()
    await this.store.renameMailbox(src.udb, src.r.folder, dst.folder)
  }

  subscribe(name: MailboxName): void {
    const r = this.resolve(name)
    this.store.db(this.userid, true)!.s.subscribe.run(r.owner, r.folder)
  }

  unsubscribe(name: MailboxName): void {
    const r = this.resolve(name)
    this.store.db(this.userid, true)!.s.unsubscribe.run(r.owner, r.folder)
  }

  // ------------------------------------------------------------------------------ STATUS / SELECT
  status(name: MailboxName): MailboxStatus {
    const { r, udb, row, rights } = this.locate(name)
    this.need(rights, 'r')
    // Owner view: maintained counters (no scan). Per-user \Seen of a non-owner: counted.
    const seenUser = this.seenUserFor(r.owner)
    const c = { messages: row.exists_count, unseen: row.exists_count - row.seen_count, deleted: row.deleted_count }
    let unseen = c.unseen
    if (seenUser) {
      unseen = (udb.db.prepare('SELECT COUNT(*) FROM messages m WHERE m.mailbox_id = ? AND NOT EXISTS (SELECT 1 FROM seen s WHERE s.mailbox_id = m.mailbox_id AND s.userid = ? AND s.uid = m.uid)')
        .pluck().get(row.id, seenUser)) as number
    }
    return {
      messages: c.messages, recent: udb.s.recentCount.get(row.id, row.recent_uid) as number, uidNext: row.uidnext,
      uidValidity: row.uidvalidity, unseen, highestModseq: row.highestmodseq, size: row.total_size, deleted: c.deleted,
    }
  }

  open(name: MailboxName, opts: { readOnly?: boolean } = {}): MailboxView {
    const { r, udb, row, rights } = this.locate(name)
    this.need(rights, 'r')
    // RFC 4314 §5.2: read-only when the user can change nothing.
    const readOnly = !!opts.readOnly || !/[stwie]/.test(rights)
    return new View(this.store, this, r.owner, udb, row, readOnly, rights, this.seenUserFor(r.owner))
  }

  // ------------------------------------------------------------------------------ APPEND
  async append(name: MailboxName, message: Buffer, opts: AppendOptions = {}): Promise<AppendResult> {
    return (await this.appendMany(name, [{ message, opts }]))[0]
  }

  async appendMany(name: MailboxName, messages: Array<{ message: Buffer; opts?: AppendOptions }>): Promise<AppendResult[]> {
    const { r, udb, row, rights } = this.locate(name)
    this.need(rights, 'i')
    const limits = await this.store.limitsFor(r.owner)
    const prepared: Array<{ tmp: string; parsed: ParsedMessage }> = []
    try {
      for (const { message } of messages) prepared.push(await this.store.prepareAppend(udb, message))
      const entries: AppendEntry[] = messages.map(({ message, opts = {} }, i) => {
        const f = parseFlagList(opts.flags)
        // RFC 4314 §4: flags the user may not set are dropped.
        if (!rights.includes('s')) f.bits &= ~FLAG_SEEN
        if (!rights.includes('t')) f.bits &= ~FLAG_DELETED
        if (!rights.includes('w')) { f.bits &= FLAG_SEEN | FLAG_DELETED; f.keywords = [] }
        const internalDate = opts.internalDate === undefined ? Date.now() : typeof opts.internalDate === 'number' ? opts.internalDate : opts.internalDate.getTime()
        return {
          mailboxId: row.id, tmp: prepared[i].tmp, parsed: prepared[i].parsed, size: message.length, bits: f.bits, keywords: f.keywords,
          internalDate, bypassQuota: !!opts.bypassQuota, consume: true,
        }
      })
      let results: AppendCommit[]
      try {
        results = this.store.commitAppends(udb, entries, limits, { atomic: messages.length > 1 })
      } catch (e) {
        if (e instanceof AtomicAppendError) results = [e.result]
        else throw e
      }
      const bad = results.find((x) => !x.ok)
      if (bad && !bad.ok) {
        if (bad.verdict) throw new OverQuotaError(bad.verdict)
        throw this.store.limitError('Mailbox has reached its maximum number of messages (store.maxmessages)')
      }
      return results.map((res, i) => {
        if (!res.ok) throw new Error('unreachable')
        const size = messages[i].message.length
        this.emit('UpdateMsg', r.owner, r.folder, {
          imapUid: res.uid, uidValidity: res.mailbox.uidvalidity, numMsgs: res.mailbox.exists_count, size,
          hdrLen: prepared[i].parsed.headerSize, internaldate: entries[i].internalDate, userid: this.userid,
        })
        return { mailbox: mailboxInfo(r.owner, udb.partition, res.mailbox), uidValidity: res.mailbox.uidvalidity, uid: res.uid, modseq: res.modseq, size }
      })
    } finally {
      for (const p of prepared) await fsp.rm(p.tmp, { force: true }).catch(() => {})
    }
  }

  // ------------------------------------------------------------------------------ ACL (RFC 4314)
  getAcl(name: MailboxName): AclEntry[] {
    const { r, udb, row, rights } = this.locate(name)
    this.need(rights, 'a')
    const entries = udb.s.aclOf.all(row.id) as AclEntry[]
    const hasOwner = entries.some((e) => e.identifier === r.owner)
    return [...(hasOwner ? [] : [{ identifier: r.owner, rights: OWNER_RIGHTS }]), ...entries]
  }

  setAcl(name: MailboxName, identifier: string, rightsIn: string): void {
    const { r, udb, row, rights } = this.locate(name)
    this.need(rights, 'a')
    const change = rightsIn.replace(/^[+-]/, '')
    if (!isValidRights(change)) throw new StoreError('CANNOT', 'Invalid rights')
    this.checkIdentifier(identifier)
    const cur = (udb.s.aclOf.all(row.id) as AclEntry[]).find((e) => e.identifier === identifier)?.rights ?? ''
    const next = applyRightsChange(cur, rightsIn)
    if (next === '' ) { this.deleteAcl(name, identifier); return }
    udb.write(() => udb.s.setAcl.run(row.id, identifier, next))
    this.store.mboxlist.aclAdd(r.owner, row.id, identifier.replace(/^-/, ''))
    this.store.hub.ring(r.owner, udb.dir)
    this.emit('SetAcl', r.owner, r.folder, { identifier, rights: next })
  }

  private checkIdentifier(identifier: string): void {
    const id = identifier.replace(/^-/, '')
    if (!id) throw new StoreError('CANNOT', 'Invalid identifier')
    const lower = id.toLowerCase()
    if (this.isAdmin) return
    // store.privatesharedfolders.restrictanyone / .restrictdomain (spec 03 §9).
    if ((lower === 'anyone' || lower.startsWith('anyone@')) && this.store.opt('store.privatesharedfolders.restrictanyone', 0) !== 0) {
      throw new PermissionDeniedError('Permission denied: sharing with anyone is not allowed')
    }
    if (this.store.opt('store.privatesharedfolders.restrictdomain', 0) !== 0) {
      const mine = domainOf(this.userid)
      const theirs = lower === 'anyone' ? null : lower.startsWith('anyone@') ? lower.slice(7)
        : lower.startsWith('group=') ? domainOf(lower.slice(6)) : domainOf(lower)
      if (lower === 'anyone' || theirs !== mine) throw new PermissionDeniedError('Permission denied: sharing outside the domain is not allowed')
    }
  }

  deleteAcl(name: MailboxName, identifier: string): void {
    const { r, udb, row, rights } = this.locate(name)
    this.need(rights, 'a')
    udb.write(() => udb.s.deleteAcl.run(row.id, identifier))
    const id = identifier.replace(/^-/, '')
    const stillUsed = (udb.s.aclOf.all(row.id) as AclEntry[]).some((e) => e.identifier.replace(/^-/, '') === id)
    if (!stillUsed) this.store.mboxlist.aclDel(r.owner, row.id, id)
    this.store.hub.ring(r.owner, udb.dir)
    this.emit('SetAcl', r.owner, r.folder, { identifier, rights: '' })
  }

  myRights(name: MailboxName): string {
    return this.locate(name).rights
  }

  listRights(name: MailboxName, identifier: string): string[] {
    const { r, rights } = this.locate(name)
    if (!/[la]/.test(rights)) throw new PermissionDeniedError()
    // RFC 4314 §3.7: the owner always has every right; others may be granted each right separately.
    if (identifier === r.owner) return [OWNER_RIGHTS]
    return ['', ...ACL_RIGHTS]
  }

  // ------------------------------------------------------------------------------ QUOTA (RFC 9208 view)
  quotaRoots(name: MailboxName): QuotaRootUsage[] {
    const { r, udb } = this.locate(name)
    const limits = this.store.limitsCached(r.owner)
    // spec 03 §4: the nearest folder root governs (covering subfolders); roots do not overlap.
    const byRoot = usageByRoot(limits, udb.allMailboxes().map((m) => ({ folder: m.folder, bytes: m.total_size, messages: m.exists_count })), normalizeSafe)
    const root = governingRoot(limits, r.folder, normalizeSafe)
    const u = byRoot.get(root) ?? { bytes: 0, messages: 0 }
    const l = rootLimits(limits, root)
    return [{
      root: root ? fullName(r.owner, normalizeSafe(root)) : `user/${r.owner}`,
      storageUsed: u.bytes, storageLimit: l.disk, messagesUsed: u.messages, messagesLimit: l.msgs,
    }]
  }

  async getQuotaRoots(name: MailboxName): Promise<QuotaRootUsage[]> {
    const { r } = this.locate(name)
    await this.store.limitsFor(r.owner, true)
    return this.quotaRoots(name)
  }

  close(): void {
    this.closed = true
  }
}

function normalizeSafe(f: string): string {
  try { return normalizeFolderName(f) } catch { return f }
}

export { InvalidMailboxNameError }
