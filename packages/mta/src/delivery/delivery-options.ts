// `mta.delivery_options` (spec 01 §16; Messaging Server Reference, "delivery_options"): each value of a
// recipient's `mailDeliveryOption` selects one `[prefixes]name=template` entry, and the template yields a
// delivery address. Prefixes:
//   *  entry applies to users        &  entry applies to groups (neither: both)
//   @  expansion forced through the reprocess channel   $  expansion deferred
//   ^  apply only inside the vacation dates (inclusive)  %  apply only outside them (exclusive)
//   #  mailhost-independent (may be acted on by relays)  /  sideline the result (.HELD, the hold channel)
//   !  internal autoreply mode: generate the vacation reply (RFC 5230 semantics) at delivery
// Templates use the URL-processing substitutions: `$$` `$A` address, `$U` local part, `$D` domain,
// `$M` mailbox name (store id without its hosted domain), `$I` hosted domain, `$S` subaddress
// (`$1S`/`$1I`: nothing when absent; `$2S`/`$2I`: nothing and the preceding character is dropped),
// `$H` mail host, `$X` mail host (source-route form), `$P` program, `$F` file, and case controls
// `$\` (lower; a bare `\` too) `$^` (upper) `$_` (as is). Whole-template `*` = the group's members, `**` = the
// user's forwarding addresses.

/** The product's default (Messaging Server 8 `msconfig show -default delivery_options`). */
export const DEFAULT_DELIVERY_OPTIONS =
  '*mailbox=$M%\\$2I$_+$2S@ims-ms-daemon,&members=*,*native=$M@native-daemon,/hold=@hold-daemon:$A,*unix=$M@native-daemon,&file=+$F@native-daemon,&members_offline=*,program=$M%$P@pipe-daemon,#forward=**,^*!autoreply=$M+$D@bitbucket,#*&nomail=$M+$D@bitbucket'

export interface DeliveryOptionEntry {
  name: string
  users: boolean
  groups: boolean
  reprocess: boolean
  deferred: boolean
  vacationInclusive: boolean
  vacationExclusive: boolean
  mailhostIndependent: boolean
  held: boolean
  autoreply: boolean
  template: string
}

const PREFIX = /^([*&@$^%#/!]*)([A-Za-z0-9_-]+)=(.*)$/

/** Parses the option value (comma-separated; whitespace around entries ignored). Bad entries are skipped. */
export function parseDeliveryOptions(value: string | undefined): DeliveryOptionEntry[] {
  const out: DeliveryOptionEntry[] = []
  for (const raw of (value ?? DEFAULT_DELIVERY_OPTIONS).split(',')) {
    const m = PREFIX.exec(raw.trim())
    if (!m) continue
    const p = m[1]
    const users = p.includes('*'), groups = p.includes('&')
    out.push({
      name: m[2].toLowerCase(), users: users || !groups, groups: groups || !users,
      reprocess: p.includes('@'), deferred: p.includes('$'), vacationInclusive: p.includes('^'), vacationExclusive: p.includes('%'),
      mailhostIndependent: p.includes('#'), held: p.includes('/'), autoreply: p.includes('!'), template: m[3].trim(),
    })
  }
  return out
}

/** The entry a `mailDeliveryOption` value selects for a user or a group (first match wins). */
export function selectEntry(entries: DeliveryOptionEntry[], value: string, kind: 'user' | 'group'): DeliveryOptionEntry | undefined {
  const v = value.trim().toLowerCase()
  return entries.find((e) => e.name === v && (kind === 'user' ? e.users : e.groups))
}

/** `YYYYMMDDHHMMSSZ` (GeneralizedTime, GMT) → ms; undefined when absent or malformed. */
export function generalizedTime(s: string | undefined): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?(?:\.\d+)?Z?$/i.exec(s?.trim() ?? '')
  if (!m) return undefined
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0))
}

/** Is `now` inside the vacation dates (absent dates are open ends)? */
export function inVacation(start: string | undefined, end: string | undefined, now: number): boolean {
  const s = generalizedTime(start), e = generalizedTime(end)
  return (s === undefined || now >= s) && (e === undefined || now <= e)
}

/** `^` / `%` time-limit prefixes. */
export function entryApplies(e: DeliveryOptionEntry, vac: { start?: string; end?: string } | undefined, now: number): boolean {
  if (e.vacationInclusive && !inVacation(vac?.start, vac?.end, now)) return false
  if (e.vacationExclusive) {
    const s = generalizedTime(vac?.start), en = generalizedTime(vac?.end)
    if (s === undefined && en === undefined) return false
    if (inVacation(vac?.start, vac?.end, now)) return false
  }
  return true
}

export interface TemplateVars {
  /** `$A` the address being expanded. */
  A: string
  /** `$M` mailbox name, `$I` hosted domain ('' in the default domain). */
  M: string
  I: string
  /** `$S` subaddress. */
  S?: string
  /** `$H`/`$X` mail host. */
  H?: string
  P?: string
  F?: string
  /** `$D` domain (defaults to the domain of `$A`), `$U` local part (of `$A`). */
  D?: string
  U?: string
}

/**
 * Expands one template. Returns undefined when it needs a value the entry does not have (`$P` without
 * a program, `$F` without a file): that delivery option is not usable for this recipient.
 */
export function substituteTemplate(template: string, v: TemplateVars): string | undefined {
  const at = v.A.lastIndexOf('@')
  const U = v.U ?? (at < 0 ? v.A : v.A.slice(0, at))
  const D = v.D ?? (at < 0 ? '' : v.A.slice(at + 1))
  let out = ''
  let mode: 'lower' | 'upper' | 'none' = 'none'
  const emit = (s: string) => { out += mode === 'lower' ? s.toLowerCase() : mode === 'upper' ? s.toUpperCase() : s }
  for (let i = 0; i < template.length; i++) {
    const c = template[i]
    // The 8.x manual prints the default as `%\$2I`, the 6.3 manual as `%$\$2I`: a bare backslash is
    // read as the `$\` case control (a backslash cannot appear unquoted in an address anyway).
    if (c === '\\') { mode = 'lower'; continue }
    if (c !== '$') { emit(c); continue }
    let j = i + 1
    let n = 0
    if (/[0-9]/.test(template[j] ?? '')) { n = Number(template[j]); j++ }
    const code = template[j]
    i = j
    const optional = (val: string | undefined) => {
      if (val) { emit(val); return }
      if (n === 2) out = out.slice(0, -1)
    }
    switch (code) {
      case '$': emit('$'); break
      case '\\': mode = 'lower'; break
      case '^': mode = 'upper'; break
      case '_': mode = 'none'; break
      case 'A': emit(v.A); break
      case 'U': emit(U); break
      case 'D': emit(D); break
      case 'M': emit(v.M); break
      case 'I': optional(v.I); break
      case 'S': optional(v.S); break
      case 'H': case 'X': if (!v.H) return undefined; emit(v.H); break
      case 'P': if (!v.P) return undefined; emit(v.P); break
      case 'F': if (!v.F) return undefined; emit(v.F); break
      default: return undefined // unknown substitution: the template is unusable
    }
  }
  return out
}

/** Splits a source-routed address `@a,@b:local@domain` into its first route host and the rest. */
export function splitSourceRoute(address: string): { route?: string; rest: string } {
  const m = /^@([^,:]+)(?:,@[^,:]+)*:(.+)$/.exec(address)
  return m ? { route: m[1], rest: m[2] } : { rest: address }
}
