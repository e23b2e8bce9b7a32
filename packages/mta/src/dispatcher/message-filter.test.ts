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
  it('rejects a line over 998 octets even when split over chunks', () => {
    const { f } = run(['Subject: x\r\n\r\n', 'a'.repeat(600), 'a'.repeat(600), '\r\n'])
    expect(f.error?.code).toBe(500)
  })
  it('8-bit header bytes need SMTPUTF8; 8-bit body is fine', () => {
    expect(run(['Subject: caf\xc3\xa9\r\n\r\nok\r\n']).f.error?.enhanced).toBe('5.6.7')
    expect(run(['Subject: caf\xc3\xa9\r\n\r\nok\r\n'], true).f.error).toBeUndefined()
    expect(run(['Subject: x\r\n\r\ncaf\xc3\xa9\r\n']).f.error).toBeUndefined()
  })
})
