import { describe, expect, it } from 'vitest'
import { cronMatches, parseCrontab } from './cron.js'

// Every minute of a span, as local Dates.
function minutes(from: Date, count: number): Date[] {
  return Array.from({ length: count }, (_, i) => new Date(from.getTime() + i * 60_000))
}

describe('imsched crontab (spec 01 §6)', () => {
  it('"0 0 17 * 2 x" fires only on a Tuesday the 17th (day-of-month AND day-of-week)', () => {
    const t = parseCrontab('0 0 17 * 2 x')
    expect(t.command).toBe('x')
    const fires: string[] = []
    // every midnight of 2025–2027
    for (let d = new Date(2025, 0, 1); d.getFullYear() < 2028; d = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1)) {
      if (cronMatches(t, d)) fires.push(`${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`)
    }
    expect(fires.length).toBeGreaterThan(0)
    for (const f of fires) {
      const [y, m, day] = f.split('-').map(Number)
      const d = new Date(y!, m! - 1, day!)
      expect(d.getDate()).toBe(17)
      expect(d.getDay()).toBe(2)
    }
    // June 17 2025 is a Tuesday; Wednesday 17 Sept 2025 and Tuesday 16 Sept 2025 do not fire
    expect(fires).toContain('2025-6-17')
    expect(cronMatches(t, new Date(2025, 8, 17))).toBe(false)
    expect(cronMatches(t, new Date(2025, 8, 16))).toBe(false)
    // not at other times of the day
    expect(cronMatches(t, new Date(2025, 5, 17, 0, 1))).toBe(false)
  })

  it('"30 0,8,16 * * * bin/imexpire" fires at 00:30, 08:30 and 16:30', () => {
    const t = parseCrontab('30 0,8,16 * * * bin/imexpire')
    expect(t.command).toBe('bin/imexpire')
    const fires = minutes(new Date(2026, 10, 24, 0, 0), 24 * 60).filter((d) => cronMatches(t, d)).map((d) => `${d.getHours()}:${d.getMinutes()}`)
    expect(fires).toEqual(['0:30', '8:30', '16:30'])
  })

  it('the product default msprobe schedule fires at 5,15,…,55 every hour', () => {
    const t = parseCrontab('5,15,25,35,45,55 * * * * lib/msprobe')
    const fires = minutes(new Date(2026, 10, 24, 3, 0), 60).filter((d) => cronMatches(t, d)).map((d) => d.getMinutes())
    expect(fires).toEqual([5, 15, 25, 35, 45, 55])
  })

  it('ranges, dow 7 = Sunday, and arguments', () => {
    const t = parseCrontab('0 9-17 * * 1-5 bin/imsimta purge -d')
    expect(t.args).toEqual(['purge', '-d'])
    expect(cronMatches(t, new Date(2026, 10, 23, 9, 0))).toBe(true) // Monday
    expect(cronMatches(t, new Date(2026, 10, 22, 9, 0))).toBe(false) // Sunday
    expect(cronMatches(t, new Date(2026, 10, 23, 18, 0))).toBe(false)
    const sun = parseCrontab('0 0 * * 7 x')
    expect(cronMatches(sun, new Date(2026, 10, 22))).toBe(true)
  })

  it('only one day field restricted: that field alone decides', () => {
    const dom = parseCrontab('0 0 1 * * x')
    expect(cronMatches(dom, new Date(2026, 10, 1))).toBe(true)
    expect(cronMatches(dom, new Date(2026, 10, 2))).toBe(false)
    const dow = parseCrontab('0 0 * * 0 x')
    expect(cronMatches(dow, new Date(2026, 10, 22))).toBe(true)
  })

  it('rejects malformed entries with a precise message', () => {
    expect(() => parseCrontab('0 0 * *')).toThrow(/5 schedule fields and a command/)
    expect(() => parseCrontab('60 0 * * * x')).toThrow(/minute '60' is out of range 0-59/)
    expect(() => parseCrontab('0 0 32 * * x')).toThrow(/day of month/)
    expect(() => parseCrontab('0 0 * * mon x')).toThrow(/bad day of week field/)
  })
})
