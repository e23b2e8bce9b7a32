// Fixed-width columns for the tools' stable report formats.

export const padRight = (s: string, w: number) => (s.length >= w ? s : s + ' '.repeat(w - s.length))
export const padLeft = (s: string, w: number) => (s.length >= w ? s : ' '.repeat(w - s.length) + s)

/** `MM/DD/YY` (imquotacheck OverDate/WarnDate, spec 03 §5). */
export function mmddyy(ms: number): string {
  const d = new Date(ms)
  const two = (n: number) => String(n).padStart(2, '0')
  return `${two(d.getMonth() + 1)}/${two(d.getDate())}/${two(d.getFullYear() % 100)}`
}

/** `YYYY/MM/DD HH:MM` (mboxutil -l "last msg"). */
export function ymdhm(ms: number): string {
  const d = new Date(ms)
  const two = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}/${two(d.getMonth() + 1)}/${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`
}

/** `YYYYMMDDhhmmss` (imcheck dates). */
export function compactDate(ms: number): string {
  const d = new Date(ms)
  const two = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`
}
