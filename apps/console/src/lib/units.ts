// Quota sizes as the product writes them (spec 03 §4): binary units, K = 1024, M = 1024 K,
// G = 1024 M; -1 = unlimited, absent / -2 = the system default. The server parses and validates
// (directory parseQuota); the console only formats and gives early hints.

const UNITS = ['B', 'K', 'M', 'G', 'T'] as const

/** 1536 → "1.5K", 104857600 → "100M"; negative → "unlimited" (-1) / "default" (-2). */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—'
  if (n === -1) return 'unlimited'
  if (n < 0) return 'default'
  let v = n
  let u = 0
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024
    u++
  }
  const text = u === 0 || v >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(1).replace(/\.0$/, '')
  return `${text}${UNITS[u]}`
}

/** Counts (message quotas) with thousands separators; -1 unlimited. */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—'
  if (n === -1) return 'unlimited'
  if (n < 0) return 'default'
  return n.toLocaleString('en')
}

const SIZE = /^(-?\d+)([KMGT]?)B?$/i

/** Early client-side hint for a single size value ("100M", "-1", "2G"); undefined when it looks fine. */
export function sizeHint(text: string): string | undefined {
  const t = text.trim()
  if (t === '') return undefined
  // Compound quotas (`2G;#voice%20M;Archive%100M`) are left to the server.
  if (t.includes(';') || t.includes('%')) return undefined
  const m = SIZE.exec(t)
  if (!m) return 'Use a number of bytes or a size such as 500K, 100M, 2G; -1 for unlimited'
  if (Number(m[1]) < -2) return 'Must be 0 or more, -1 (unlimited) or -2 (default)'
  return undefined
}

/** A quota value for an input box: numbers from the server shown in product units ("100M"). */
export function quotaInput(v: string | number | null | undefined): string {
  if (v === null || v === undefined || v === '') return ''
  if (typeof v === 'string') return v
  if (v < 0) return String(v)
  for (const [suffix, mult] of [['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]] as const) {
    if (v >= mult && v % mult === 0) return `${v / mult}${suffix}`
  }
  return String(v)
}

/** Splits a textarea / comma list into trimmed non-empty entries. */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,]+/)
    .map((s) => s.trim())
    .filter(Boolean)
}
