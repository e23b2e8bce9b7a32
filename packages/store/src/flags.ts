// Flag lists ↔ (bit mask, keywords) (RFC 3501 §2.3.2). Keywords compare case-insensitively and keep
// the case first stored. `\Recent` is never stored (session state).
import { FLAG_ANSWERED, FLAG_DELETED, FLAG_DRAFT, FLAG_FLAGGED, FLAG_SEEN } from './types.js'

const SYSTEM: Record<string, number> = {
  '\\seen': FLAG_SEEN, '\\answered': FLAG_ANSWERED, '\\flagged': FLAG_FLAGGED, '\\deleted': FLAG_DELETED, '\\draft': FLAG_DRAFT,
}

export function parseFlagList(flags: readonly string[] | undefined): { bits: number; keywords: string[] } {
  let bits = 0
  const keywords: string[] = []
  const seen = new Set<string>()
  for (const f of flags ?? []) {
    if (!f) continue
    const lower = f.toLowerCase()
    if (lower.startsWith('\\')) { bits |= SYSTEM[lower] ?? 0; continue }
    if (seen.has(lower)) continue
    seen.add(lower)
    keywords.push(f)
  }
  return { bits, keywords }
}

export function keywordsToText(k: readonly string[]): string | null {
  return k.length ? k.join(' ') : null
}

export function keywordsFromText(t: string | null): string[] {
  return t ? t.split(' ') : []
}

/** Apply a STORE change; returns the new (bits, keywords). */
export function applyFlags(mode: 'add' | 'remove' | 'replace', curBits: number, curKw: string[], bits: number, kws: string[]):
  { bits: number; keywords: string[] } {
  if (mode === 'replace') return { bits, keywords: kws }
  if (mode === 'add') {
    const have = new Set(curKw.map((k) => k.toLowerCase()))
    const out = [...curKw]
    for (const k of kws) if (!have.has(k.toLowerCase())) { out.push(k); have.add(k.toLowerCase()) }
    return { bits: curBits | bits, keywords: out }
  }
  const drop = new Set(kws.map((k) => k.toLowerCase()))
  return { bits: curBits & ~bits, keywords: curKw.filter((k) => !drop.has(k.toLowerCase())) }
}

export function sameKeywords(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** ENS flag letters (spec 01 §19): A answered, F flagged, D deleted, S seen, R draft. */
export function ensFlagLetters(bits: number): string {
  return (bits & FLAG_ANSWERED ? 'A' : '') + (bits & FLAG_FLAGGED ? 'F' : '') + (bits & FLAG_DELETED ? 'D' : '') +
    (bits & FLAG_SEEN ? 'S' : '') + (bits & FLAG_DRAFT ? 'R' : '')
}
