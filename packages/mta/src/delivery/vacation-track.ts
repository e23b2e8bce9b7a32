// Per-user vacation tracking files (spec 01 §16): one flat text file per user recording which
// return paths got which reply (by hash) until when. The check-and-record runs under a per-user lock
// (in-process queue + an O_EXCL lock file, which also holds across MTAs sharing the files over NFS);
// appends are single O_APPEND writes and cleanup rewrites through a temporary file + rename.
// Location: `mta.vacation_template` (a `file:` URL; `$U` = the store id), default
// `<data root>/vacation/<2 hex>/<store id>.vac`. Cleanup runs when `time % mta.vacation_cleanup == 0`.
import { appendFile, mkdir, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface VacationTrackOptions {
  dataRoot: string
  template?: string
  cleanup?: number
}

export function trackingPath(o: VacationTrackOptions, uid: string): string {
  const safe = uid.toLowerCase().replace(/[^a-z0-9@._-]/g, '_')
  if (o.template) {
    const t = o.template.replace(/\$U/g, safe)
    return t.startsWith('file:') ? fileURLToPath(t) : t
  }
  const h = createHash('sha1').update(safe).digest('hex').slice(0, 2)
  return join(o.dataRoot, 'vacation', h, `${safe}.vac`)
}

interface Line { expires: number; hash: string; to: string }

function parse(text: string): Line[] {
  const out: Line[] = []
  for (const l of text.split('\n')) {
    const m = /^(\d+) (\d+) (\S+) (.+)$/.exec(l)
    if (m) out.push({ expires: Number(m[2]), hash: m[3], to: m[4] })
  }
  return out
}

const inProcess = new Map<string, Promise<unknown>>()
const STALE_LOCK_MS = 30_000

/** Runs `fn` holding the lock of one tracking file: callers in this process queue, others wait on the file. */
async function withLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const prev = inProcess.get(path) ?? Promise.resolve()
  const run = prev.catch(() => {}).then(async () => {
    await mkdir(dirname(path), { recursive: true })
    const lock = `${path}.lock`
    for (let i = 0; ; i++) {
      try { await (await open(lock, 'wx')).close(); break } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
        // A lock left by a crashed MTA is broken after STALE_LOCK_MS.
        const st = await stat(lock).catch(() => undefined)
        if (st && Date.now() - st.mtimeMs > STALE_LOCK_MS) { await unlink(lock).catch(() => {}); continue }
        if (i > 600) throw new Error(`vacation tracking file is locked: ${lock}`)
        await new Promise((r) => setTimeout(r, 10 + Math.random() * 40))
      }
    }
    try { return await fn() } finally { await unlink(lock).catch(() => {}) }
  })
  inProcess.set(path, run)
  try { return await run } finally { if (inProcess.get(path) === run) inProcess.delete(path) }
}

/**
 * Has a reply with this hash gone to this return path within its period? If not, records it (so the
 * caller sends exactly one, also when deliveries for the user run concurrently). `periodMs` 0 = reply
 * every time, nothing recorded.
 */
export async function claimReply(o: VacationTrackOptions, uid: string, returnPath: string, hash: string, periodMs: number, now = Date.now()): Promise<boolean> {
  if (periodMs <= 0) return true
  const path = trackingPath(o, uid)
  return withLock(path, () => claimLocked(o, path, returnPath, hash, periodMs, now))
}

async function claimLocked(o: VacationTrackOptions, path: string, returnPath: string, hash: string, periodMs: number, now: number): Promise<boolean> {
  const to = returnPath.toLowerCase()
  let text = ''
  try { text = await readFile(path, 'utf8') } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e }
  const sec = Math.floor(now / 1000)
  const lines = parse(text)
  if (lines.some((l) => l.hash === hash && l.to === to && l.expires * 1000 > now)) return false
  await appendFile(path, `${sec} ${Math.ceil((now + periodMs) / 1000)} ${hash} ${to}\n`)
  const every = o.cleanup ?? 200
  if (every > 0 && sec % every === 0) {
    const keep = parse(await readFile(path, 'utf8')).filter((l) => l.expires * 1000 > now)
    const tmp = `${path}.${process.pid}.tmp`
    await writeFile(tmp, keep.map((l) => `${sec} ${l.expires} ${l.hash} ${l.to}\n`).join(''))
    await rename(tmp, path)
  }
  return true
}
