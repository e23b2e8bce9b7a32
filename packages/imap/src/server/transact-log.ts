/**
 * Store transaction log (spec 01 §25): `messagetrace.activate transactlog` enables one XML element per
 * action in `<dataRoot>/log/transactlog`, filtered by `imap.actions` / `imap.actionattributes`
 * (`all`, `+(li lo)`, `-(li lo)`). Mandatory attributes: ts, sn, pi.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ConfigView } from '@wren/kernel'

export interface TransactSink {
  write(line: string): void
}

/** Parses `all` / `+(a b)` / `-(a b)` into a predicate. */
export function filterSpec(spec: string): (label: string) => boolean {
  const s = spec.trim()
  const m = /^([+-])\s*\(\s*\{?([^)}]*)\}?\s*\)$/.exec(s)
  if (!m) return () => true
  const set = new Set(m[2].split(/\s+/).filter(Boolean).map((x) => x.toLowerCase()))
  return m[1] === '+' ? (l) => set.has(l) : (l) => !set.has(l)
}

function xmlAttr(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** `2016-11-04T16:05:39.71` (local time, hundredths, as the manual's examples). */
export function transactTimestamp(d = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(Math.floor(d.getMilliseconds() / 10))}`
}

export function formatTransact(label: string, attrs: Record<string, string | number | undefined>, attrOk: (a: string) => boolean, sn = 'imapd'): string {
  let line = `<${label} ts="${transactTimestamp()}" sn="${sn}" pi="${process.pid}"`
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || !attrOk(k)) continue
    line += ` ${k}="${xmlAttr(String(v))}"`
  }
  return line + '/>'
}

/** A file sink appending to `<dataRoot>/log/transactlog`. */
export function fileTransactSink(dataRoot: string): TransactSink {
  const dir = path.join(dataRoot, 'log')
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, 'transactlog')
  return { write: (line) => fs.appendFile(file, line + '\n', () => {}) }
}

export function transactEnabled(config: ConfigView): boolean {
  const v = config.find('messagetrace.activate')
  return String(v ?? '').toLowerCase().split(/[\s,]+/).includes('transactlog')
}

/** Logs one action for a session when transaction logging is on. */
export function transactLog(s: { config: ConfigView; deps: { transact?: TransactSink }; userid: string }, label: string, attrs: Record<string, string | number | undefined>): void {
  const sink = s.deps.transact
  if (!sink || !transactEnabled(s.config)) return
  if (!filterSpec(String(s.config.find('imap.actions') ?? 'all'))(label)) return
  const attrOk = filterSpec(String(s.config.find('imap.actionattributes') ?? 'all'))
  sink.write(formatTransact(label, { us: s.userid, ...attrs }, attrOk))
}
