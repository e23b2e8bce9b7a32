import { describe, expect, it } from 'vitest'
import { DataReader } from './data-reader.js'

/** Feeds `parts` to a reader; returns the content and what followed the end-of-data line. */
function read(parts: Buffer[]): { content: string; rest: string; ended: boolean } {
  const r = new DataReader()
  const out: Buffer[] = []
  for (let k = 0; k < parts.length; k++) {
    const end = r.push(parts[k], 0)
    out.push(...r.out)
    if (end >= 0) {
      const rest = Buffer.concat([parts[k].subarray(end), ...parts.slice(k + 1)]).toString('latin1')
      expect(r.bytes).toBe(Buffer.concat(out).length)
      return { content: Buffer.concat(out).toString('latin1'), rest, ended: true }
    }
  }
  return { content: Buffer.concat(out).toString('latin1'), rest: '', ended: false }
}

const b = (s: string) => Buffer.from(s, 'latin1')

describe('DataReader (RFC 5321 §4.5.2)', () => {
  const wire = 'Subject: t\r\n\r\n..leading dot\r\n.\rcr after dot\r\nplain\r\n...\r\n\n.\nbare\r\n.x\r\nlast\r\n.\r\nQUIT\r\n'
  const content = 'Subject: t\r\n\r\n.leading dot\r\n\rcr after dot\r\nplain\r\n..\r\n\n.\nbare\r\nx\r\nlast\r\n'

  it('unstuffs leading dots and stops at CRLF.CRLF in one chunk', () => {
    expect(read([b(wire)])).toEqual({ content, rest: 'QUIT\r\n', ended: true })
  })

  it('gives the same result split at every byte boundary (two and three chunks)', () => {
    for (let i = 0; i <= wire.length; i++) {
      expect(read([b(wire.slice(0, i)), b(wire.slice(i))]), `split at ${i}`).toEqual({ content, rest: 'QUIT\r\n', ended: true })
      for (let j = i; j <= Math.min(wire.length, i + 6); j++) {
        expect(read([b(wire.slice(0, i)), b(wire.slice(i, j)), b(wire.slice(j))]), `split at ${i},${j}`).toEqual({ content, rest: 'QUIT\r\n', ended: true })
      }
    }
  })

  it('byte by byte', () => {
    expect(read([...b(wire)].map((x) => Buffer.from([x])))).toEqual({ content, rest: 'QUIT\r\n', ended: true })
  })

  it('an empty message ends at once; a first line of ".." is a single dot', () => {
    expect(read([b('.\r\nNOOP\r\n')])).toEqual({ content: '', rest: 'NOOP\r\n', ended: true })
    expect(read([b('..'), b('\r\n.\r\n')])).toEqual({ content: '.\r\n', rest: '', ended: true })
  })

  it('LF.LF, LF.CRLF and CRLF.LF are content, not the end (no SMTP smuggling)', () => {
    const r = read([b('a\n.\nb\n.\r\nc\r\n.\nd\r\n.\r\n')])
    expect(r.content).toBe('a\n.\nb\n.\r\nc\r\n\nd\r\n')
    expect(r.ended).toBe(true)
    expect(read([b('x\r\n.\n')]).ended).toBe(false)
  })
})
