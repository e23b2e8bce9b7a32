import { describe, expect, it } from 'vitest'
import { parseMessage } from './mime.js'
import { parseAddressList } from './address.js'
import { messageText } from './search.js'

const multipart = Buffer.from([
  'From: "Doe, John" <john@example.com>',
  'To: undisclosed-recipients:;',
  'Cc: a@b.example, Mary <mary@x.example>',
  'Subject: =?utf-8?q?caf=C3=A9?=',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="XX"',
  '',
  'preamble',
  '--XX',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Hello World!',
  '--XX',
  'Content-Type: text/html; charset="iso-8859-1"',
  'Content-Transfer-Encoding: quoted-printable',
  'Content-Disposition: inline; filename*=utf-8\'\'%C3%A9t%C3%A9.html',
  '',
  '<p>caf=E9</p>',
  '--XX',
  'Content-Type: message/rfc822',
  '',
  'Subject: inner',
  'From: x@y.example',
  '',
  'inner body',
  '--XX--',
  'epilogue',
  '',
].join('\r\n'))

describe('MIME part tree', () => {
  const p = parseMessage(multipart)
  it('header size covers the blank line', () => {
    expect(multipart.subarray(p.headerSize - 4, p.headerSize).toString()).toBe('\r\n\r\n')
  })
  it('splits parts with exact offsets (RFC 2046 §5.1.1)', () => {
    const s = p.structure
    expect(s.type).toBe('multipart')
    expect(s.subtype).toBe('mixed')
    expect(s.parts).toHaveLength(3)
    const [a, b, c] = s.parts!
    expect(a.section).toBe('1')
    expect(multipart.subarray(a.bodyStart, a.bodyStart + a.bodySize).toString()).toBe('Hello World!')
    expect(a.bodyLines).toBe(1)
    expect(b.params.charset).toBe('iso-8859-1')
    expect(b.encoding).toBe('quoted-printable')
    expect(b.disposition).toBe('inline')
    expect(b.dispositionParams).toEqual({ filename: 'été.html' })
    expect(c.type).toBe('message')
    expect(c.message!.envelope.subject).toBe('inner')
    expect(c.message!.body.section).toBe('3.1')
    expect(multipart.subarray(c.message!.body.bodyStart, c.message!.body.bodyStart + c.message!.body.bodySize).toString()).toBe('inner body')
  })
  it('builds the ENVELOPE with groups and defaults (RFC 3501 §7.4.2)', () => {
    const e = p.envelope
    expect(e.from).toEqual([{ name: 'Doe, John', adl: null, mailbox: 'john', host: 'example.com' }])
    expect(e.sender).toEqual(e.from)
    expect(e.to).toEqual([
      { name: null, adl: null, mailbox: 'undisclosed-recipients', host: null },
      { name: null, adl: null, mailbox: null, host: null },
    ])
    expect(e.cc).toHaveLength(2)
    expect(e.subject).toBe('=?utf-8?q?caf=C3=A9?=')
  })
  it('defaults a part without Content-Type to text/plain us-ascii', () => {
    const m = parseMessage(Buffer.from('Subject: x\n\nbody\n'))
    expect(m.structure).toMatchObject({ type: 'text', subtype: 'plain', params: { charset: 'us-ascii' }, bodySize: 5, bodyLines: 1 })
  })
  it('decodes parts for substring search (spec 03 §25)', () => {
    const body = messageText(multipart, p.structure, 'body').toLowerCase()
    for (const needle of ['world', 'wor', 'llo', 'lo wor', '!', 'café']) expect(body).toContain(needle)
    expect(messageText(multipart, p.structure, 'text')).toContain('café')
  })
  it('parses route addresses and comments', () => {
    expect(parseAddressList('<@relay.example:joe@example.com> (Joe)')).toEqual([{ name: null, adl: '@relay.example', mailbox: 'joe', host: 'example.com' }])
  })
})
