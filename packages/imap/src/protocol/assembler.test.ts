import { describe, expect, it } from 'vitest'
import { CommandFramer, type FramerEvent } from './assembler.js'

const b = (s: string) => Buffer.from(s, 'latin1')
const frames = (evs: FramerEvent[]) => evs.filter((e) => e.type === 'frame').map((e) => (e as Extract<FramerEvent, { type: 'frame' }>).frame)

describe('CommandFramer', () => {
  it('splits lines across chunks', () => {
    const f = new CommandFramer()
    expect(f.push(b('a1 NO'))).toEqual([])
    const evs = f.push(b('OP\r\na2 CAPABILITY\r\n'))
    expect(frames(evs).map((x) => x.lines)).toEqual([['a1 NOOP'], ['a2 CAPABILITY']])
  })

  it('asks for continuation on a synchronizing literal and collects it', () => {
    const f = new CommandFramer()
    const e1 = f.push(b('a LOGIN {5}\r\n'))
    expect(e1).toEqual([{ type: 'continue' }])
    const e2 = f.push(b('alice "pw"\r\n'))
    const [fr] = frames(e2)
    expect(fr.lines).toEqual(['a LOGIN {5}', ' "pw"'])
    expect(fr.literals[0].toString()).toBe('alice')
  })

  it('does not ask for continuation on LITERAL+ and reads binary data with CRLF inside', () => {
    const f = new CommandFramer()
    const evs = f.push(b('a APPEND INBOX {6+}\r\nx\r\ny\r\n\r\n'))
    expect(evs.some((e) => e.type === 'continue')).toBe(false)
    const [fr] = frames(evs)
    expect(fr.literals[0].toString()).toBe('x\r\ny\r\n')
  })

  it('accepts literal8 announcements', () => {
    const f = new CommandFramer()
    const evs = f.push(b('a APPEND INBOX ~{3+}\r\n\x00\x01\x02\r\n'))
    expect([...frames(evs)[0].literals[0]]).toEqual([0, 1, 2])
  })

  it('refuses an oversized synchronizing literal before reading it and keeps going', () => {
    const f = new CommandFramer({ maxLine: 1000, maxLiteral: 100, maxAppendLiteral: 1000 })
    const evs = f.push(b('t1 LOGIN {999999999}\r\n'))
    expect(evs).toEqual([{ type: 'reject', tag: 't1', text: 'Literal of 999999999 octets is larger than the 100 octet limit', code: 'TOOBIG', fatal: false }])
    expect(frames(f.push(b('t2 NOOP\r\n')))[0].lines).toEqual(['t2 NOOP'])
  })

  it('uses the APPEND limit for APPEND literals', () => {
    const f = new CommandFramer({ maxLine: 1000, maxLiteral: 10, maxAppendLiteral: 1000 })
    expect(f.push(b('a APPEND INBOX {500}\r\n'))).toEqual([{ type: 'continue' }])
    const g = new CommandFramer({ maxLine: 1000, maxLiteral: 10, maxAppendLiteral: 1000 })
    expect(g.push(b('a APPEND INBOX {5000}\r\n'))[0]).toMatchObject({ type: 'reject', code: 'TOOBIG' })
  })

  it('treats an oversized non-synchronizing literal as fatal', () => {
    const f = new CommandFramer({ maxLine: 1000, maxLiteral: 10, maxAppendLiteral: 10 })
    expect(f.push(b('a LOGIN {50+}\r\n'))[0]).toMatchObject({ type: 'reject', fatal: true })
  })

  it('rejects over-long lines without buffering them', () => {
    const f = new CommandFramer({ maxLine: 50, maxLiteral: 10, maxAppendLiteral: 10 })
    expect(f.push(b('a NOOP ' + 'x'.repeat(100)))).toEqual([])
    const evs = f.push(b('yyy\r\nb NOOP\r\n'))
    expect(evs[0]).toMatchObject({ type: 'reject', code: 'TOOBIG' })
    expect(frames(evs)[0].lines).toEqual(['b NOOP'])
  })

  it('accepts bare LF line ends', () => {
    const f = new CommandFramer()
    expect(frames(f.push(b('a NOOP\n')))[0].lines).toEqual(['a NOOP'])
  })
})
