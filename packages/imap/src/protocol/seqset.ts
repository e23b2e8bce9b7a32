/**
 * Sequence sets (RFC 3501 §9 sequence-set; RFC 5182 `$` = saved search result).
 * `*` is kept symbolic (Infinity) until resolved against a mailbox.
 */
import { ImapParseError } from './reader.js'

export interface SeqRange { from: number; to: number }
/** Parsed set; `saved` is true for `$` (SEARCHRES). */
export interface SeqSet { ranges: SeqRange[]; saved?: boolean }

export const STAR = Number.POSITIVE_INFINITY

export function parseSeqSet(text: string): SeqSet {
  if (text === '$') return { ranges: [], saved: true }
  if (!text) throw new ImapParseError('Invalid sequence set: empty')
  const ranges: SeqRange[] = []
  for (const part of text.split(',')) {
    const m = /^(\d+|\*)(?::(\d+|\*))?$/.exec(part)
    if (!m) throw new ImapParseError(`Invalid sequence set "${text}"`)
    const a = num(m[1], text)
    const b = m[2] === undefined ? a : num(m[2], text)
    ranges.push(a <= b ? { from: a, to: b } : { from: b, to: a })
  }
  return { ranges }
}

function num(s: string, text: string): number {
  if (s === '*') return STAR
  const n = Number(s)
  if (n === 0 || n > 0xffffffff) throw new ImapParseError(`Invalid sequence set "${text}": numbers must be 1..4294967295`)
  return n
}

/** Resolves `*` to max; ranges beyond max are clipped (RFC 3501 §6.4.8: "*" is the largest number in use). */
export function resolve(set: SeqSet, max: number): SeqRange[] {
  const out: SeqRange[] = []
  for (const r of set.ranges) {
    let from = r.from === STAR ? max : r.from
    let to = r.to === STAR ? max : r.to
    if (from > to) [from, to] = [to, from]
    out.push({ from, to })
  }
  return out
}

/** Tests membership of n (after `*` resolution against max). */
export function contains(set: SeqSet, n: number, max: number): boolean {
  for (const r of set.ranges) {
    let from = r.from === STAR ? max : r.from
    let to = r.to === STAR ? max : r.to
    if (from > to) [from, to] = [to, from]
    if (n >= from && n <= to) return true
  }
  return false
}

/** Compact text form of a sorted list of numbers: `1:3,7,9:10`. */
export function formatSeqSet(nums: Iterable<number>): string {
  const parts: string[] = []
  let start = -1
  let prev = -1
  for (const n of nums) {
    if (start < 0) { start = prev = n; continue }
    if (n === prev + 1) { prev = n; continue }
    parts.push(start === prev ? `${start}` : `${start}:${prev}`)
    start = prev = n
  }
  if (start >= 0) parts.push(start === prev ? `${start}` : `${start}:${prev}`)
  return parts.join(',')
}

/** Sorted, non-overlapping, non-adjacent ranges (so that walking them yields each number once, in order). */
export function mergeRanges(ranges: SeqRange[]): SeqRange[] {
  if (ranges.length <= 1) return ranges
  const sorted = [...ranges].sort((a, b) => a.from - b.from)
  const out: SeqRange[] = [{ ...sorted[0] }]
  for (let k = 1; k < sorted.length; k++) {
    const last = out[out.length - 1]
    const r = sorted[k]
    if (r.from <= last.to + 1) { if (r.to > last.to) last.to = r.to } else out.push({ ...r })
  }
  return out
}

/** Selects, from a sorted UID array, the indexes (0-based) whose UID lies in the set. */
export function uidIndexes(set: SeqSet, uids: ArrayLike<number>): number[] {
  const n = uids.length
  if (n === 0) return []
  const max = uids[n - 1]
  // Merged ranges give ascending, unique indexes directly: no Set and no sort for `1:*` on 100k.
  const out: number[] = []
  for (const r of mergeRanges(resolve(set, max))) {
    let i = lowerBound(uids, r.from)
    while (i < n && uids[i] <= r.to) out.push(i++)
  }
  return out
}

/** Selects the 0-based indexes of message sequence numbers in the set; throws if out of range. */
export function seqIndexes(set: SeqSet, count: number): number[] {
  for (const r of set.ranges) {
    if (r.from !== STAR && r.from > count || r.to !== STAR && r.to > count) {
      throw new ImapParseError('Invalid message sequence number')
    }
  }
  if (count === 0) {
    // RFC 3501 §6.4.8 / 9051 "*" on an empty mailbox is an error for sequence numbers.
    throw new ImapParseError('Invalid message sequence number (mailbox is empty)')
  }
  const out: number[] = []
  for (const r of mergeRanges(resolve(set, count))) for (let i = r.from; i <= r.to; i++) out.push(i - 1)
  return out
}

export function lowerBound(arr: ArrayLike<number>, v: number): number {
  let lo = 0
  let hi = arr.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (arr[mid] < v) lo = mid + 1
    else hi = mid
  }
  return lo
}
