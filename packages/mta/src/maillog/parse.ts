// Parser for every LOG_FORMAT (spec 01 §22). The console and imsimta read mail.log through this.
// Formats 3 and 4 are self-describing. Formats 1 and 2 separate fields by single spaces and some
// fields contain spaces, so the parser takes the LOG_* options the file was written with; when they
// are unknown it recognises the optional fields by shape (process id `2bbe.5.3`, notary integer,
// queue path, `<message-id>`, `(TCP|…)`). `raw` always holds the line.
import { MONTHS } from './format.js'
import type { LogOptions } from './options.js'
import type { ActionCode, ConnectionAction, ConnectionLogRecord, HeaderLogRecord, MessageLogRecord } from './record.js'

export type ParsedLogLine =
  | (MessageLogRecord & { kind: 'message'; time: Date; blocks: number; raw: string })
  | (ConnectionLogRecord & { time: Date; raw: string })
  | (HeaderLogRecord & { time: Date; raw: string })

const TS = /^(\d{1,2})-([A-Z][a-z]{2})-(\d{4}) (\d{2}):(\d{2}):(\d{2})\.(\d{2}) /
const CODE = /^[BDEJKPQRSVWZ][ABCDEFJLQSUXY]*$/
const CONN_CODE = /^[COTUXYI0]$/
const PROCESS = /^[0-9a-f]+(\.[0-9a-f]+)+$/i

function parseTime(m: RegExpExecArray): Date | undefined {
  const mon = MONTHS.indexOf(m[2]!)
  if (mon < 0) return undefined
  return new Date(Number(m[3]), mon, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7]) * 10)
}

function parseXmlTime(s: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(s)
  if (!m) return undefined
  const frac = m[7] ? Number(m[7].padEnd(3, '0')) : 0
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), frac)
}

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+);/g, (_, e: string) =>
    e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'amp' ? '&' : e === 'quot' ? '"' : e === 'apos' ? "'" : String.fromCharCode(Number(e.slice(1))))
}

function parseXml(line: string): ParsedLogLine | undefined {
  const m = /^<(en|co|he)\s+(.*?)\s*\/>$/.exec(line)
  if (!m) return undefined
  const a: Record<string, string> = {}
  for (const am of m[2]!.matchAll(/([a-z]{2})="([^"]*)"/g)) a[am[1]!] = unescapeXml(am[2]!)
  const time = parseXmlTime(a.ts ?? '')
  if (!time) return undefined
  const common = { time, raw: line, ...(a.no !== undefined ? { node: a.no } : {}), ...(a.pi !== undefined ? { process: a.pi } : {}) }
  if (m[1] === 'he') return { kind: 'header', value: a.va ?? '', ...common }
  if (m[1] === 'co') {
    const dr = a.dr === '-' ? '-' : '+'
    return {
      kind: 'connection', channel: a.sc ?? '', direction: dr, action: (a.ac === '0' ? 'O' : a.ac ?? 'O') as ConnectionAction,
      transport: a.tr ?? '', application: a.ap ?? '', ...common,
      ...(a.mi !== undefined ? { messageId: a.mi } : {}), ...(a.us !== undefined ? { username: a.us } : {}),
      ...(a.di !== undefined ? { diagnostic: a.di } : {}), ...(a.ct !== undefined ? { connectionTime: Number(a.ct) } : {}),
    }
  }
  const ac = a.ac ?? ''
  const rec: ParsedLogLine = {
    kind: 'message', action: ac[0] as ActionCode, source: a.sc ?? '', blocks: Number(a.sz ?? 0),
    from: a.so ?? '', originalTo: a.od ?? '', to: a.de ?? '', ...common,
  }
  if (ac.length > 1) rec.modifiers = ac.slice(1)
  if (a.dc) rec.destination = a.dc
  if (a.rf !== undefined && a.rf !== '') rec.notary = Number(a.rf)
  if (a.fi !== undefined) rec.filename = a.fi
  if (a.ei !== undefined) rec.envelopeId = a.ei
  if (a.mi !== undefined) rec.messageId = a.mi
  if (a.us !== undefined) rec.username = a.us
  if (a.ss !== undefined) rec.sourceSystem = a.ss
  if (a.re !== undefined) rec.reason = a.re
  if (a.di !== undefined) rec.diagnostic = a.di
  if (a.tr !== undefined) rec.transport = a.tr
  if (a.ap !== undefined) rec.application = a.ap
  if (a.qt !== undefined) rec.queueTime = Number(a.qt)
  return rec
}

/** Reads fields one at a time: counted (`N field`) in format 3, space-separated otherwise. */
class FieldReader {
  pos = 0
  constructor(private readonly s: string, private readonly counted: boolean) {}
  get done(): boolean { return this.pos >= this.s.length }
  peekPlain(): string {
    const end = this.s.indexOf(' ', this.pos)
    return end < 0 ? this.s.slice(this.pos) : this.s.slice(this.pos, end)
  }
  /** An uncounted token (time parts, codes, sizes, numbers). */
  plain(): string {
    const t = this.peekPlain()
    this.pos += t.length + 1
    return t
  }
  /** A variable-length field. */
  field(): string {
    if (!this.counted) return this.plain()
    const m = /^(\d+) /.exec(this.s.slice(this.pos))
    if (!m) return this.plain()
    const n = Number(m[1])
    const start = this.pos + m[0].length
    const v = this.s.slice(start, start + n)
    this.pos = start + n + 1
    return v
  }
  /** Peek at the next variable-length field without consuming it. */
  peekField(): string {
    const save = this.pos
    const v = this.field()
    this.pos = save
    return v
  }
  rest(): string {
    const r = this.s.slice(this.pos)
    this.pos = this.s.length
    return r
  }
}

/** Parse one line; undefined when it is not a mail.log/connection.log record. */
export function parseLogLine(line: string, opts: Partial<LogOptions> = {}): ParsedLogLine | undefined {
  const text = line.replace(/\r?\n$/, '')
  if (text.startsWith('<')) return parseXml(text)
  const tm = TS.exec(text)
  if (!tm) return undefined
  const time = parseTime(tm)
  if (!time) return undefined
  const body = text.slice(tm[0].length)
  const counted = opts.format === 3 || (opts.format === undefined && /^\d+ \S/.test(body) && looksCounted(body))
  const r = new FieldReader(body, counted)
  const common: { time: Date; raw: string; node?: string; process?: string } = { time, raw: text }
  if (opts.node) common.node = r.field()
  if (opts.process || (opts.process === undefined && PROCESS.test(r.peekField()))) common.process = r.field()
  const channel = r.field()
  const next = r.peekPlain()
  if (next === '+' || next === '-') {
    r.plain()
    let action = r.plain()
    if (action === '0') action = 'O' // OCR of the manual's samples
    if (!CONN_CODE.test(action)) return undefined
    const rec: ParsedLogLine = { kind: 'connection', channel, direction: next, action: action as ConnectionAction, transport: r.done ? '' : r.field(), application: r.done ? '' : r.field(), ...common }
    if (!r.done) {
      if (counted) {
        const rest: string[] = []
        while (!r.done) rest.push(r.field())
        if (rest.length) rec.diagnostic = rest.join(' ')
      } else {
        const rest = r.rest()
        if (rest) rec.diagnostic = rest
      }
    }
    return rec
  }
  let destination: string | undefined
  let code = r.plain()
  if (!CODE.test(code) || !/^\d+$/.test(r.peekPlain())) {
    destination = code
    if (counted) { r.pos -= code.length + 1; destination = r.field() }
    code = r.plain()
    if (!CODE.test(code)) return undefined
  }
  const sizeText = r.plain()
  if (!/^\d+$/.test(sizeText)) return undefined
  const addr = (v: string) => (v === '<>' && opts.format !== 1 ? '' : v)
  const rec: ParsedLogLine = {
    kind: 'message', action: code[0] as ActionCode, source: channel, blocks: Number(sizeText),
    from: addr(r.field()), originalTo: addr(r.field()), to: addr(r.field()), ...common,
  }
  if (code.length > 1) rec.modifiers = code.slice(1)
  if (destination !== undefined) rec.destination = destination
  const known = opts.format !== undefined
  const take = (on: boolean | undefined, shape: RegExp): string | undefined => {
    if (r.done) return undefined
    if (on === false) return undefined
    if (on === undefined && (known || !shape.test(r.peekField()))) return undefined
    return r.field()
  }
  // Unknown options: a number right after the addresses is the notary unless an enhanced status
  // code follows it (then it is the SMTP reply of a J record's diagnostic).
  const afterNumber = () => { const save = r.pos; r.plain(); const n = r.peekPlain(); r.pos = save; return n }
  const notary = opts.notary === undefined && !known && /^\d+$/.test(r.peekPlain()) && /^\d\.\d{1,3}\.\d{1,3}$/.test(afterNumber())
    ? undefined : take(opts.notary, /^\d+$/)
  if (notary !== undefined) rec.notary = Number(notary)
  const filename = take(opts.filename, /^\/\S*\/Z\S*$|[\\/]queue[\\/]/)
  if (filename !== undefined) rec.filename = filename
  const envid = take(opts.envelopeId, /^$a/)
  if (envid !== undefined) rec.envelopeId = envid
  const mid = take(opts.messageId, /^(<|&lt;)\S*>$/)
  if (mid !== undefined) rec.messageId = mid
  const user = take(opts.username, /^(mailsrv|\*\S+)$/)
  if (user !== undefined) rec.username = user
  if (!r.done) parseTail(counted ? collectCounted(r) : [r.rest()], counted, rec, opts)
  return rec
}

function looksCounted(body: string): boolean {
  const m = /^(\d+) /.exec(body)
  if (!m) return false
  const n = Number(m[1])
  const after = body.slice(m[0].length + n)
  return after === '' || after.startsWith(' ')
}

function collectCounted(r: FieldReader): string[] {
  const out: string[] = []
  while (!r.done) out.push(r.field())
  return out
}

/** The trailing `[source-system] [(transport)] [(application)] [queue-time] [reason] [diagnostic]`. */
function parseTail(parts: string[], counted: boolean, rec: MessageLogRecord, opts: Partial<LogOptions>): void {
  const conn = opts.connection
  if (counted) {
    const list = [...parts]
    if (list.length && (conn === undefined ? !list[0]!.startsWith('(') && list.length > 1 : conn & 1)) rec.sourceSystem = list.shift()!
    if (list.length && list[0]!.startsWith('(TCP|')) rec.transport = list.shift()!.slice(1, -1)
    if (list.length && list[0]!.startsWith('(') && (conn === undefined || conn & 64 || opts.banner)) rec.application = list.shift()!.slice(1, -1)
    if (list.length > 1 && /^\d+$/.test(list[0]!) && opts.queueTime !== false) rec.queueTime = Number(list.shift())
    if (list.length > 1 && opts.reason) rec.reason = list.shift()!
    if (list.length) rec.diagnostic = list.join(' ')
    return
  }
  let tail = parts[0] ?? ''
  const tr = /(?:^| )\((TCP\|[^)]*)\)(?: |$)/.exec(tail)
  if (tr) {
    const before = tail.slice(0, tr.index).trim()
    if (before) rec.sourceSystem = before
    rec.transport = tr[1]!
    tail = tail.slice(tr.index + tr[0].length)
    if (tail.startsWith('(') && (conn === undefined || conn & 64 || opts.banner)) {
      let depth = 0
      let end = -1
      for (let i = 0; i < tail.length; i++) {
        if (tail[i] === '(') depth++
        else if (tail[i] === ')' && --depth === 0) { end = i; break }
      }
      if (end > 0) {
        rec.application = tail.slice(1, end)
        tail = tail.slice(end + 1).trimStart()
      }
    }
  } else if (conn === undefined ? rec.action === 'E' || /^\S+ \(\S* ?\[[0-9a-f.:]+\]\)/i.test(tail) : conn & 1) {
    const ss = /^(\S+ \([^)]*\))(?: (.*))?$/.exec(tail)
    if (ss) {
      rec.sourceSystem = ss[1]!
      tail = ss[2] ?? ''
    } else if (rec.action === 'E') {
      // an enqueue by another channel logs that channel's official host name
      rec.sourceSystem = tail
      tail = ''
    }
  }
  if (opts.queueTime) {
    const q = /^(\d+)(?: (.*))?$/.exec(tail)
    if (q) { rec.queueTime = Number(q[1]); tail = q[2] ?? '' }
  }
  if (tail) rec.diagnostic = tail
}

/** Parse a whole file's text (blank and unparsable lines are skipped). */
export function parseLogText(text: string, opts: Partial<LogOptions> = {}): ParsedLogLine[] {
  const out: ParsedLogLine[] = []
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue
    const r = parseLogLine(line, opts)
    if (r) out.push(r)
  }
  return out
}
