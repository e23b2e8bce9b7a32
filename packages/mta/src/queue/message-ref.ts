// Where a queued message's bytes are read from. A queue entry is either its own queue file
// (`queue/<channel>/ZZ<key>`: the message at offset 0, the envelope trailer after it) or, for a
// message the dispatcher accepted into the commit journal (journal.ts, D26), a region of a journal
// segment. Readers get one string either way: a file path, or `<segment path>#<offset>` — the
// message is `size` bytes (the envelope's `size`) starting there.
import { closeSync, createReadStream, openSync, readSync, type ReadStream } from 'node:fs'
import { open } from 'node:fs/promises'

export interface MessageLocation { path: string; start: number }

const JOURNAL_REF = /^(.*\.jnl)#(\d+)$/

/** The reference of a message stored in a journal segment at byte `start`. */
export function journalRef(segmentPath: string, start: number): string {
  return `${segmentPath}#${start}`
}

export function locate(ref: string): MessageLocation {
  const m = JOURNAL_REF.exec(ref)
  return m ? { path: m[1], start: Number(m[2]) } : { path: ref, start: 0 }
}

/** Reads `length` message bytes into `buf` at `at`, synchronously (the store's delivery path). */
export function readMessageSync(ref: string, buf: Buffer, at: number, length: number): void {
  const { path, start } = locate(ref)
  const fd = openSync(path, 'r')
  try {
    let off = 0
    while (off < length) {
      const n = readSync(fd, buf, at + off, length - off, start + off)
      if (!n) throw new Error(`queued message truncated: ${ref}`)
      off += n
    }
  } finally { closeSync(fd) }
}

/** The first `length` bytes of the message (fewer if the message is shorter). */
export async function readMessagePrefix(ref: string, length: number): Promise<Buffer> {
  const { path, start } = locate(ref)
  const fh = await open(path, 'r')
  try {
    const buf = Buffer.alloc(length)
    let off = 0
    while (off < length) {
      const { bytesRead } = await fh.read(buf, off, length - off, start + off)
      if (!bytesRead) break
      off += bytesRead
    }
    return buf.subarray(0, off)
  } finally { await fh.close() }
}

/** A stream of the message's `size` bytes (outbound SMTP/LMTP). */
export function messageStream(ref: string, size: number): ReadStream {
  const { path, start } = locate(ref)
  return createReadStream(path, { start, end: start + Math.max(0, size - 1) })
}
