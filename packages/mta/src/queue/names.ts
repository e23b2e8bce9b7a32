// Queue file naming (spec 01 §9): `DataRoot/queue/<channel>/[NNN/]<prefix><id>.<nn>`; the two-letter
// prefix encodes the attempt: `ZZ` untried, `ZY` 2nd attempt, `ZX` 3rd … (then `YZ` after `ZA`).
// A sidelined (held) file carries the `.HELD` suffix and is ignored by the job controller (spec 02 §3).
import { randomBytes } from 'node:crypto'

const A = 'A'.charCodeAt(0)

/** Prefix for a file that has had `attempts` delivery attempts so far. */
export function attemptPrefix(attempts: number): string {
  const n = Math.max(0, Math.min(675, Math.floor(attempts)))
  const hi = 25 - Math.floor(n / 26)
  const lo = 25 - (n % 26)
  return String.fromCharCode(A + hi) + String.fromCharCode(A + lo)
}

/** Inverse of attemptPrefix; undefined when `p` is not two capital letters. */
export function attemptsFromPrefix(p: string): number | undefined {
  if (!/^[A-Z]{2}$/.test(p)) return undefined
  return (25 - (p.charCodeAt(0) - A)) * 26 + (25 - (p.charCodeAt(1) - A))
}

let counter = 0
// Random tails come from a pool refilled 1,000 ids at a time (one randomBytes call per 1,000
// messages instead of one per message: it showed up in the dispatcher's CPU profile).
let pool = Buffer.alloc(0)
let poolAt = 0
/** A new message id: time-ordered, unique across processes (random tail), safe in file names. */
export function newMessageId(now = Date.now()): string {
  counter = (counter + 1) & 0xffff
  if (poolAt + 3 > pool.length) { pool = randomBytes(3000); poolAt = 0 }
  const tail = pool.toString('hex', poolAt, poolAt + 3)
  poolAt += 3
  return now.toString(36).padStart(9, '0') + counter.toString(36).padStart(4, '0') + tail
}

/** Queue key of one entry: `<messageId>.<nn>` (nn = index of the per-channel split, two digits). */
export function entryKey(messageId: string, part: number): string {
  return `${messageId}.${String(part).padStart(2, '0')}`
}

export interface ParsedQueueName {
  key: string
  attempts: number
  held: boolean
}

const NAME_RE = /^([A-Z]{2})([0-9a-z]+\.[0-9]{2})(\.HELD)?$/

/** Parses a queue file name; undefined for anything else (temporary files, strays). */
export function parseQueueName(name: string): ParsedQueueName | undefined {
  const m = NAME_RE.exec(name)
  if (!m) return undefined
  return { key: m[2], attempts: attemptsFromPrefix(m[1])!, held: Boolean(m[3]) }
}

export function queueFileName(key: string, attempts: number, held: boolean): string {
  return attemptPrefix(attempts) + key + (held ? '.HELD' : '')
}

/** Subdirectory `NNN` for a key when the channel uses `subdirs N` (0 = none). */
export function subdirFor(key: string, subdirs: number): string {
  if (!subdirs || subdirs <= 1) return ''
  let h = 0
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0
  return String(h % subdirs).padStart(3, '0')
}
