import { describe, expect, it } from 'vitest'
import { imcheckReport, sflags, uflags, IMCHECK_COLUMNS } from './imcheck-format.js'
import { parseRuleFile } from './rulefile.js'
import { toCrlf, userPattern, withReturnPath } from '../commands/deliver.js'
import { FLAG_DELETED, FLAG_FLAGGED, FLAG_SEEN } from '@wren/store'

describe('imcheck format (spec 03 §13)', () => {
  it('SFlags letters and UFlags bit mask as the manual shows them', () => {
    expect(sflags(FLAG_SEEN, false)).toBe('S')
    expect(sflags(FLAG_SEEN | FLAG_DELETED | FLAG_FLAGGED, true)).toBe('RSDF')
    expect(sflags(0, false)).toBe('-')
    expect(uflags([], ['a'])).toBe('0.0.0')
    expect(uflags(['f1', 'f2', 'f3', 'f4', 'f5', 'f6'], ['f1', 'f2', 'f3', 'f4', 'f5', 'f6'])).toBe('3f0000')
  })
  it('prints the header fields and the 16-column table', () => {
    const out = imcheckReport(
      { name: 'user/jdoe', exists: 1, quotaUsed: 752, uidValidity: 1217596383, lastUid: 1, acl: [{ identifier: 'jdoe', rights: 'lrswipkxtean' }], userflags: [], subscribed: true, partition: 'primary', path: '/p', msgPath: '/p' },
      [{ uid: 1, internalDate: new Date(2008, 7, 1, 6, 13, 3).getTime(), date: null, size: 752, headerSize: 744, saveDate: new Date(2008, 7, 1, 6, 13, 3).getTime(), flags: FLAG_SEEN, recent: false, keywords: [], messageId: '<200808011312.m71DCxJp017783@dumbo.example.com>' }],
    )
    const lines = out.trimEnd().split('\n')
    expect(lines).toContain('Name: user/jdoe')
    expect(lines).toContain('ACL: jdoe      lrswipkxtean')
    expect(lines).toContain('Last Append: 20080801061303')
    expect(lines.at(-3)).toBe(IMCHECK_COLUMNS.join(' '))
    expect(lines.at(-1)).toBe('1 1 20080801061303 - 752 744 - - - - 20080801061303 0 S 0.0.0 1217596383-1 <200808011312.m71DCxJp017783@dumbo.example.com>')
  })
})

describe('imquotacheck rule file', () => {
  it('parses sections case-insensitively and rejects duplicate triggers', () => {
    const rules = parseRuleFile('[General]\nmailQuotaAttribute=mailQuota\n\n[rule1]\nNotificationTriggerPercentage=80\nnotificationinterval=24\nenabled=1\n[rule2]\nnotificationTriggerPercentage = 90\nnotificationInterval = 1\n')
    expect(rules).toEqual([
      { name: 'rule1', trigger: 80, intervalHours: 24, enabled: true, messageFile: undefined },
      { name: 'rule2', trigger: 90, intervalHours: 1, enabled: false, messageFile: undefined },
    ])
    expect(() => parseRuleFile('[a]\nnotificationTriggerPercentage=80\nnotificationInterval=1\n[b]\nnotificationTriggerPercentage=80\nnotificationInterval=1\n')).toThrow(/duplicate/)
    expect(() => parseRuleFile('[a]\nnotificationInterval=1\n')).toThrow(/required/)
  })
})

describe('deliver helpers', () => {
  it('normalises bare LF to CRLF and keeps CRLF', () => {
    expect(toCrlf(Buffer.from('a\nb\r\nc\n')).toString()).toBe('a\r\nb\r\nc\r\n')
    expect(toCrlf(Buffer.from('no newline')).toString()).toBe('no newline')
  })
  it('Return-Path and user patterns', () => {
    expect(withReturnPath(Buffer.from('X: y\r\n'), 'a@b').toString()).toBe('Return-Path: <a@b>\r\nX: y\r\n')
    expect(userPattern('*@example.com').test('joe@example.com')).toBe(true)
    expect(userPattern('*@example.com').test('joe@example.org')).toBe(false)
    expect(userPattern('j%').test('joe')).toBe(true)
    expect(userPattern('a.b').test('axb')).toBe(false)
  })
})
