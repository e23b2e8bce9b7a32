/**
 * SEARCH evaluation (RFC 3501 §6.4.4) with the product's brute-force semantics (spec 03 §25):
 * text keys are case-insensitive substring matches, so `BODY world`, `wor` and `"lo Wor"` all match
 * `Hello World!`. Keys are evaluated as bitmaps over the session's sequence; cheap keys (flags, UID,
 * size, dates) narrow the candidates before body scans, which the store does in bulk (`searchMany`).
 * SORT (RFC 5256) orders the result by base subject, addresses, dates or size.
 */
import type { FlagEntry, MessageMeta } from '@wren/store'
import { contains } from '../protocol/seqset.js'
import type { SearchKey, SortCriterion } from '../protocol/search.js'
import { decodeWords, headerValues } from '../protocol/sections.js'
import type { SelectedMailbox } from './selected.js'
import type { ImapSession } from './session.js'

const DAY = 86_400_000

class Ctx {
  private flagMap?: Map<number, FlagEntry>
  private metaMap = new Map<number, MessageMeta>()
  private headers = new Map<number, Buffer>()
  maxModseq = 0
  constructor(readonly s: ImapSession, readonly sel: SelectedMailbox) {}
  get n(): number { return this.sel.count }
  uid(i: number): number { return this.sel.uidAt(i) }
  flags(i: number): FlagEntry | undefined {
    if (!this.flagMap) this.flagMap = new Map(this.sel.view.flags().map((e) => [e.uid, e] as const))
    return this.flagMap.get(this.uid(i))
  }
  /** Loads metadata for the candidates in one call. */
  metas(mask: Uint8Array): void {
    const want: number[] = []
    for (let i = 0; i < this.n; i++) if (mask[i] && !this.metaMap.has(this.uid(i))) want.push(this.uid(i))
    for (let k = 0; k < want.length; k += 1000) for (const m of this.sel.view.metas(want.slice(k, k + 1000))) this.metaMap.set(m.uid, m)
  }
  meta(i: number): MessageMeta | undefined { return this.metaMap.get(this.uid(i)) }
  async header(i: number): Promise<Buffer> {
    const u = this.uid(i)
    let h = this.headers.get(u)
    if (!h) {
      h = await this.sel.view.header(u)
      if (this.headers.size < 5000) this.headers.set(u, h)
    }
    return h
  }
}

/**
 * `withModseq`: also compute the highest modseq of the matches (RFC 7162 §3.1.5, only needed when
 * the search used MODSEQ); otherwise no flag rows are loaded for a pure content search.
 */
export async function evaluateSearch(s: ImapSession, sel: SelectedMailbox, key: SearchKey, withModseq = true): Promise<{ indexes: number[]; modseq: number }> {
  const ctx = new Ctx(s, sel)
  const mask = new Uint8Array(ctx.n)
  mask.fill(1)
  if (sel.hasPendingExpunge) for (let i = 0; i < ctx.n; i++) if (sel.isExpunged(sel.uidAt(i))) mask[i] = 0
  const r = await evalKey(ctx, key, mask)
  const indexes: number[] = []
  for (let i = 0; i < ctx.n; i++) if (r[i]) indexes.push(i)
  let modseq = 0
  if (withModseq && indexes.length) {
    for (const i of indexes) {
      const f = ctx.flags(i)
      if (f && f.modseq > modseq) modseq = f.modseq
    }
  }
  return { indexes, modseq }
}

function lower(s: string): string {
  return s.toLowerCase()
}

/** Returns the subset of `mask` that matches `key`. */
async function evalKey(ctx: Ctx, key: SearchKey, mask: Uint8Array): Promise<Uint8Array> {
  const n = ctx.n
  const out = new Uint8Array(n)
  const each = (pred: (i: number) => boolean) => {
    for (let i = 0; i < n; i++) if (mask[i] && pred(i)) out[i] = 1
    return out
  }
  switch (key.k) {
    case 'all': return each(() => true)
    case 'flag': {
      const bit = systemBit(key.flag)
      if (bit) return each((i) => { const f = ctx.flags(i); return !!f && ((f.flags & bit) !== 0) === key.set })
      const kw = lower(key.flag)
      return each((i) => { const f = ctx.flags(i); return !!f && f.keywords.some((k) => lower(k) === kw) === key.set })
    }
    case 'recent': return each((i) => ctx.sel.recent.has(ctx.uid(i)) === key.set)
    case 'new': return each((i) => ctx.sel.recent.has(ctx.uid(i)) && !((ctx.flags(i)?.flags ?? 0) & 1))
    case 'uid': {
      const max = ctx.sel.maxUid
      if (key.set.saved) { const saved = new Set(ctx.sel.saved); return each((i) => saved.has(ctx.uid(i))) }
      return each((i) => contains(key.set, ctx.uid(i), max))
    }
    case 'seq': {
      if (key.set.saved) { const saved = new Set(ctx.sel.saved); return each((i) => saved.has(ctx.uid(i))) }
      return each((i) => contains(key.set, i + 1, n))
    }
    case 'modseq': return each((i) => (ctx.flags(i)?.modseq ?? 0) >= key.modseq)
    case 'size': {
      ctx.metas(mask)
      return each((i) => { const m = ctx.meta(i); return !!m && (key.op === 'larger' ? m.size > key.n : m.size < key.n) })
    }
    case 'date': {
      ctx.metas(mask)
      return each((i) => {
        const m = ctx.meta(i)
        if (!m) return false
        // RFC 3501 §6.4.4: compare calendar dates, disregarding time and timezone
        const day = key.internal ? Math.floor(m.internalDate / DAY) * DAY : sentDay(m.envelope.date)
        if (day === null) return false
        return key.op === 'before' ? day < key.day : key.op === 'on' ? day === key.day : day >= key.day
      })
    }
    case 'header': {
      const needle = lower(key.value)
      for (let i = 0; i < n; i++) {
        if (!mask[i]) continue
        const vals = headerValues(await ctx.header(i), key.field)
        if (!vals.length) continue
        if (needle === '' || vals.some((v) => lower(decodeWords(v)).includes(needle))) out[i] = 1
      }
      return out
    }
    case 'body': case 'text': {
      const uids: number[] = []
      for (let i = 0; i < n; i++) if (mask[i]) uids.push(ctx.uid(i))
      if (!uids.length) return out
      const hit = new Set(await ctx.sel.view.searchMany(uids, key.value, key.k))
      return each((i) => hit.has(ctx.uid(i)))
    }
    case 'not': {
      const r = await evalKey(ctx, key.key, mask)
      return each((i) => !r[i])
    }
    case 'or': {
      const a = await evalKey(ctx, key.a, mask)
      const rest = new Uint8Array(n)
      for (let i = 0; i < n; i++) rest[i] = mask[i] && !a[i] ? 1 : 0
      const b = await evalKey(ctx, key.b, rest)
      return each((i) => !!a[i] || !!b[i])
    }
    case 'and': {
      // Cheap keys first: they shrink the candidate set for the content scans.
      const keys = [...key.keys].sort((x, y) => cost(x) - cost(y))
      let cur = mask
      for (const k of keys) cur = await evalKey(ctx, k, cur)
      return cur
    }
  }
}

const MON = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']

/** The calendar day written in a Date: header (its own time zone), as UTC midnight ms. */
export function sentDay(date: string | null): number | null {
  if (!date) return null
  const m = /(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{2,4})/.exec(date)
  if (!m) return null
  const mon = MON.indexOf(m[2].toLowerCase())
  if (mon < 0) return null
  let y = Number(m[3])
  if (y < 50) y += 2000
  else if (y < 1000) y += 1900
  return Date.UTC(y, mon, Number(m[1]))
}

function cost(k: SearchKey): number {
  switch (k.k) {
    case 'body': case 'text': return 4
    case 'header': return 3
    case 'size': case 'date': return 2
    case 'not': return cost(k.key)
    case 'or': return Math.max(cost(k.a), cost(k.b))
    case 'and': return Math.max(...k.keys.map(cost))
    default: return 1
  }
}

function systemBit(flag: string): number {
  switch (flag.toLowerCase()) {
    case '\\seen': return 1
    case '\\answered': return 2
    case '\\flagged': return 4
    case '\\deleted': return 8
    case '\\draft': return 16
    default: return 0
  }
}

/** RFC 5256 §2.1 base subject (simplified: strips Re/Fwd/[tags] prefixes and (fwd) trailers). */
export function baseSubject(s: string): string {
  let t = decodeWords(s).replace(/\s+/g, ' ').trim()
  for (;;) {
    const before = t
    t = t.replace(/\s*\((?:fwd)\)\s*$/i, '').trim()
    t = t.replace(/^(?:(?:re|fwd?)\s*(?:\[[^\]]*\])?\s*:\s*|\[[^\]]*\]\s*)/i, '').trim()
    if (/^\[fwd:/i.test(t) && t.endsWith(']')) t = t.slice(5, -1).trim()
    if (t === before) break
  }
  return t.toLowerCase()
}

export async function sortMessages(sel: SelectedMailbox, indexes: number[], criteria: SortCriterion[]): Promise<number[]> {
  const uids = indexes.map((i) => sel.uidAt(i))
  const metas = new Map<number, MessageMeta>()
  for (let k = 0; k < uids.length; k += 1000) for (const m of sel.view.metas(uids.slice(k, k + 1000))) metas.set(m.uid, m)
  const keyOf = (i: number, c: SortCriterion): string | number => {
    const m = metas.get(sel.uidAt(i))
    if (!m) return ''
    const e = m.envelope
    const firstMailbox = (l: typeof e.from) => (l && l[0] && l[0].mailbox ? l[0].mailbox.toLowerCase() : '')
    const display = (l: typeof e.from) => (l && l[0] ? (l[0].name ? decodeWords(l[0].name) : `${l[0].mailbox ?? ''}@${l[0].host ?? ''}`).toLowerCase() : '')
    switch (c.key) {
      case 'ARRIVAL': return m.internalDate
      case 'DATE': { const t = e.date ? Date.parse(e.date.replace(/\([^)]*\)/g, '').trim()) : NaN; return Number.isNaN(t) ? m.internalDate : t }
      case 'SIZE': return m.size
      case 'SUBJECT': return baseSubject(e.subject ?? '')
      case 'FROM': return firstMailbox(e.from)
      case 'TO': return firstMailbox(e.to)
      case 'CC': return firstMailbox(e.cc)
      case 'DISPLAYFROM': return display(e.from)
      case 'DISPLAYTO': return display(e.to)
    }
  }
  const keys = new Map(indexes.map((i) => [i, criteria.map((c) => keyOf(i, c))] as const))
  return [...indexes].sort((a, b) => {
    const ka = keys.get(a)!
    const kb = keys.get(b)!
    for (let j = 0; j < criteria.length; j++) {
      const x = ka[j]
      const y = kb[j]
      const d = x < y ? -1 : x > y ? 1 : 0
      if (d) return criteria[j].reverse ? -d : d
    }
    return a - b // RFC 5256: ties by sequence number
  })
}
