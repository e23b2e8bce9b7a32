// Rolled service log files and their limits (spec 01 §24): rolled files are `<svc>.<seq>.<unixtime>`
// (e.g. `imap.63.915107696`), the sequence number never wraps, and "whichever limit is hit first
// applies": maxlogfilesize (roll the live file), rollovertime (roll by age), maxlogfiles (count,
// the live file included), maxlogsize (total bytes, the live file included), expirytime (age of a
// rolled file, taken from the unixtime in its name = when it was rolled).
import { readdir, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'

export interface RotationPolicy {
  /** Bytes; 0 = unlimited. */
  maxlogfilesize: number
  /** Files, the live one included; 0 = unlimited. */
  maxlogfiles: number
  /** Total bytes of the live and rolled files; 0 = unlimited. */
  maxlogsize: number
  /** Seconds after which the live file is rolled; 0 = never. */
  rollovertime: number
  /** Seconds after which a rolled file is removed; 0 = never. */
  expirytime: number
}

export interface RolledFile {
  file: string
  seq: number
  unixtime: number
}

export function rolledFileName(name: string, seq: number, unixtime: number): string {
  return `${name}.${seq}.${unixtime}`
}

export function parseRolledFileName(name: string, file: string): RolledFile | undefined {
  if (!file.startsWith(`${name}.`)) return undefined
  const m = /^(\d+)\.(\d+)$/.exec(file.slice(name.length + 1))
  return m ? { file, seq: Number(m[1]), unixtime: Number(m[2]) } : undefined
}

/** Rolled files of one log, oldest (lowest sequence number) first. */
export async function listRolledFiles(dir: string, name: string): Promise<RolledFile[]> {
  let entries: string[]
  try {
    entries = await readdir(dir)
  } catch {
    return []
  }
  return entries
    .map((f) => parseRolledFileName(name, f))
    .filter((r): r is RolledFile => r !== undefined)
    .sort((a, b) => a.seq - b.seq)
}

/** The next sequence number: one above every rolled file ever kept (never wraps, never reused). */
export async function nextSequence(dir: string, name: string): Promise<number> {
  const rolled = await listRolledFiles(dir, name)
  return rolled.length ? rolled[rolled.length - 1]!.seq + 1 : 1
}

/** Removes rolled files beyond the count, total-size and expiry limits. Returns the removed names. */
export async function pruneRolledFiles(
  dir: string,
  name: string,
  policy: RotationPolicy,
  nowMs: number,
  liveSize: number,
): Promise<string[]> {
  const rolled = await listRolledFiles(dir, name)
  const sizes = new Map<string, number>()
  for (const r of rolled) {
    try {
      sizes.set(r.file, (await stat(join(dir, r.file))).size)
    } catch {
      sizes.set(r.file, 0)
    }
  }
  const doomed = new Set<string>()
  if (policy.expirytime > 0) {
    const cutoff = Math.floor(nowMs / 1000) - policy.expirytime
    for (const r of rolled) if (r.unixtime <= cutoff) doomed.add(r.file)
  }
  let kept = rolled.filter((r) => !doomed.has(r.file))
  if (policy.maxlogfiles > 0) {
    while (kept.length + 1 > policy.maxlogfiles && kept.length) doomed.add(kept.shift()!.file)
  }
  if (policy.maxlogsize > 0) {
    let total = liveSize + kept.reduce((s, r) => s + (sizes.get(r.file) ?? 0), 0)
    while (total > policy.maxlogsize && kept.length) {
      const r = kept.shift()!
      total -= sizes.get(r.file) ?? 0
      doomed.add(r.file)
    }
  }
  kept = []
  for (const f of doomed) {
    try {
      await unlink(join(dir, f))
    } catch {
      // already removed by another process sharing the log
    }
  }
  return [...doomed]
}
