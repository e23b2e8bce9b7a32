// Durable file primitives: a message is written to a temp file, fsync'd, linked into place, and the
// directory entry fsync'd before the index commit that makes it visible (brief: crash safety).
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import { randomBytes } from 'node:crypto'

let tmpSeq = 0

/** Write `data` to a new temp file under `dir` and fsync it. Returns its path. */
export async function writeTempDurable(dir: string, data: Buffer): Promise<string> {
  const p = path.join(dir, `${process.pid}.${Date.now()}.${++tmpSeq}.${randomBytes(4).toString('hex')}.tmp`)
  const fh = await fsp.open(p, 'wx', 0o600)
  try {
    let off = 0
    while (off < data.length) {
      const { bytesWritten } = await fh.write(data, off, data.length - off, null)
      off += bytesWritten
    }
    await fh.datasync()
  } catch (e) {
    await fh.close().catch(() => {})
    await fsp.unlink(p).catch(() => {})
    throw e
  }
  await fh.close()
  return p
}

/** fsync a directory (makes created/removed entries durable). */
export function fsyncDirSync(dir: string): void {
  const fd = fs.openSync(dir, 'r')
  try { fs.fsyncSync(fd) } finally { fs.closeSync(fd) }
}

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r')
  try { await fh.sync() } finally { await fh.close() }
}

/** mkdir -p that fsyncs every parent whose entry it created. Returns true when something was created. */
export function mkdirDurableSync(dir: string): boolean {
  if (fs.existsSync(dir)) return false
  const parent = path.dirname(dir)
  mkdirDurableSync(parent)
  try { fs.mkdirSync(dir, { mode: 0o700 }) } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; return false }
  fsyncDirSync(parent)
  return true
}

/**
 * Hard-link `src` to `dst`. A leftover `dst` (an orphan from a crash before its index commit: the uid
 * was never visible) is replaced. Falls back to a durable copy across filesystems.
 */
export function linkReplaceSync(src: string, dst: string): void {
  try {
    fs.linkSync(src, dst)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EEXIST') { fs.unlinkSync(dst); fs.linkSync(src, dst); return }
    if (code === 'EXDEV' || code === 'EPERM' || code === 'EMLINK') { copyDurableSync(src, dst); return }
    throw e
  }
}

export function copyDurableSync(src: string, dst: string): void {
  const tmp = dst + '.tmp'
  fs.copyFileSync(src, tmp)
  const fd = fs.openSync(tmp, 'r+')
  try { fs.fdatasyncSync(fd) } finally { fs.closeSync(fd) }
  fs.renameSync(tmp, dst)
}

/** Write a small file atomically (tmp + fsync + rename + dir fsync). */
export function writeFileAtomicSync(p: string, data: string | Buffer): void {
  const tmp = `${p}.${process.pid}.tmp`
  const fd = fs.openSync(tmp, 'w', 0o600)
  try { fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data); fs.fdatasyncSync(fd) } finally { fs.closeSync(fd) }
  fs.renameSync(tmp, p)
  fsyncDirSync(path.dirname(p))
}

/** Read [start, end) of a file. */
export async function readRange(p: string, start: number, end: number): Promise<Buffer> {
  const len = Math.max(0, end - start)
  const buf = Buffer.allocUnsafe(len)
  if (len === 0) return buf
  const fh = await fsp.open(p, 'r')
  try {
    let off = 0
    while (off < len) {
      const { bytesRead } = await fh.read(buf, off, len - off, start + off)
      if (bytesRead === 0) break
      off += bytesRead
    }
    return off === len ? buf : buf.subarray(0, off)
  } finally { await fh.close() }
}
