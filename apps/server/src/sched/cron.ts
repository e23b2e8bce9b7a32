// imsched crontab entries (spec 01 §6): `m h dom mon dow cmd args`. Fields take `*`, lists and
// `a-b` ranges (and `*/n` or `a-b/n` steps); dow 0 = Sunday (7 accepted too).
// When both day-of-month and day-of-week are restricted, BOTH must match — unlike Vixie cron.

export interface CronSchedule {
  minute: Set<number>
  hour: Set<number>
  dom: Set<number>
  month: Set<number>
  dow: Set<number>
  domAny: boolean
  dowAny: boolean
}

export interface CronTask extends CronSchedule {
  command: string
  args: string[]
}

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const

function parseField(text: string, f: (typeof FIELDS)[number]): Set<number> {
  const out = new Set<number>()
  for (const part of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part)
    if (!m) throw new Error(`bad ${f.name} field '${text}'`)
    const step = m[4] ? Number(m[4]) : 1
    let lo: number = f.min, hi: number = f.max
    if (m[1] !== '*') {
      lo = Number(m[2])
      hi = m[3] !== undefined ? Number(m[3]) : m[4] ? f.max : lo
    }
    if (lo < f.min || hi > f.max || lo > hi || step < 1) throw new Error(`${f.name} '${part}' is out of range ${f.min}-${f.max}`)
    for (let v = lo; v <= hi; v += step) out.add(f.name === 'day of week' && v === 7 ? 0 : v)
  }
  return out
}

export function parseSchedule(fields: string[]): CronSchedule {
  if (fields.length !== 5) throw new Error('a schedule needs 5 fields: minute hour day-of-month month day-of-week')
  const [mi, h, dom, mon, dow] = fields.map((t, i) => parseField(t, FIELDS[i]!)) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>]
  return { minute: mi, hour: h, dom, month: mon, dow, domAny: fields[2] === '*', dowAny: fields[4] === '*' }
}

/** Parses `schedule.task:<name>.crontab`: `m h dom mon dow command args…`. */
export function parseCrontab(line: string): CronTask {
  const parts = line.trim().split(/\s+/).filter(Boolean)
  if (parts.length < 6) throw new Error(`crontab '${line}' needs 5 schedule fields and a command`)
  return { ...parseSchedule(parts.slice(0, 5)), command: parts[5]!, args: parts.slice(6) }
}

/** True when the schedule fires in the minute of `d` (local time). */
export function cronMatches(s: CronSchedule, d: Date): boolean {
  if (!s.minute.has(d.getMinutes()) || !s.hour.has(d.getHours()) || !s.month.has(d.getMonth() + 1)) return false
  // spec 01 §6: when both day fields are restricted both must match (AND, where Vixie cron ORs);
  // an unrestricted field (`*`) holds every day, so AND is also right when only one is given.
  return s.dom.has(d.getDate()) && s.dow.has(d.getDay())
}
