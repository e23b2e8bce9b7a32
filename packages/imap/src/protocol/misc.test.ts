import { describe, expect, it } from 'vitest'
import type { MimePart } from '@wren/store'
import { parseDateTime, formatDateTime } from './dates.js'
import { astr, bodyStructure, envelope, str } from './encode.js'
import { decodeMutf7, encodeMutf7, mailboxFromWire } from './mutf7.js'
import { decodeQp, decodeWords, filterHeader, findPart, sectionRange } from './sections.js'
import { formatSeqSet, parseSeqSet, seqIndexes, uidIndexes } from './seqset.js'

describe('modified UTF-7 (RFC 3501 §5.1.3)', () => {
  it('round-trips the manual example', () => {
    expect(encodeMutf7('~peter/mail/台北/日本語')).toBe('~peter/mail/&U,BTFw-/&ZeVnLIqe-')
    expect(decodeMutf7('~peter/mail/&U,BTFw-/&ZeVnLIqe-')).toBe('~peter/mail/台北/日本語')
    expect(encodeMutf7('a&b')).toBe('a&-b')
    expect(decodeMutf7('a&-b')).toBe('a&b')
    expect(encodeMutf7('été')).toBe('&AOk-t&AOk-')
  })
  it('rejects malformed sequences and accepts UTF-8 names', () => {
    expect(() => decodeMutf7('&Jjo!')).toThrow()
    expect(() => decodeMutf7('&AGE-')).toThrow(/printable ASCII/)
    expect(mailboxFromWire('été')).toBe('été')
  })
})

describe('sequence sets', () => {
  it('parses, resolves and formats', () => {
    expect(seqIndexes(parseSeqSet('2:*'), 4)).toEqual([1, 2, 3])
    expect(seqIndexes(parseSeqSet('*:2'), 4)).toEqual([1, 2, 3])
    expect(() => seqIndexes(parseSeqSet('5'), 4)).toThrow(/Invalid message sequence number/)
    expect(uidIndexes(parseSeqSet('3:7,100:*'), Uint32Array.from([1, 4, 5, 9, 200]))).toEqual([1, 2, 4])
    expect(uidIndexes(parseSeqSet('*'), Uint32Array.from([1, 4]))).toEqual([1])
    // Overlapping, adjacent and unordered ranges: each index once, ascending.
    expect(uidIndexes(parseSeqSet('9:5,1:4,4:5,200,*'), Uint32Array.from([1, 4, 5, 9, 200]))).toEqual([0, 1, 2, 3, 4])
    expect(seqIndexes(parseSeqSet('4,1:2,2,3:3,*'), 5)).toEqual([0, 1, 2, 3, 4])
    expect(formatSeqSet([1, 2, 3, 5, 7, 8])).toBe('1:3,5,7:8')
    expect(() => parseSeqSet('1,,2')).toThrow()
    expect(() => parseSeqSet('4294967296')).toThrow()
  })
})

describe('dates', () => {
  it('parses and formats date-time', () => {
    expect(parseDateTime('17-Jul-1996 02:44:25 -0700')).toBe(Date.UTC(1996, 6, 17, 9, 44, 25))
    expect(parseDateTime(' 7-Jul-1996 02:44:25 +0000')).toBe(Date.UTC(1996, 6, 7, 2, 44, 25))
    expect(formatDateTime(Date.UTC(1996, 6, 7, 2, 44, 25))).toBe('07-Jul-1996 02:44:25 +0000')
  })
})

describe('encoder', () => {
  it('chooses atom, quoted or literal', () => {
    expect(astr('INBOX.x')).toBe('INBOX.x')
    expect(astr('a b')).toBe('"a b"')
    expect(astr('NIL')).toBe('"NIL"')
    expect(str('say "hi"\\')).toBe('"say \\"hi\\"\\\\"')
    expect(str('line\r\nbreak')).toBe('{11}\r\nline\r\nbreak')
    expect(str('héllo')).toBe('{6}\r\nhéllo')
  })

  it('encodes ENVELOPE with sender/reply-to defaulting to from', () => {
    const e = envelope({
      date: 'Mon, 7 Feb 1994 21:52:25 -0800', subject: 'afternoon meeting',
      from: [{ name: 'Terry Gray', adl: null, mailbox: 'gray', host: 'cac.washington.edu' }], sender: null, replyTo: null,
      to: [{ name: null, adl: null, mailbox: 'imap', host: 'cac.washington.edu' }], cc: null, bcc: null, inReplyTo: null,
      messageId: '<B27397-0100000@cac.washington.edu>',
    })
    expect(e).toBe('("Mon, 7 Feb 1994 21:52:25 -0800" "afternoon meeting" (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) NIL NIL NIL "<B27397-0100000@cac.washington.edu>")')
  })

  const leaf = (section: string, type: string, subtype: string, over: Partial<MimePart> = {}): MimePart => ({
    section, type, subtype, params: { charset: 'us-ascii' }, id: null, description: null, encoding: '7bit', disposition: null,
    dispositionParams: null, language: null, location: null, md5: null, headerStart: 0, headerSize: 0, bodyStart: 0, bodySize: 10, bodyLines: 1, ...over,
  })

  it('encodes BODY and BODYSTRUCTURE for multipart', () => {
    const top: MimePart = { ...leaf('', 'multipart', 'mixed', { params: { boundary: 'x' } }), parts: [leaf('1', 'text', 'plain', { bodySize: 3028, bodyLines: 92 }), leaf('2', 'application', 'pdf', { params: { name: 'a.pdf' }, encoding: 'base64', disposition: 'attachment', dispositionParams: { filename: 'a.pdf' } })] }
    expect(bodyStructure(top, false)).toBe('(("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 3028 92)("APPLICATION" "PDF" ("NAME" "a.pdf") NIL NIL "BASE64" 10) "MIXED")')
    expect(bodyStructure(top, true)).toBe('(("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 3028 92 NIL NIL NIL NIL)("APPLICATION" "PDF" ("NAME" "a.pdf") NIL NIL "BASE64" 10 NIL ("ATTACHMENT" ("FILENAME" "a.pdf")) NIL NIL) "MIXED" ("BOUNDARY" "x") NIL NIL NIL)')
  })

  it('finds parts and section ranges, including inside message/rfc822', () => {
    const inner: MimePart = { ...leaf('', 'multipart', 'alternative'), headerStart: 200, headerSize: 50, bodyStart: 250, bodySize: 100, parts: [leaf('', 'text', 'plain', { bodyStart: 260, bodySize: 20 })] }
    const rfc822 = leaf('2', 'message', 'rfc822', { headerStart: 150, headerSize: 50, bodyStart: 200, bodySize: 150, message: { envelope: { date: null, subject: null, from: null, sender: null, replyTo: null, to: null, cc: null, bcc: null, inReplyTo: null, messageId: null }, body: inner } })
    const top: MimePart = { ...leaf('', 'multipart', 'mixed'), headerStart: 0, headerSize: 100, bodyStart: 100, bodySize: 300, parts: [leaf('1', 'text', 'plain', { bodyStart: 110, bodySize: 30 }), rfc822] }
    expect(findPart(top, [2, 1])).toBe(inner.parts![0])
    expect(sectionRange(top, { part: [] })).toEqual({ start: 0, end: 400 })
    expect(sectionRange(top, { part: [], text: 'TEXT' })).toEqual({ start: 100, end: 400 })
    expect(sectionRange(top, { part: [2], text: 'HEADER' })).toEqual({ start: 200, end: 250 })
    expect(sectionRange(top, { part: [2], text: 'MIME' })).toEqual({ start: 150, end: 200 })
    expect(sectionRange(top, { part: [1], text: 'HEADER' })).toBeNull()
    expect(sectionRange(top, { part: [3] })).toBeNull()
    const single = leaf('', 'text', 'plain', { bodyStart: 40, bodySize: 5 })
    expect(sectionRange(single, { part: [1] })).toEqual({ start: 40, end: 45 })
  })

  it('filters header fields and decodes transfer encodings and encoded words', () => {
    const h = Buffer.from('Subject: hi\r\n there\r\nFrom: a@b\r\nX-A: 1\r\n\r\n')
    expect(filterHeader(h, ['subject'], false).toString()).toBe('Subject: hi\r\n there\r\n\r\n')
    expect(filterHeader(h, ['SUBJECT', 'x-a'], true).toString()).toBe('From: a@b\r\n\r\n')
    expect(decodeQp(Buffer.from('caf=C3=A9=\r\n!')).toString()).toBe('café!')
    expect(decodeWords('=?UTF-8?B?w6l0w6k=?= =?iso-8859-1?Q?caf=E9_au_lait?=')).toBe('étécafé au lait')
  })
})
