import { describe, expect, it } from 'vitest'
import { dateToGeneralized, formatIso, generalizedToDate } from './dates'

describe('vacation dates (GeneralizedTime)', () => {
  it('round-trips a day', () => {
    expect(dateToGeneralized('2030-07-01')).toBe('20300701000000Z')
    expect(generalizedToDate('20300701000000Z')).toBe('2030-07-01')
    expect(generalizedToDate('')).toBe('')
    expect(dateToGeneralized('')).toBe('')
  })
  it('formats ISO instants compactly in UTC', () => {
    expect(formatIso('2026-11-24T12:27:35.123Z')).toBe('2026-11-24 12:27 UTC')
    expect(formatIso(undefined)).toBe('—')
  })
})
