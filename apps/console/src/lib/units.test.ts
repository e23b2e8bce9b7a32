import { describe, expect, it } from 'vitest'
import { formatBytes, formatCount, quotaInput, sizeHint, splitList } from './units'

// spec 03 §4: binary units, -1 unlimited, -2 / absent = default
describe('quota units', () => {
  it('formats bytes in binary units', () => {
    expect(formatBytes(0)).toBe('0B')
    expect(formatBytes(1536)).toBe('1.5K')
    expect(formatBytes(100 * 1024 ** 2)).toBe('100M')
    expect(formatBytes(20480 * 1024)).toBe('20M')
    expect(formatBytes(930_000)).toBe('908K')
    expect(formatBytes(-1)).toBe('unlimited')
    expect(formatBytes(-2)).toBe('default')
    expect(formatBytes(undefined)).toBe('—')
  })
  it('formats counts', () => {
    expect(formatCount(100000)).toBe('100,000')
    expect(formatCount(-1)).toBe('unlimited')
  })
  it('shows stored numbers in product units for editing', () => {
    expect(quotaInput(2 * 1024 ** 3)).toBe('2G')
    expect(quotaInput(1536)).toBe('1536')
    expect(quotaInput(-1)).toBe('-1')
    expect(quotaInput('100M')).toBe('100M')
    expect(quotaInput(undefined)).toBe('')
  })
  it('hints at malformed sizes only', () => {
    for (const ok of ['', '100M', '2g', '500K', '1024', '-1', '-2', '2G;#voice%20M;Archive%100M']) expect(sizeHint(ok), ok).toBeUndefined()
    expect(sizeHint('12 parsecs')).toMatch(/size/)
    expect(sizeHint('-3')).toMatch(/-1/)
  })
  it('splits one-per-line and comma lists', () => {
    expect(splitList(' a@x.example\n\nb@x.example , c@x.example \n')).toEqual(['a@x.example', 'b@x.example', 'c@x.example'])
  })
})
