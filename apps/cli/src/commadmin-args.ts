// commadmin's argument helpers, shared by its direct mode (commands/commadmin.ts) and its admin-API
// mode (commadmin-api.ts): `-A [+|-]attr[:value]` modifications, passwords, counts, statuses.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { CliIO } from './io.js'
import type { ParsedArgs } from './store-tools/getopt.js'
import { STATUSES, type Modification, type Status } from '@wren/directory'

/** A usage error found after parsing (exit 64). */
export class Usage extends Error {}

export const all = (p: ParsedArgs, k: string) => p.opts.get(k) ?? []
export const one = (p: ParsedArgs, k: string) => { const v = p.opts.get(k); return v ? v[v.length - 1] : undefined }
export function need(p: ParsedArgs, k: string, what: string): string {
  const v = one(p, k)
  if (v === undefined || v === '') throw new Usage(`-${k} ${what} is required`)
  return v
}

/** `-A` values → LDAP-style modifications (plain values of one attribute replace together). */
export function parseAttributeArgs(values: string[]): Modification[] {
  const mods: Modification[] = []
  const replace = new Map<string, Modification>()
  for (const raw of values) {
    let op: Modification['op'] = 'replace'
    let s = raw
    if (s.startsWith('+')) { op = 'add'; s = s.slice(1) } else if (s.startsWith('-')) { op = 'delete'; s = s.slice(1) }
    const colon = s.indexOf(':')
    const attr = (colon === -1 ? s : s.slice(0, colon)).trim()
    const value = colon === -1 ? undefined : s.slice(colon + 1)
    if (!attr) throw new Usage(`-A ${raw}: no attribute name`)
    if (value === undefined && op !== 'delete') throw new Usage(`-A ${raw}: expected attr:value`)
    if (op === 'replace') {
      const key = attr.toLowerCase()
      const m = replace.get(key)
      if (m) { m.values.push(value!); continue }
      const mod = { op, attr, values: value === '' ? [] : [value!] }
      replace.set(key, mod)
      mods.push(mod)
    } else {
      mods.push({ op, attr, values: value === undefined ? [] : [value] })
    }
  }
  return mods
}

/** `-A` values of a create: every value is an initial attribute value. */
export function createAttributes(values: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const m of parseAttributeArgs(values)) {
    if (m.op === 'delete') throw new Usage(`-A -${m.attr}: cannot remove values while creating`)
    out[m.attr] = [...(out[m.attr] ?? []), ...m.values]
  }
  return out
}

/** The first line of standard input (passwords given as `-`). */
async function stdinLine(io: CliIO): Promise<string> {
  return (await io.readStdin()).toString('utf8').split(/\r?\n/)[0]!
}

/** The user's password: `-W password`, `-W -` (standard input) or `-j file` (spec 04 B.8: not in ps). */
export async function userPassword(p: ParsedArgs, io: CliIO): Promise<string | undefined> {
  const w = one(p, 'W')
  const j = one(p, 'j')
  if (w !== undefined && j !== undefined) throw new Usage('give -W or -j, not both')
  if (w === '-') return stdinLine(io)
  if (j !== undefined) return readFileSync(resolve(io.cwd, j), 'utf8').split(/\r?\n/)[0]
  return w
}

/** The administrator's password (`-w`, the product's commadmin sign-in, spec 01 §5); `-w -` reads standard input. */
export async function adminPassword(p: ParsedArgs, io: CliIO): Promise<string | undefined> {
  const w = one(p, 'w')
  if (w === '-' && one(p, 'W') === '-') throw new Usage('-w - and -W - cannot both read standard input')
  return w === '-' ? stdinLine(io) : w
}

export function count(p: ParsedArgs): number | undefined {
  const n = one(p, 'n')
  if (n === undefined) return undefined
  if (!/^\d+$/.test(n) || Number(n) < 1) throw new Usage('-n expects a positive number')
  return Number(n)
}

export function statusArg(p: ParsedArgs): Status | undefined {
  const s = one(p, 's')?.toLowerCase()
  if (s === undefined) return undefined
  if (!(STATUSES as readonly string[]).includes(s)) throw new Usage(`-s expects one of ${STATUSES.join(', ')}`)
  return s as Status
}

/** `-F`/`-L`/`-E` as modifications (cn follows given name and surname). */
export function nameMods(p: ParsedArgs): Modification[] {
  const mods: Modification[] = []
  const F = one(p, 'F'), L = one(p, 'L'), E = one(p, 'E')
  if (F !== undefined) mods.push({ op: 'replace', attr: 'givenName', values: [F] })
  if (L !== undefined) mods.push({ op: 'replace', attr: 'sn', values: [L] })
  if (F !== undefined || L !== undefined) mods.push({ op: 'replace', attr: 'cn', values: [[F, L].filter(Boolean).join(' ')] })
  if (E !== undefined) mods.push({ op: 'replace', attr: 'mail', values: [E] })
  return mods
}

/** Applies modifications to a case-insensitive attribute map (LDAP modify semantics). */
export function applyMods(current: Map<string, string[]>, mods: Modification[]): Map<string, string[]> {
  const next = new Map([...current].map(([k, v]) => [k, [...v]]))
  for (const m of mods) {
    const k = m.attr.toLowerCase()
    const have = next.get(k) ?? []
    if (m.op === 'replace') next.set(k, [...m.values])
    else if (m.op === 'add') next.set(k, [...have, ...m.values.filter((v) => !have.some((h) => h.toLowerCase() === v.toLowerCase()))])
    else next.set(k, m.values.length ? have.filter((h) => !m.values.some((v) => v.toLowerCase() === h.toLowerCase())) : [])
  }
  return next
}

export function ldif(dn: string | undefined, attrs: Record<string, string[]>, notes: Record<string, string>): string {
  const lines = dn === undefined ? [] : [`dn: ${dn}`]
  for (const [k, vs] of Object.entries(attrs)) {
    for (const v of vs) lines.push(/^[\x20-\x7e]*$/.test(v) && !/^[ :<]/.test(v) && !v.endsWith(' ') ? `${k}: ${v}` : `${k}:: ${Buffer.from(v).toString('base64')}`)
  }
  for (const [k, v] of Object.entries(notes)) lines.push(`# ${k}: ${v}`)
  return `${lines.join('\n')}\n`
}
