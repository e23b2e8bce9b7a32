// Delivery into the store (the MTA's ims-ms channel and the `deliver` tool; spec 03 §4, §14).
// Store-wide group commit (journal.ts): each recipient user's index is committed once for all its
// messages of the batch with synchronous=NORMAL; inside that commit each message file is written
// straight at its UID (no temp file, no fsync; a later recipient of the same message hard-links the
// first recipient's file), so it is visible to IMAP only once written and indexed. Then ONE append +
// fdatasync of the process's delivery journal — shared with any concurrent batch — makes the whole
// batch durable before any outcome is answered. Every delivery carries an idempotency key (the MTA's
// deliveryId or a generated one) recorded in the index, so a journal replay after a crash, or an MTA
// retry, stores nothing twice.
// Outcomes are data (never thrown): the MTA maps them to 4.2.2 / 5.2.2 / 5.1.1 / 4.3.0.
import fs from 'node:fs'
import type { DeliverOutcome, DeliverRequest, MessageSource } from './types.js'
import { StoreError } from './types.js'
import type { AppendEntry, DeferredUsage, StoreImpl } from './store.js'
import type { UserDb } from './userdb.js'
import { isValidUserId, normalizeFolderName } from './names.js'
import { parseMessage, type ParsedMessage } from './mime.js'
import { parseFlagList } from './flags.js'
import { evaluateRights } from './acl.js'
import { messagePath } from './layout.js'
import type { JournalDelivery } from './journal.js'

interface Prepared {
  index: number
  req: DeliverRequest
  udb: UserDb
  folder: string
  mailboxId: number
  data: Buffer
  parsed: ParsedMessage
  key: Buffer | string
}

/** The message bytes (synchronous reads: a queue file is read once, without thread-pool round trips). */
function loadSource(src: MessageSource): Buffer {
  if (Buffer.isBuffer(src)) return src
  const fd = fs.openSync(src.path, 'r')
  try {
    const off = src.offset ?? 0
    const len = src.length ?? fs.fstatSync(fd).size - off
    const buf = Buffer.allocUnsafe(Math.max(0, len))
    let got = 0
    while (got < len) {
      const n = fs.readSync(fd, buf, got, len - got, off + got)
      if (n === 0) break
      got += n
    }
    return buf.subarray(0, got)
  } finally { fs.closeSync(fd) }
}

function fail(userid: string, code: 'overquota' | 'nosuchuser' | 'invalid' | 'ioerror' | 'maxmessages', temporary: boolean,
  enhancedStatus: string, text: string): DeliverOutcome {
  return { ok: false, userid, code, temporary, enhancedStatus, text }
}

export async function deliverBatchImpl(store: StoreImpl, items: Array<{ req: DeliverRequest; message: MessageSource }>): Promise<DeliverOutcome[]> {
  const outcomes: DeliverOutcome[] = new Array(items.length)
  const sources = new Map<Buffer | string, { data: Buffer; parsed: ParsedMessage }>()
  const prepared: Prepared[] = []
  // Per distinct recipient of the batch: its index (provisioned once) and its INBOX.
  const users = new Map<string, { udb: UserDb; inbox?: { folder: string; mailboxId: number } } | Error>()

  for (const [index, { req, message }] of items.entries()) {
    const userid = req.userid
    if (!isValidUserId(userid)) { outcomes[index] = fail(userid, 'nosuchuser', false, '5.1.1', 'Invalid user id'); continue }
    try {
      const key = Buffer.isBuffer(message) ? message : `${message.path}\0${message.offset ?? 0}\0${message.length ?? ''}`
      let src = sources.get(key)
      if (!src) {
        const data = loadSource(message)
        src = { data, parsed: parseMessage(data) }
        sources.set(key, src)
      }
      let u = users.get(userid)
      if (!u) {
        try { u = { udb: store.ensureUserDb(userid) } } catch (e) { u = e as Error }
        users.set(userid, u)
      }
      if (u instanceof Error) throw u
      let target: { folder: string; mailboxId: number }
      if (req.folder) target = resolveFolder(store, u.udb, req)
      else target = u.inbox ??= resolveFolder(store, u.udb, req)
      prepared.push({ index, req, udb: u.udb, folder: target.folder, mailboxId: target.mailboxId, data: src.data, parsed: src.parsed, key })
    } catch (e) {
      store.logger.error('Store', `Store Error: delivery to user/${userid} failed: ${(e as Error).message}`)
      outcomes[index] = e instanceof StoreError && e.code === 'NOUSER'
        ? fail(userid, 'nosuchuser', false, '5.1.1', e.message)
        : fail(userid, 'ioerror', true, '4.3.0', 'System I/O error. Administrator, check server log for details.')
    }
  }

  // Group by user: one index transaction per user for the whole batch (no fsync: journal.ts).
  const byUser = new Map<string, Prepared[]>()
  for (const p of prepared) {
    const list = byUser.get(p.req.userid) ?? []
    list.push(p)
    byUser.set(p.req.userid, list)
  }
  const limits = new Map(await Promise.all([...byUser.keys()].map(async (u) => [u, await store.limitsFor(u)] as const)))
  const journal = store.journal()
  const stored: Array<{ p: Prepared; entry: AppendEntry; uid: number; uidValidity: number; numMsgs: number }> = []
  // Each message's bytes are written once per partition, into its first recipient's folder, inside that
  // recipient's commit (no temp file); later recipients hard-link that committed file.
  const fileKey = (p: Prepared) => p.udb.partition
  const fileOf = new Map<Buffer | string, Map<string, string>>()
  const deferred: DeferredUsage = new Map()
  // From here to journal.append() no await: a commit is queued in the journal in the same tick, so a
  // concurrent batch's sync() (e.g. one answering a duplicate of it) also covers it.
  for (const [userid, list] of byUser) {
    const udb = list[0].udb
    const entries: AppendEntry[] = list.map((p) => {
      const f = parseFlagList(p.req.flags)
      const d = p.req.internalDate
      return {
        mailboxId: p.mailboxId, tmp: fileOf.get(p.key)?.get(fileKey(p)) ?? '', data: p.data, parsed: p.parsed, size: p.data.length,
        bits: f.bits, keywords: f.keywords,
        internalDate: d === undefined ? Date.now() : typeof d === 'number' ? d : d.getTime(), bypassQuota: !!p.req.bypassQuota,
        deliveryId: p.req.deliveryId ?? journal.nextKey(),
      }
    })
    try {
      const res = store.commitAppends(udb, entries, limits.get(userid)!, { journaled: true, deferred })
      const toJournal: JournalDelivery[] = []
      res.forEach((r, i) => {
        const p = list[i]
        if (r.ok && r.duplicate) {
          // Already delivered under this deliveryId (a retry after a crash): answer the first result,
          // once that first commit is durable on its own (its journal may belong to a dead process).
          store.ensureDurable(udb, r.mailbox.id, r.uid)
          outcomes[p.index] = { ok: true, userid, folder: r.mailbox.folder, uidValidity: r.mailbox.uidvalidity, uid: r.uid, size: p.data.length }
          store.logger.notice('Store', `user/${userid}: delivery ${p.req.deliveryId} already stored as uid ${r.uid}; not stored again`)
        } else if (r.ok) {
          const e = entries[i]
          let files = fileOf.get(p.key)
          if (!files) fileOf.set(p.key, (files = new Map()))
          if (!files.has(fileKey(p))) files.set(fileKey(p), messagePath(udb.dir, r.mailbox.id, r.uid))
          toJournal.push({
            key: e.deliveryId!, userid, mailboxId: r.mailbox.id, folder: r.mailbox.folder, uidvalidity: r.mailbox.uidvalidity,
            uid: r.uid, bits: e.bits, keywords: e.keywords, internalDate: e.internalDate, data: p.data,
          })
          stored.push({ p, entry: e, uid: r.uid, uidValidity: r.mailbox.uidvalidity, numMsgs: r.mailbox.exists_count })
        } else if (r.limit === 'maxmessages') {
          outcomes[p.index] = fail(userid, 'maxmessages', true, '4.2.2', 'Mailbox has reached its maximum number of messages')
        } else if (r.verdict) {
          const v = r.verdict
          outcomes[p.index] = fail(userid, 'overquota', v.temporary, v.temporary ? '4.2.2' : '5.2.2',
            v.reason === 'message-too-large' ? 'Message is larger than the mailbox quota' : 'Mailbox is over quota')
          store.logger.notice('Store', `user/${userid}: delivery refused, over quota (${v.reason}, ${v.temporary ? 'temporary' : 'permanent'})`)
        }
      })
      journal.append(toJournal)
    } catch (e) {
      udb.inboxId = 0 // e.g. the folder went away under us: resolve it afresh next time
      store.logger.error('Store', `Store Error: Unable to append for user/${userid}: ${(e as Error).message}`)
      for (const p of list) outcomes[p.index] = fail(userid, 'ioerror', true, '4.3.0', 'System I/O error. Administrator, check server log for details.')
    }
  }
  // Usage mirrored into the mboxlist in one transaction for the batch; other processes' sessions told.
  store.afterCommits(deferred)
  // The group commit: nothing is answered before the journal (covering every commit above) is on disk.
  let durable = true
  try { await journal.sync() } catch (e) {
    durable = false
    store.logger.error('Store', `Store Error: delivery journal write failed: ${(e as Error).message}`)
  }
  for (const { p, entry, uid, uidValidity, numMsgs } of stored) {
    if (!durable) {
      // Committed but not known durable: the MTA retries; the deliveryId makes the retry answer this UID.
      outcomes[p.index] = fail(p.req.userid, 'ioerror', true, '4.3.0', 'System I/O error. Administrator, check server log for details.')
      continue
    }
    outcomes[p.index] = { ok: true, userid: p.req.userid, folder: p.folder, uidValidity, uid, size: p.data.length }
    store.emit('NewMsg', p.req.userid, p.folder, {
      imapUid: uid, uidValidity, numMsgs, size: p.data.length,
      hdrLen: p.parsed.headerSize, internaldate: entry.internalDate, lastUid: uid,
    })
  }
  return outcomes
}

/** Target folder: the requested one (created with `createFolder`), else INBOX (spec 03 §14 `deliver -m`). */
function resolveFolder(store: StoreImpl, udb: UserDb, req: DeliverRequest): { folder: string; mailboxId: number } {
  const inbox = () => ({ folder: 'INBOX', mailboxId: udb.inboxId || udb.mailboxByFolder('INBOX')!.id })
  if (!req.folder) return inbox()
  let folder: string
  try { folder = normalizeFolderName(req.folder) } catch { return inbox() }
  let row = udb.mailboxByFolder(folder)
  if (!row && req.createFolder) {
    try { row = store.createMailbox(udb, folder, null) } catch { row = udb.mailboxByFolder(folder) }
  }
  if (!row) return inbox()
  // Posting into someone's folder needs `p` (spec 03 §9); otherwise the message goes to INBOX.
  if (req.poster && req.poster !== udb.userid && !store.admins().has(req.poster)) {
    const rights = evaluateRights(udb.s.aclOf.all(row.id) as Array<{ identifier: string; rights: string }>, { userid: req.poster })
    if (!rights.includes('p')) return inbox()
  }
  return { folder: row.folder, mailboxId: row.id }
}
