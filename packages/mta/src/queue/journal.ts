// The commit journal (D26): the dispatcher appends each small accepted message — its per-channel
// envelopes and its bytes, in one record — to a preallocated segment file, one write and one
// fdatasync per group-commit batch, instead of creating, syncing, renaming and later unlinking one
// queue file per message. Overwriting blocks that already exist needs no file-system metadata
// change, so the fdatasync flushes data only (no ext4 journal commit): the cost that bounded
// throughput and the accept latency (bench/smtp).
//
// A journal entry stays an ordinary queue entry for everyone else: the index row carries the
// segment and the message's offset, readers get a `segment#offset` reference (message-ref.ts), and
// anything but a first-attempt completion — a retry, hold, release, envelope rewrite — first turns
// the entry into its own queue file (`QueueStore.ensureFile`), as the manual's tools expect.
//
// Durability and recovery:
// - a batch is written and fdatasynced before its sessions get `250`; its rows are indexed right
//   after (group-commit.ts), and a crash in between is recovered from the journal itself;
// - each segment's index row keeps a high-water mark, raised only over batches that are settled:
//   every entry indexed, or handed to the job controller and then delivered or indexed by it
//   (handoff.ts), with nothing unsettled before them (batches settle out of order). Every record
//   below it is (or was) indexed or delivered, so after a crash the owner re-indexes only the valid
//   records above it (one already delivered is delivered again, which the store's delivery key
//   makes a no-op); a record below it without a row was delivered, never resurrected;
// - batches start on 4 KB boundaries and every record carries the segment's tag and a CRC, so a
//   torn batch is skipped without losing a later, complete one;
// - a segment is deleted only when it is sealed (no more appends, nothing in flight) and no row
//   refers to it: the file first, then its row.
import { crc32 } from 'node:zlib'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { open, unlink } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import type { QueueEnvelope } from './format.js'
import type { QueueIndex } from './index-db.js'

const MAGIC = 0x57524a31 // 'WRJ1'
/** magic u32 | segment tag u32 | payload length u32 | envelope length u32 | crc32(tag, lengths, payload) u32 */
export const RECORD_HEADER = 20
const ALIGN = 4096
const ZEROS = Buffer.alloc(4 << 20)

export interface JournalEntry { key: string; dir: string; env: QueueEnvelope }

/** One message's record: where its bytes start inside the record (set when encoded). */
export interface JournalRecord { buf: Buffer; bodyOffset: number; entries: JournalEntry[] }

export interface Placement { segment: string; recordOffset: number; /** Where the record's batch starts (its key in the segment's open list). */ batchAt: number }

interface Segment {
  name: string
  path: string
  tag: number
  fh: FileHandle
  /** Next free byte. */
  next: number
  cap: number
  /**
   * Batches placed in it that are not yet settled, in segment order. A batch is settled when its
   * index transaction committed (`indexed`) and every entry it handed to the job controller instead
   * of indexing (handoff.ts) was delivered, or indexed by whoever could not deliver it (`settled`).
   */
  open: OpenBatch[]
  /** No more appends (rotated away); sealed in the index once nothing is in flight. */
  retiring: boolean
}

interface OpenBatch {
  at: number
  end: number
  indexed: boolean
  /** Entries handed off instead of indexed (set by `indexed`: a retried transaction sets it again). */
  handedOff: number
  settled: number
}

const isSettled = (b: OpenBatch) => b.indexed && b.settled >= b.handedOff

export const segmentTag = (name: string) => crc32(name) >>> 0

function checksum(tag: number, payloadLen: number, envLen: number, payload: Buffer): number {
  const h = Buffer.allocUnsafe(12)
  h.writeUInt32LE(tag, 0); h.writeUInt32LE(payloadLen, 4); h.writeUInt32LE(envLen, 8)
  return crc32(payload, crc32(h)) >>> 0
}

/** Encodes one message's record (the segment tag is filled in when the record is placed). */
export function encodeRecord(entries: JournalEntry[], body: Buffer): JournalRecord {
  const envJson = Buffer.from(JSON.stringify(entries), 'utf8')
  const buf = Buffer.allocUnsafe(RECORD_HEADER + envJson.length + body.length)
  envJson.copy(buf, RECORD_HEADER)
  body.copy(buf, RECORD_HEADER + envJson.length)
  buf.writeUInt32LE(MAGIC, 0)
  buf.writeUInt32LE(envJson.length + body.length, 8)
  buf.writeUInt32LE(envJson.length, 12)
  return { buf, bodyOffset: RECORD_HEADER + envJson.length, entries }
}

function seal(rec: JournalRecord, tag: number): void {
  const payloadLen = rec.buf.readUInt32LE(8), envLen = rec.buf.readUInt32LE(12)
  rec.buf.writeUInt32LE(tag, 4)
  rec.buf.writeUInt32LE(checksum(tag, payloadLen, envLen, rec.buf.subarray(RECORD_HEADER)), 16)
}

/** A valid record at `pos` of a segment's bytes, or undefined (zeros, a torn write, another segment's data). */
function recordAt(data: Buffer, pos: number, tag: number): { entries: JournalEntry[]; bodyOffset: number; end: number } | undefined {
  if (pos + RECORD_HEADER > data.length || data.readUInt32LE(pos) !== MAGIC || data.readUInt32LE(pos + 4) !== tag) return undefined
  const payloadLen = data.readUInt32LE(pos + 8), envLen = data.readUInt32LE(pos + 12)
  const end = pos + RECORD_HEADER + payloadLen
  if (envLen > payloadLen || end > data.length) return undefined
  if (checksum(tag, payloadLen, envLen, data.subarray(pos + RECORD_HEADER, end)) !== data.readUInt32LE(pos + 16)) return undefined
  try {
    const entries = JSON.parse(data.toString('utf8', pos + RECORD_HEADER, pos + RECORD_HEADER + envLen)) as JournalEntry[]
    return { entries, bodyOffset: pos + RECORD_HEADER + envLen, end }
  } catch { return undefined }
}

const alignUp = (n: number) => Math.ceil(n / ALIGN) * ALIGN

/**
 * Deletes sealed segments no entry refers to (after completions, at start; any process may): the
 * file first, then its row, so a crash in between leaves a row without a file, which the next pass drops.
 */
export async function retireEmptySegments(index: QueueIndex, dir: string, names?: string[]): Promise<number> {
  let n = 0
  for (const name of index.emptySealedSegments(names)) {
    await unlink(join(dir, name)).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'ENOENT') throw e })
    index.dropSegment(name)
    n++
  }
  return n
}

export class CommitJournal {
  readonly dir: string
  private cur?: Segment
  private next?: Promise<Segment>
  private seq = 0
  private readonly segments = new Map<string, Segment>()
  /** Segments being created (recover must not take them for a crashed process's). */
  private readonly creating = new Set<string>()
  private recovered = false

  // 4 MB segments (~1,800 messages of 2 KB): preallocating one (zeros, then a flush) must stay short
  // next to the batches' own fdatasyncs that share the disk.
  /** @param txIndex the connection the group commit's transactions run on (indexed() is called inside them) */
  constructor(queueRoot: string, private readonly index: QueueIndex, private readonly txIndex: QueueIndex, private readonly segmentBytes = 4 << 20) {
    this.dir = join(queueRoot, '.journal')
  }

  pathOf(segment: string): string { return join(this.dir, segment) }

  /** A new segment: preallocated with zeros and synced (file and directory), then registered. */
  private async create(minBytes: number): Promise<Segment> {
    const name = `${Date.now().toString(36)}-${process.pid.toString(36)}-${(this.seq++).toString(36)}.jnl`
    const path = this.pathOf(name)
    const cap = Math.max(this.segmentBytes, alignUp(minBytes))
    this.creating.add(name)
    const fh = await open(path, 'wx+', 0o600).catch((e) => { this.creating.delete(name); throw e })
    try {
      for (let off = 0; off < cap; off += ZEROS.length) await fh.write(ZEROS, 0, Math.min(ZEROS.length, cap - off), off)
      await fh.datasync()
      const d = await open(this.dir, 'r')
      try { await d.sync() } finally { await d.close() }
    } catch (e) {
      this.creating.delete(name)
      await fh.close().catch(() => {})
      await unlink(path).catch(() => {})
      throw e
    }
    this.index.addSegment(name)
    const seg: Segment = { name, path, tag: segmentTag(name), fh, next: 0, cap, open: [], retiring: false }
    this.segments.set(name, seg)
    this.creating.delete(name)
    return seg
  }

  /**
   * Places a batch's records: one aligned region of the current segment (a new one when full; the
   * next is prepared in the background at half). Returns the write to perform and sync.
   */
  place(records: JournalRecord[]): Promise<{ seg: Segment; at: number; buf: Buffer; placements: Placement[] }> {
    // one placement at a time: two batches must not both start a segment
    const run = this.placing.then(() => this.placeNow(records))
    this.placing = run.catch(() => {})
    return run
  }

  private placing: Promise<unknown> = Promise.resolve()

  private async placeNow(records: JournalRecord[]): Promise<{ seg: Segment; at: number; buf: Buffer; placements: Placement[] }> {
    const len = records.reduce((a, r) => a + r.buf.length, 0)
    let seg = this.cur
    if (!seg || alignUp(seg.next) + len > seg.cap) {
      let fresh: Segment | undefined
      if (this.next && len <= this.segmentBytes) { fresh = await this.next.catch(() => undefined); this.next = undefined }
      if (seg) this.retire(seg)
      seg = this.cur = fresh ?? await this.create(len)
    }
    const at = alignUp(seg.next)
    seg.next = at + len
    seg.open.push({ at, end: at + len, indexed: false, handedOff: 0, settled: 0 })
    if (!this.next && seg.next > seg.cap / 2) {
      this.next = this.create(this.segmentBytes)
      this.next.catch(() => { this.next = undefined })
    }
    const placements: Placement[] = []
    let off = at
    for (const r of records) {
      seal(r, seg.tag)
      placements.push({ segment: seg.name, recordOffset: off, batchAt: at })
      off += r.buf.length
    }
    return { seg, at, buf: records.length === 1 ? records[0].buf : Buffer.concat(records.map((r) => r.buf), len), placements }
  }

  /**
   * Inside the batch's index transaction: its rows are indexed, and `handedOff` of its entries went
   * to the job controller instead (each settles later: `settled`). The high-water mark moves over
   * every batch of the segment that is now settled with nothing unsettled before it; a rotated-away
   * segment with nothing in flight is sealed. (Idempotent: a failed transaction is run again.)
   */
  indexed(seg: Segment, at: number, handedOff = 0): void {
    const b = seg.open.find((o) => o.at === at)
    if (b) { b.indexed = true; b.handedOff = handedOff }
    this.advance(seg, this.txIndex)
  }

  /**
   * Inside a transaction on the group commit's connection, once per handed-off entry: it was
   * delivered, or indexed by the job controller (which could not deliver it). If that transaction
   * fails to commit, the mark on disk stays lower than this process believes: a crash then
   * re-indexes more than needed, which re-delivery absorbs (the store's delivery key), never less.
   */
  settled(segment: string, at: number): void {
    const seg = this.segments.get(segment)
    const b = seg?.open.find((o) => o.at === at)
    if (!seg || !b) return
    b.settled++
    this.advance(seg, this.txIndex)
  }

  /** The batch failed before anyone was answered `250`: nothing of it is referenced (its bytes stay dead in the segment). */
  abandoned(seg: Segment, at: number): void {
    const b = seg.open.find((o) => o.at === at)
    if (b) { b.indexed = true; b.handedOff = 0 }
    this.advance(seg, this.index)
  }

  private advance(seg: Segment, via: QueueIndex): void {
    let hw = -1
    while (seg.open.length && isSettled(seg.open[0])) hw = seg.open.shift()!.end
    if (hw >= 0) via.raiseHighWater(seg.name, hw)
    if (seg.retiring && !seg.open.length) this.sealNow(seg, via)
  }

  private retire(seg: Segment): void {
    seg.retiring = true
    if (!seg.open.length) this.sealNow(seg)
  }

  private sealNow(seg: Segment, via = this.index): void {
    via.sealSegment(seg.name)
    this.segments.delete(seg.name)
    void seg.fh.close().catch(() => {})
    // (after the transaction the seal may be part of has committed: the check reads on another connection)
    setImmediate(() => { this.retireEmpty([seg.name]).catch(() => { /* retried at the next completion or start */ }) })
  }

  /** Deletes sealed segments no entry refers to (retireEmptySegments). */
  retireEmpty(names?: string[]): Promise<number> {
    return retireEmptySegments(this.index, this.dir, names)
  }

  /**
   * After a crash (the journal's owner, at start, before it appends): re-indexes every valid record
   * above each segment's high-water mark that the index lacks, seals every segment (appends go to a
   * new one), and deletes those nothing refers to. Returns the entries recovered.
   */
  async recover(): Promise<number> {
    if (this.recovered) return 0 // once, at the owner's start (a queue shared in one process reconciles twice)
    this.recovered = true
    let names: string[] = []
    try { names = readdirSync(this.dir).filter((f) => f.endsWith('.jnl')) } catch { return 0 }
    let recovered = 0
    const known = new Map(this.index.segments().map((s) => [s.name, s]))
    for (const name of names) {
      if (this.segments.has(name) || this.creating.has(name)) continue // this process's own
      const row = known.get(name)
      const path = this.pathOf(name)
      const from = row?.hw ?? 0
      if (!row) this.index.addSegment(name)
      let size = 0
      try { size = statSync(path).size } catch { continue }
      if (from < size) {
        const data = readFileSync(path)
        const tag = segmentTag(name)
        const found: Array<JournalEntry & { seg: string; segOff: number }> = []
        let pos = alignUp(from), end = from
        while (pos < data.length) {
          const rec = recordAt(data, pos, tag)
          if (!rec) { pos = alignUp(pos + 1); continue }
          for (const e of rec.entries) found.push({ ...e, seg: name, segOff: rec.bodyOffset })
          pos = end = rec.end
        }
        recovered += this.index.insertMissing(found.map((f) => ({ key: f.key, dir: f.dir, attempts: 0, held: false, env: f.env, nextAt: Date.now(), seg: f.seg, segOff: f.segOff })), name, end)
      }
      this.index.sealSegment(name)
    }
    // rows of segments whose file is gone (deleted before its row)
    for (const s of known.values()) if (!names.includes(s.name) && !this.segments.has(s.name) && !this.creating.has(s.name)) this.index.sealSegment(s.name)
    await this.retireEmpty()
    return recovered
  }

  async close(): Promise<void> {
    const next = this.next
    this.next = undefined
    const open = [...this.segments.values()]
    this.segments.clear()
    this.cur = undefined
    await Promise.all(open.map((s) => s.fh.close().catch(() => {})))
    if (next) await next.then((s) => s.fh.close()).catch(() => {})
  }
}
