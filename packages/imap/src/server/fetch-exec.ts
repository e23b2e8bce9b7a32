/**
 * FETCH execution (RFC 3501 §6.4.5, §7.4.2; RFC 3516 BINARY; RFC 7162 CHANGEDSINCE/VANISHED).
 * Works in batches so that `1:* (UID FLAGS)` on 100k messages stays one index scan and the output
 * is streamed with backpressure.
 */
import { FLAG_SEEN, type FlagEntry, type MessageMeta } from '@wren/store'
import type { Command } from '../protocol/commands.js'
import { formatDateTime } from '../protocol/dates.js'
import { bodyStructure, envelope, literalPrefix } from '../protocol/encode.js'
import { sectionLabel, type FetchAtt } from '../protocol/fetch.js'
import { decodeTransfer, filterHeader, findPart, sectionRange, UnknownCteError } from '../protocol/sections.js'
import { flagList, flagListFast } from './flags.js'
import { formatUids, type SelectedMailbox } from './selected.js'
import { Reply, type ImapSession } from './session.js'

type FetchCmd = Extract<Command, { name: 'FETCH' }>

const BATCH = 500

function needsMeta(a: FetchAtt): boolean {
  if (a.kind !== 'simple') return true
  return a.name !== 'UID' && a.name !== 'FLAGS' && a.name !== 'MODSEQ'
}

function setsSeen(a: FetchAtt): boolean {
  if (a.kind === 'body' || a.kind === 'binary') return !a.peek
  return a.kind === 'simple' && (a.name === 'RFC822' || a.name === 'RFC822.TEXT')
}

export async function runFetch(s: ImapSession, sel: SelectedMailbox, cmd: FetchCmd, indexes: number[]): Promise<void> {
  const atts = cmd.atts
  const meta = atts.some(needsMeta)
  const wantModseq = s.condstore || atts.some((a) => a.kind === 'simple' && a.name === 'MODSEQ') || cmd.changedSince !== undefined
  if (wantModseq) s.condstore = true
  const markSeen = !sel.readOnly && atts.some(setsSeen) && sel.view.rights.includes('s')
  let uids = indexes.map((i) => sel.uidAt(i)).filter((u) => !sel.isExpunged(u))
  if (!meta && !markSeen && cmd.changedSince === undefined && !cmd.vanished) return fetchFlagsOnly(s, sel, atts, uids, wantModseq)

  if (cmd.vanished && cmd.changedSince !== undefined) {
    // RFC 7162 §3.2.6: VANISHED (EARLIER) for expunged UIDs in the requested set
    const gone = sel.view.changesSince(cmd.changedSince).vanished.filter((u) => cmd.set.ranges.some((r) => u >= r.from && u <= r.to))
    if (gone.length) s.sendLine(`* VANISHED (EARLIER) ${formatUids(gone)}`)
  }

  // One scan for large sets, keyed lookups for small ones.
  const all = uids.length > 2000 ? new Map(sel.view.flags().map((e) => [e.uid, e] as const)) : null
  let fetchLogged = 0
  for (let b = 0; b < uids.length; b += BATCH) {
    let batch = uids.slice(b, b + BATCH)
    let flags: Map<number, FlagEntry>
    if (all) flags = new Map(batch.map((u) => [u, all.get(u)!] as const).filter(([, e]) => e))
    else flags = new Map(sel.view.flagsOf(batch).map((e) => [e.uid, e] as const))
    if (cmd.changedSince !== undefined) batch = batch.filter((u) => (flags.get(u)?.modseq ?? 0) > cmd.changedSince!)
    let seenNow = new Set<number>()
    if (markSeen) {
      const unseen = batch.filter((u) => { const e = flags.get(u); return e && !(e.flags & FLAG_SEEN) })
      if (unseen.length) {
        const r = sel.view.storeFlags(unseen, { mode: 'add', flags: ['\\Seen'] })
        sel.noteOwn(r.updated)
        for (const e of r.updated) { flags.set(e.uid, e); seenNow.add(e.uid) }
      }
    }
    const metas = meta ? new Map(sel.view.metas(batch).map((m) => [m.uid, m] as const)) : null
    for (const uid of batch) {
      const f = flags.get(uid)
      if (!f) continue // expunged meanwhile
      const m = metas?.get(uid)
      if (meta && !m) continue
      const seq = sel.indexOf(uid) + 1
      const items: Array<string | Buffer> = []
      let sep = ''
      const add = (p: string | Buffer) => { items.push(sep, p); sep = ' ' }
      let flagsSent = false
      for (const a of atts) {
        if (a.kind === 'simple') {
          switch (a.name) {
            case 'UID': add(`UID ${uid}`); break
            case 'FLAGS': add(`FLAGS ${flagList(f, sel.recent.has(uid))}`); flagsSent = true; break
            case 'MODSEQ': break
            case 'INTERNALDATE': add(`INTERNALDATE "${formatDateTime(m!.internalDate)}"`); break
            case 'RFC822.SIZE': add(`RFC822.SIZE ${m!.size}`); break
            case 'ENVELOPE': add(`ENVELOPE ${envelope(m!.envelope)}`); break
            case 'BODYSTRUCTURE': add(`BODYSTRUCTURE ${bodyStructure(m!.structure, true)}`); break
            case 'BODY': add(`BODY ${bodyStructure(m!.structure, false)}`); break
            case 'RFC822': add(await literalItem('RFC822', await sel.view.read(uid))); fetchLogged++; break
            case 'RFC822.HEADER': add(await literalItem('RFC822.HEADER', await sel.view.read(uid, 0, m!.headerSize))); break
            case 'RFC822.TEXT': add(await literalItem('RFC822.TEXT', await sel.view.read(uid, m!.headerSize, m!.size))); fetchLogged++; break
          }
        } else if (a.kind === 'body') {
          add(await bodySection(sel, uid, m!, a))
          if (a.section.text !== 'HEADER' && a.section.text !== 'HEADER.FIELDS' && a.section.text !== 'HEADER.FIELDS.NOT' && a.section.text !== 'MIME') fetchLogged++
        } else if (a.kind === 'binary') {
          add(await binarySection(sel, uid, m!, a.part, a.partial))
          fetchLogged++
        } else {
          const bytes = await decodedPart(sel, uid, m!, a.part)
          add(`BINARY.SIZE[${a.part.join('.')}] ${bytes.length}`)
        }
      }
      if (seenNow.has(uid) && !flagsSent) add(`FLAGS ${flagList(f, sel.recent.has(uid))}`)
      if (wantModseq) add(`MODSEQ (${f.modseq})`)
      s.sendRaw(`* ${seq} FETCH (`)
      for (const p of items) if (p !== '') s.sendRaw(p)
      s.sendRaw(')\r\n')
      if (fetchLogged && s.log.enabled('Information') && m) {
        // spec 01 §24: Store Information:fetch:user1:user/user1:<msgid>
        s.log.info('Store', `fetch:${s.userid}:${sel.view.info.fullName}:${m.messageId ?? ''}`)
        fetchLogged = 0
      }
    }
    await s.drain()
    seenNow = new Set()
  }
}

async function literalItem(label: string, data: Buffer): Promise<Buffer> {
  return Buffer.concat([Buffer.from(`${label} ${literalPrefix(data.length)}`, 'latin1'), data])
}

function applyPartial(data: Buffer, p?: { start: number; length: number }): Buffer {
  if (!p) return data
  return data.subarray(Math.min(p.start, data.length), Math.min(p.start + p.length, data.length))
}

async function bodySection(sel: SelectedMailbox, uid: number, m: MessageMeta, a: Extract<FetchAtt, { kind: 'body' }>): Promise<Buffer> {
  const label = `BODY[${sectionLabel(a.section)}]${a.partial ? `<${a.partial.start}>` : ''}`
  const range = sectionRange(m.structure, a.section)
  if (!range) return Buffer.from(`${label} NIL`, 'latin1')
  let data: Buffer
  if (a.section.text === 'HEADER.FIELDS' || a.section.text === 'HEADER.FIELDS.NOT') {
    const block = await sel.view.read(uid, range.start, range.end)
    data = applyPartial(filterHeader(block, a.section.fields ?? [], a.section.text === 'HEADER.FIELDS.NOT'), a.partial)
  } else if (a.partial) {
    const start = Math.min(range.start + a.partial.start, range.end)
    const end = Math.min(start + a.partial.length, range.end)
    data = end > start ? await sel.view.read(uid, start, end) : Buffer.alloc(0)
  } else {
    data = range.end > range.start ? await sel.view.read(uid, range.start, range.end) : Buffer.alloc(0)
  }
  return Buffer.concat([Buffer.from(`${label} ${literalPrefix(data.length)}`, 'latin1'), data])
}

async function decodedPart(sel: SelectedMailbox, uid: number, m: MessageMeta, path: number[]): Promise<Buffer> {
  const part = path.length ? findPart(m.structure, path) : m.structure
  if (!part) throw new Reply('NO', 'No such message part', 'NONEXISTENT')
  if (part.parts && part.parts.length) throw new Reply('NO', 'BINARY cannot fetch a multipart', 'UNKNOWN-CTE')
  const raw = part.bodySize ? await sel.view.read(uid, part.bodyStart, part.bodyStart + part.bodySize) : Buffer.alloc(0)
  try {
    return decodeTransfer(raw, part.encoding)
  } catch (e) {
    // RFC 3516 §4.3
    if (e instanceof UnknownCteError) throw new Reply('NO', e.message, 'UNKNOWN-CTE')
    throw e
  }
}

async function binarySection(sel: SelectedMailbox, uid: number, m: MessageMeta, path: number[], partial?: { start: number; length: number }): Promise<Buffer> {
  const data = applyPartial(await decodedPart(sel, uid, m, path), partial)
  const label = `BINARY[${path.join('.')}]${partial ? `<${partial.start}>` : ''}`
  // RFC 3516 §4.2: literal8 when the data holds NUL
  return Buffer.concat([Buffer.from(`${label} ${literalPrefix(data.length, data.includes(0))}`, 'latin1'), data])
}

/**
 * Fast path for FETCH of UID/FLAGS/MODSEQ only (the sync clients' `UID FETCH 1:* (UID FLAGS)`):
 * one ordered scan of the index merged with the session's UID order, one string per chunk.
 */
async function fetchFlagsOnly(s: ImapSession, sel: SelectedMailbox, atts: FetchAtt[], uids: number[], wantModseq: boolean): Promise<void> {
  if (!uids.length) return
  const names = atts.map((a) => (a.kind === 'simple' ? a.name : ''))
  const CHUNK = 2000
  const big = uids.length > 2000
  const scan = big ? sel.view.flags({ from: uids[0], to: uids[uids.length - 1] }) : null
  let k = 0
  for (let b = 0; b < uids.length; b += CHUNK) {
    const batch = uids.slice(b, b + CHUNK)
    let entries: FlagEntry[]
    if (scan) {
      entries = []
      for (const u of batch) {
        while (k < scan.length && scan[k].uid < u) k++
        if (k < scan.length && scan[k].uid === u) entries.push(scan[k])
      }
    } else entries = sel.view.flagsOf(batch)
    let out = ''
    let i = sel.indexOf(batch[0])
    for (const e of entries) {
      while (sel.uidAt(i) !== e.uid) i++
      let line = `* ${i + 1} FETCH (`
      let sep = ''
      for (const n of names) {
        if (n === 'UID') { line += `${sep}UID ${e.uid}`; sep = ' ' }
        else if (n === 'FLAGS') { line += `${sep}FLAGS ${flagListFast(e, sel.recent.has(e.uid))}`; sep = ' ' }
      }
      if (wantModseq) line += `${sep}MODSEQ (${e.modseq})`
      out += line + ')\r\n'
    }
    s.sendRaw(out)
    await s.drain()
  }
}
