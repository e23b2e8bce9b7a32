// LDAP GeneralizedTime (vacationStartDate / vacationEndDate: YYYYMMDDHHMMSSZ) ⇄ <input type="date">.

export function generalizedToDate(g: string | undefined | null): string {
  const m = /^(\d{4})(\d{2})(\d{2})/.exec(g ?? '')
  return m ? `${m[1]}-${m[2]}-${m[3]}` : ''
}

export function dateToGeneralized(d: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d)
  return m ? `${m[1]}${m[2]}${m[3]}000000Z` : ''
}

/** "2026-11-24T12:00:00.000Z" → "2026-11-24 12:00 UTC" (compact, unambiguous). */
export function formatIso(iso: string | undefined | null): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`
}
