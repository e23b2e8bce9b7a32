// How option values read in the console: booleans as 1/0 (as msconfig shows them, spec 04 A.1),
// lists space-separated, unset as an em dash; passwords never (the API already masks them).
export type OptionValueLike = string | number | boolean | string[] | null | undefined

export function showValue(v: OptionValueLike | unknown): string {
  if (v === null || v === undefined || v === '') return '—'
  if (typeof v === 'boolean') return v ? '1' : '0'
  if (Array.isArray(v)) return v.length ? v.join(' ') : '—'
  return String(v)
}

export function shortTime(iso: string | undefined | null): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return d.toLocaleString('en-GB', { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
}
