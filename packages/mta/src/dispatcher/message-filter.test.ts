import { describe, expect, it } from 'vitest'
import { MessageFilter } from './message-filter.js'

const run = (chunks: string[], utf8 = false) => {
  const f = new MessageFilter(utf8)
  const out = Buffer.concat([...chunks.map((c) => f.push(Buffer.from(c, 'latin1'))), f.end()]).toString('latin1')
  return { f, out }
}

describe('MessageFilter', () => {
  it('normalises bare LF to CRLF across chunk boundaries and counts Received:', () => {
    const { f, out } = run(['Received: a\nReceived: b\r', '\nMessage-ID: <m@x>\n\nbo', 'dy\nend'])
    expect(out).toBe('Received: a\r\nReceived: b\r\nMessage-ID: <m@x>\r\n\r\nbody\r\nend\r\n')
    expect(f.receivedCount).toBe(2)
    expect(f.messageId).toBe('<m@x>')
    expect(f.bareLf).toBe(4)
  })
  it('passes body lines of any length through as they come, split anywhere (RFC 5321 §4.5.3.1)', () => {
    const f = new MessageFilter(false)
    const parts = [f.push(Buffer.from('Subject: x\r\n\r\n')), f.push(Buffer.from('a'.repeat(600))), f.push(Buffer.from('a'.repeat(600) + '\r'))]
    expect(parts[1].length).toBe(600) // not held back: a 100 MB line is never in memory
    parts.push(f.push(Buffer.from('\nb'.repeat(2))), f.push(Buffer.from('c'.repeat(5000))), f.end())
    expect(f.error).toBeUndefined()
    expect(Buffer.concat(parts).toString()).toBe(`Subject: x\r\n\r\n${'a'.repeat(1200)}\r\nb\r\nb${'c'.repeat(5000)}\r\n`)
    expect(f.bareLf).toBe(1)
  })
  it('refuses a header line over 64 KB (554 5.6.0), split over chunks or not', () => {
    expect(run(['Subject: ' + 'a'.repeat(40_000), 'a'.repeat(40_000) + '\r\n\r\nbody\r\n']).f.error).toMatchObject({ code: 554, enhanced: '5.6.0' })
    expect(run(['X-Long: ' + 'a'.repeat(70_000) + '\r\n\r\nbody\r\n']).f.error).toMatchObject({ code: 554, enhanced: '5.6.0' })
    expect(run(['X-Long: ' + 'a'.repeat(5000) + '\r\n\r\nbody\r\n']).f.error).toBeUndefined()
  })
  it('8-bit header bytes need SMTPUTF8; 8-bit body is fine', () => {
    expect(run(['Subject: caf\xc3\xa9\r\n\r\nok\r\n']).f.error?.enhanced).toBe('5.6.7')
    expect(run(['Subject: caf\xc3\xa9\r\n\r\nok\r\n'], true).f.error).toBeUndefined()
    expect(run(['Subject: x\r\n\r\ncaf\xc3\xa9\r\n']).f.error).toBeUndefined()
  })
})
