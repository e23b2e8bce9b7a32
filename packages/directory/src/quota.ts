// mailQuota / mailMsgQuota / mailDomainDiskQuota / mailDomainMsgQuota syntax (spec 03 §4):
// `2G;#voice%20M;Archive%100M` = `default;#type%q;folder%q`. Absent or -2 = system default, -1 = unlimited.
// Units: the manual contradicts itself (`20M` shown as IMAP 20480 KB, elsewhere 2M = 2000000); we use
// binary units (K = 1024, M = 1024 K, G = 1024 M), as spec 03 §0 decides. Counts take no suffix.
import { DirectoryError, type QuotaSpec } from './types.js'

const BYTES = /^(-?\d+)([KMGT]?)B?$/i
const MULT: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }

function parseAmount(text: string, kind: 'bytes' | 'count', whole: string): number {
  const t = text.trim()
  const m = kind === 'bytes' ? BYTES.exec(t) : /^(-?\d+)()$/.exec(t)
  if (!m) throw new DirectoryError('invalid-quota', `invalid quota "${whole}": "${t}" is not a ${kind === 'bytes' ? 'size' : 'count'}`)
  const n = Number(m[1])
  if (n < -2) throw new DirectoryError('invalid-quota', `invalid quota "${whole}": must be non-negative, -1 (unlimited) or -2 (default)`)
  if (n < 0) return n
  const v = n * MULT[m[2]!.toUpperCase()]!
  if (!Number.isSafeInteger(v)) throw new DirectoryError('invalid-quota', `invalid quota "${whole}": too large`)
  return v
}

/** Parses a quota value; throws DirectoryError('invalid-quota') on bad syntax or negative values. */
export function parseQuota(value: string | number | undefined | null, kind: 'bytes' | 'count' = 'bytes'): QuotaSpec {
  const spec: QuotaSpec = { types: {}, folders: {} }
  if (value === undefined || value === null) return spec
  const whole = String(value).trim()
  if (whole === '') return spec
  const parts = whole.split(';')
  parts.forEach((part, i) => {
    const p = part.trim()
    if (p === '') {
      if (i === 0) return // `;Archive%100M`: no default part
      throw new DirectoryError('invalid-quota', `invalid quota "${whole}": empty element`)
    }
    const pct = p.lastIndexOf('%')
    if (pct === -1) {
      if (i !== 0) throw new DirectoryError('invalid-quota', `invalid quota "${whole}": "${p}" needs name%quota`)
      const n = parseAmount(p, kind, whole)
      spec.limit = n === -2 ? undefined : n
      return
    }
    const name = p.slice(0, pct).trim()
    const n = parseAmount(p.slice(pct + 1), kind, whole)
    if (n === -2) throw new DirectoryError('invalid-quota', `invalid quota "${whole}": -2 only applies to the default part`)
    if (!name || name === '#') throw new DirectoryError('invalid-quota', `invalid quota "${whole}": empty root name`)
    if (name.startsWith('#')) spec.types[name.slice(1)] = n
    else spec.folders[name] = n
  })
  return spec
}

/** Validates a quota attribute value, returning it normalised (trimmed). */
export function validateQuota(value: string, kind: 'bytes' | 'count'): string {
  parseQuota(value, kind)
  return value.trim()
}
