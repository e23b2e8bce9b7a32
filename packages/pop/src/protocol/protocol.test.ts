import { describe, expect, it } from 'vitest'
import { parseCommand, parseMessageNumber, parseLineCount } from './command.js'
import { DotStuffer, dotStuff, TopLimiter } from './dot-stuffing.js'
import { LineSplitter } from './line-splitter.js'
import { decodePlain, encodePlain } from './sasl-plain.js'
import { err, multiline, ok } from './response.js'
import { capabilities } from './capa.js'

describe('parseCommand (RFC 1939 §3)', () => {
  it('upper-cases the keyword and splits arguments', () => {
    const r = parseCommand('top 1 10')
    expect(r).toEqual({ ok: true, command: { keyword: 'TOP', args: ['1', '10'], rest: '1 10' } })
  })
  it('keeps PASS text verbatim in rest', () => {
    const r = parseCommand('PASS my secret  pw')
    expect(r.ok && r.command.rest).toBe('my secret  pw')
  })
  it('rejects empty, non-printable, bad keywords and overlong lines', () => {
    expect(parseCommand('').ok).toBe(false)
    expect(parseCommand('RETR\x001').ok).toBe(false)
    expect(parseCommand('RE').ok).toBe(false)
    expect(parseCommand('RETRIEVE 1').ok).toBe(false)
    expect(parseCommand('12 3').ok).toBe(false)
    expect(parseCommand('USER ' + 'x'.repeat(300)).ok).toBe(false)
  })
  it('message numbers are positive decimals', () => {
    expect(parseMessageNumber('1')).toBe(1)
    expect(parseMessageNumber('0')).toBeUndefined()
    expect(parseMessageNumber('-1')).toBeUndefined()
    expect(parseMessageNumber('1a')).toBeUndefined()
    expect(parseMessageNumber(undefined)).toBeUndefined()
    expect(parseLineCount('0')).toBe(0)
    expect(parseLineCount('x')).toBeUndefined()
  })
})

describe('responses', () => {
  it('formats status lines with RESP-CODES (RFC 2449 §8, RFC 3206)', () => {
    expect(ok('2 320')).toBe('+OK 2 320\r\n')
    expect(ok()).toBe('+OK\r\n')
    expect(err('maildrop already locked', 'IN-USE')).toBe('-ERR [IN-USE] maildrop already locked\r\n')
    expect(err('no such message')).toBe('-ERR no such message\r\n')
  })
  it('byte-stuffs multi-line responses', () => {
    expect(multiline('caps', ['TOP', '.x'])).toBe('+OK caps\r\nTOP\r\n..x\r\n.\r\n')
  })
})

describe('DotStuffer (RFC 1939 §3 byte-stuffing)', () => {
  it('stuffs leading dots, normalises bare LF and terminates', () => {
    const out = dotStuff(Buffer.from('Subject: a\n\n.hidden\r\n..two\r\nlast'))
    expect(out.toString()).toBe('Subject: a\r\n\r\n..hidden\r\n...two\r\nlast\r\n.\r\n')
  })
  it('handles a message already ending in CRLF and the empty message', () => {
    expect(dotStuff(Buffer.from('a\r\n')).toString()).toBe('a\r\n.\r\n')
    expect(dotStuff(Buffer.alloc(0)).toString()).toBe('.\r\n')
  })
  it('is chunk-boundary safe, byte by byte', () => {
    const msg = 'H: v\r\n\r\n.a\n.\r\nb\r\r\n.\n'
    const s = new DotStuffer()
    const parts: Buffer[] = []
    for (const b of Buffer.from(msg)) parts.push(s.push(Buffer.from([b])))
    parts.push(s.end())
    expect(Buffer.concat(parts).toString()).toBe(dotStuff(Buffer.from(msg)).toString())
    expect(Buffer.concat(parts).toString()).toBe('H: v\r\n\r\n..a\r\n..\r\nb\r\r\n..\r\n.\r\n')
  })
  it('completes a trailing CR split from its LF', () => {
    const s = new DotStuffer()
    expect(Buffer.concat([s.push(Buffer.from('x\r')), s.end()]).toString()).toBe('x\r\n.\r\n')
  })
})

describe('TopLimiter (RFC 1939 §7 TOP)', () => {
  const msg = Buffer.from('A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n')
  it('returns headers, the blank line and n body lines', () => {
    expect(new TopLimiter(0).push(msg).toString()).toBe('A: 1\r\nB: 2\r\n\r\n')
    expect(new TopLimiter(2).push(msg).toString()).toBe('A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n')
    expect(new TopLimiter(99).push(msg).toString()).toBe(msg.toString())
  })
  it('works across chunks and with bare LF', () => {
    const t = new TopLimiter(1)
    const bare = Buffer.from('A: 1\n\nl1\nl2\n')
    const out: Buffer[] = []
    for (const b of bare) out.push(t.push(Buffer.from([b])))
    expect(Buffer.concat(out).toString()).toBe('A: 1\n\nl1\n')
    expect(t.done).toBe(true)
  })
})

describe('LineSplitter', () => {
  it('splits CRLF and bare LF lines across chunks', () => {
    const s = new LineSplitter(255)
    expect(s.push(Buffer.from('STAT\r\nLI'))).toEqual([{ line: 'STAT' }])
    expect(s.push(Buffer.from('ST\nQUIT\r\n'))).toEqual([{ line: 'LIST' }, { line: 'QUIT' }])
  })
  it('reports an overlong line once and resynchronises', () => {
    const s = new LineSplitter(20)
    expect(s.push(Buffer.from('X'.repeat(30)))).toEqual([{ overlong: true }])
    expect(s.push(Buffer.from('Y'.repeat(30)))).toEqual([])
    expect(s.push(Buffer.from('Z\r\nNOOP\r\n'))).toEqual([{ line: 'NOOP' }])
    expect(s.push(Buffer.from('A'.repeat(25) + '\r\nNOOP\r\n'))).toEqual([{ overlong: true }, { line: 'NOOP' }])
  })
})

describe('SASL PLAIN (RFC 4616)', () => {
  it('round-trips and rejects malformed input', () => {
    expect(decodePlain(encodePlain('joe', 'pw'))).toEqual({ authzid: '', authcid: 'joe', password: 'pw' })
    expect(decodePlain(encodePlain('joe', 'pw', 'admin'))).toEqual({ authzid: 'admin', authcid: 'joe', password: 'pw' })
    expect(decodePlain('=')).toBeUndefined()
    expect(decodePlain('not base64!')).toBeUndefined()
    expect(decodePlain(Buffer.from('joe\0pw').toString('base64'))).toBeUndefined()
  })
})

describe('CAPA (RFC 2449)', () => {
  it('offers STLS and hides plaintext mechanisms before TLS', () => {
    const caps = capabilities({ tls: false, tlsAvailable: true, plaintextAllowed: false, authenticated: false })
    expect(caps).toContain('STLS')
    expect(caps).not.toContain('USER')
    expect(caps).toContain('RESP-CODES')
  })
  it('after TLS offers USER and SASL PLAIN, not STLS', () => {
    const caps = capabilities({ tls: true, tlsAvailable: true, plaintextAllowed: true, authenticated: false })
    expect(caps).toEqual(expect.arrayContaining(['USER', 'SASL PLAIN', 'PIPELINING', 'UIDL', 'TOP']))
    expect(caps).not.toContain('STLS')
  })
})
