import { describe, expect, it } from 'vitest'
import { formatLogTimestamp, formatServiceLogLine, parseServiceLogLine } from './format.js'
import { levelEnabled, parseLogLevel } from './levels.js'

describe('service log line format (spec 01 §24)', () => {
  it('formats `[dd/Mon/yyyy:hh:mm:ss ±zzzz] host proc[pid]: Category Level: message`', () => {
    const time = new Date(2026, 0, 5, 7, 8, 9)
    const line = formatServiceLogLine({ time, host: 'eman', proc: 'imapd', pid: 13428, category: 'Account', level: 'Notice', message: 'close [127.0.0.1] [unauthenticated] 1998/12/3 6:54:32 0:00:00 0 115 0' })
    expect(line).toMatch(/^\[05\/Jan\/2026:07:08:09 [+-]\d{4}\] eman imapd\[13428\]: Account Notice: close \[127\.0\.0\.1\] \[unauthenticated\] 1998\/12\/3 6:54:32 0:00:00 0 115 0$/)
    const off = -time.getTimezoneOffset()
    const zone = `${off >= 0 ? '+' : '-'}${String(Math.floor(Math.abs(off) / 60)).padStart(2, '0')}${String(Math.abs(off) % 60).padStart(2, '0')}`
    expect(formatLogTimestamp(time)).toBe(`05/Jan/2026:07:08:09 ${zone}`)
  })

  it('round-trips through parseServiceLogLine, including the instant', () => {
    const time = new Date(Date.UTC(2026, 10, 24, 9, 55, 1))
    const rec = { time, host: 'mail.wren.test', proc: 'popd', pid: 42, category: 'Account' as const, level: 'Notice' as const, message: 'badlogin: [127.0.0.1:5000] plaintext user1 authentication failure' }
    const parsed = parseServiceLogLine(formatServiceLogLine(rec))
    expect(parsed).toEqual(rec)
  })

  it('parses a line from the manual with a foreign zone', () => {
    const p = parseServiceLogLine('[03/Dec/1998:06:54:32 -0800] eman imapd[13428]: Account Notice: close [127.0.0.1] [unauthenticated] 1998/12/3 6:54:32 0:00:00 0 115 0')
    expect(p?.time.toISOString()).toBe('1998-12-03T14:54:32.000Z')
    expect(p?.category).toBe('Account')
    expect(p?.message.endsWith('0 115 0')).toBe(true)
  })

  it('rejects lines that are not in the format', () => {
    expect(parseServiceLogLine('hello')).toBeUndefined()
    expect(parseServiceLogLine('[03/Foo/1998:06:54:32 -0800] eman imapd[1]: Account Notice: x')).toBeUndefined()
    expect(parseServiceLogLine('[03/Dec/1998:06:54:32 -0800] eman imapd[1]: Bogus Notice: x')).toBeUndefined()
  })

  it('escapes line breaks so a message cannot forge a record', () => {
    const line = formatServiceLogLine({ time: new Date(), host: 'h', proc: 'p', pid: 1, category: 'General', level: 'Error', message: 'a\nb' })
    expect(line.includes('\n')).toBe(false)
  })
})

describe('levels (spec 01 §24: a level includes everything more severe)', () => {
  it('Notice threshold writes Critical..Notice and drops Information/Debug', () => {
    expect(levelEnabled('Critical', 'Notice')).toBe(true)
    expect(levelEnabled('Notice', 'Notice')).toBe(true)
    expect(levelEnabled('Information', 'Notice')).toBe(false)
    expect(levelEnabled('Debug', 'Notice')).toBe(false)
  })
  it('Error threshold suppresses Notice; Nolog suppresses everything', () => {
    expect(levelEnabled('Notice', 'Error')).toBe(false)
    expect(levelEnabled('Error', 'Error')).toBe(true)
    expect(levelEnabled('Critical', 'Nolog')).toBe(false)
  })
  it('parses option values case-insensitively', () => {
    expect(parseLogLevel('error')).toBe('Error')
    expect(parseLogLevel('INFORMATION')).toBe('Information')
    expect(parseLogLevel('loud')).toBeUndefined()
  })
})
