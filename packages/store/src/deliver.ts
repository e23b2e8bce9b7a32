// Delivery into the store (the MTA's ims-ms channel and the `deliver` tool; spec 03 §4, §14).
// A batch is made durable together: every distinct message is written once per partition to a temp
// file (the fsyncs run concurrently, so the filesystem can merge them), hard-linked into each
// recipient's folder, and each recipient user's index is committed once for all its messages.
// Outcomes are data (never thrown): the MTA maps them to 4.2.2 / 5.2.2 / 5.1.1 / 4.3.0.
import fsp from 'node:fs/promises'
import type { DeliverOutcome, DeliverRequest, MessageSource } from './types.js'
import { StoreError } from './types.js'
import type { AppendEntry, StoreImpl } from './store.js'
import type { UserDb } from './userdb.js'
import { isValidUserId, normalizeFolderName } from './names.js'
import { parseMessage, type ParsedMessage } from './mime.js'
import { parseFlagList } from './flags.js'
import { evaluateRights } from './acl.js'

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

async function loadSource(src: MessageSource): Promise<Buffer> {
  if (Buffer.isBuffer(src)) return src
  const fh = await fsp.open(src.path, 'r')
  try {
    const st = await fh.stat()
    const off = src.offset ?? 0
    const len = src.length ?? st.size - off
    const buf = Buffer.allocUnsafe(Math.max(0, len))
    let got = 0
    while (got < len) {
      const { bytesRead } = await fh.read(buf, got, len - got, off + got)
      if (bytesRead === 0) break
      got += bytesRead
    }
    return buf.subarray(0, got)
  } finally { await fh.close() }
}

function fail(userid: string, code: 'overquota' | 'nosuchuser' | 'invalid' | 'ioerror' | 'maxmessages', temporary: boolean,
  enhancedStatus: string, text: string): DeliverOutcome {
  return { ok: false, userid, code, temporary, enhancedStatus, text }
}

export async function deliverBatchImpl(store: StoreImpl, items: Array<{ req: DeliverRequest; message: MessageSource }>): Promise<DeliverOutcome[]> {
  const outcomes: DeliverOutcome[] = new Array(items.length)
  const sources = new Map<Buffer | string, { data: Buffer; parsed: ParsedMessage }>()
  const prepared: Prepared[] = []

  for (const [index, { req, message }] of items.entries()) {
    const userid = req.userid
    if (!isValidUserId(userid)) { outcomes[index] = fail(userid, 'nosuchuser', false, '5.1.1', 'Invalid user id'); continue }
    try {
      const key = Buffer.isBuffer(message) ? message : `${message.path}\0${message.offset ?? 0}\0${message.length ?? ''}`
      let src = sources.get(key)
      if (!src) {
        const data = await loadSource(message)
        src = { data, parsed: parseMessage(data) }
        sources.set(key, src)
      }
      store.ensureUser(userid)
      const udb = store.db(userid)!
      const { folder, mailboxId } = resolveFolder(store, udb, req)
      prepared.push({ index, req, udb, folder, mailboxId, data: src.data, parsed: src.parsed, key })
    } catch (e) {
      store.logger.error('Store', `Store Error: delivery to user/${userid} failed: ${(e as Error).message}`)
      outcomes[index] = e instanceof StoreError && e.code === 'NOUSER'
        ? fail(userid, 'nosuchuser', false, '5.1.1', e.message)
        : fail(userid, 'ioerror', true, '4.3.0', 'System I/O error. Administrator, check server log for details.')
    }
  }

  // One temp file per distinct message and partition; all written (and fsync'd) concurrently.
  const temps = new Map<Buffer | string, Map<string, Promise<string>>>()
  const tempFor = (p: Prepared): Promise<string> => {
    let byPartition = temps.get(p.key)
    if (!byPartition) temps.set(p.key, (byPartition = new Map()))
    let t = byPartition.get(p.udb.partition)
    if (!t) { t = store.writeTemp(p.udb, p.data); byPartition.set(p.udb.partition, t) }
    return t
  }
  const tmpOf = new Map<Prepared, string>()
  await Promise.all(prepared.map(async (p) => {
    try { tmpOf.set(p, await tempFor(p)) } catch (e) {
      outcomes[p.index] = fail(p.req.userid, 'ioerror', true, '4.3.0', 'System I/O error. Administrator, check server log for details.')
      store.logger.error('Store', `Store Error: ${(e as Error).message}`)
    }
  }))

  // Group by user: one index transaction (one WAL fsync) per user for the whole batch.
  const byUser = new Map<string, Prepared[]>()
  for (const p of prepared) {
    if (!tmpOf.has(p)) continue
    const list = byUser.get(p.req.userid) ?? []
    list.push(p)
    byUser.set(p.req.userid, list)
  }
  // The last use of each temp file (in commit order) renames it into place instead of linking.
  const lastUse = new Map<string, Prepared>()
  for (const list of byUser.values()) for (const p of list) lastUse.set(tmpOf.get(p)!, p)
  const limits = new Map(await Promise.all([...byUser.keys()].map(async (u) => [u, await store.limitsFor(u)] as const)))
  for (const [userid, list] of byUser) {
    const udb = list[0].udb
    const entries: AppendEntry[] = list.map((p) => {
      const f = parseFlagList(p.req.flags)
      const d = p.req.internalDate
      return {
        mailboxId: p.mailboxId, tmp: tmpOf.get(p)!, parsed: p.parsed, size: p.data.length, bits: f.bits, keywords: f.keywords,
        internalDate: d === undefined ? Date.now() : typeof d === 'number' ? d : d.getTime(), bypassQuota: !!p.req.bypassQuota,
        consume: lastUse.get(tmpOf.get(p)!) === p,
        deliveryId: p.req.deliveryId,
      }
    })
    try {
      const res = store.commitAppends(udb, entries, limits.get(userid)!)
      res.forEach((r, i) => {
        const p = list[i]
        if (r.ok && r.duplicate) {
          // Already delivered under this deliveryId (a retry after a crash): answer the first result.
          outcomes[p.index] = { ok: true, userid, folder: r.mailbox.folder, uidValidity: r.mailbox.uidvalidity, uid: r.uid, size: p.data.length }
          store.logger.notice('Store', `user/${userid}: delivery ${p.req.deliveryId} already stored as uid ${r.uid}; not stored again`)
        } else if (r.ok) {
          outcomes[p.index] = { ok: true, userid, folder: p.folder, uidValidity: r.mailbox.uidvalidity, uid: r.uid, size: p.data.length }
          store.emit('NewMsg', userid, p.folder, {
            imapUid: r.uid, uidValidity: r.mailbox.uidvalidity, numMsgs: r.mailbox.exists_count, size: p.data.length,
            hdrLen: p.parsed.headerSize, internaldate: entries[i].internalDate, lastUid: r.uid,
          })
        } else if (r.limit === 'maxmessages') {
          outcomes[p.index] = fail(userid, 'maxmessages', true, '4.2.2', 'Mailbox has reached its maximum number of messages')
        } else if (r.verdict) {
          const v = r.verdict
          outcomes[p.index] = fail(userid, 'overquota', v.temporary, v.temporary ? '4.2.2' : '5.2.2',
            v.reason === 'message-too-large' ? 'Message is larger than the mailbox quota' : 'Mailbox is over quota')
          store.logger.notice('Store', `user/${userid}: delivery refused, over quota (${v.reason}, ${v.temporary ? 'temporary' : 'permanent'})`)
        }
      })
    } catch (e) {
      store.logger.error('Store', `Store Error: Unable to append for user/${userid}: ${(e as Error).message}`)
      for (const p of list) outcomes[p.index] = fail(userid, 'ioerror', true, '4.3.0', 'System I/O error. Administrator, check server log for details.')
    }
  }
  const removals: Array<Promise<unknown>> = []
  for (const m of temps.values()) for (const t of m.values()) removals.push(t.then((p) => fsp.rm(p, { force: true }), () => {}))
  await Promise.all(removals)
  return outcomes
}

/** Target folder: the requested one (created with `createFolder`), else INBOX (spec 03 §14 `deliver -m`). */
function resolveFolder(store: StoreImpl, udb: UserDb, req: DeliverRequest): { folder: string; mailboxId: number } {
  const inbox = () => { const r = udb.mailboxByFolder('INBOX')!; return { folder: 'INBOX', mailboxId: r.id } }
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
