// Service log line format (spec 01 §24):
//   `[dd/Mon/yyyy:hh:mm:ss ±zzzz] host proc[pid]: Category Level: message`
// e.g. `[03/Dec/1998:06:54:32 -0800] eman imapd[13428]: Account Notice: close [127.0.0.1] …`
import { LOG_CATEGORIES, LOG_LEVELS, type LogCategory, type LogLevel } from '@wren/kernel'

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/** `dd/Mon/yyyy:hh:mm:ss ±zzzz` in the process's local time zone. */
export function formatLogTimestamp(d: Date): string {
  const off = -d.getTimezoneOffset()
  const sign = off >= 0 ? '+' : '-'
  const abs = Math.abs(off)
  return `${pad(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
}

export interface ServiceLogLine {
  time: Date
  host: string
  proc: string
  pid: number
  category: LogCategory
  level: LogLevel
  message: string
}

export function formatServiceLogLine(l: ServiceLogLine): string {
  // One record per line: embedded line breaks would forge records, so they are escaped.
  const message = l.message.replace(/\r?\n/g, '\\n')
  return `[${formatLogTimestamp(l.time)}] ${l.host} ${l.proc}[${l.pid}]: ${l.category} ${l.level}: ${message}`
}

const LINE_RE = /^\[(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\] (\S+) ([^\s[]+)\[(\d+)\]: (\S+) (\S+): ?(.*)$/

/** Parses one service log line; undefined when the line is not in the product's format. */
export function parseServiceLogLine(line: string): ServiceLogLine | undefined {
  const m = LINE_RE.exec(line.replace(/\r?\n$/, ''))
  if (!m) return undefined
  const [, dd, mon, yyyy, hh, mi, ss, sign, zh, zm, host, proc, pid, category, level, message] = m
  const month = MONTHS.indexOf(mon!)
  if (month < 0) return undefined
  if (!(LOG_CATEGORIES as readonly string[]).includes(category!)) return undefined
  if (!(LOG_LEVELS as readonly string[]).includes(level!)) return undefined
  const offsetMin = (sign === '-' ? -1 : 1) * (Number(zh) * 60 + Number(zm))
  const utc = Date.UTC(Number(yyyy), month, Number(dd), Number(hh), Number(mi), Number(ss)) - offsetMin * 60_000
  return {
    time: new Date(utc),
    host: host!,
    proc: proc!,
    pid: Number(pid),
    category: category as LogCategory,
    level: level as LogLevel,
    message: message!,
  }
}
