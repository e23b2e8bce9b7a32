import { describe, expect, it } from 'vitest'
import type { Frame } from './assembler.js'
import { parseCommand, type Command } from './commands.js'
import { ImapParseError } from './reader.js'

function frame(lines: string[], literals: string[] = []): Frame {
  return { lines, literals: literals.map((l) => Buffer.from(l)), size: 0 }
}
const cmd = (line: string): Command => parseCommand(frame([line])).command
const bad = (line: string): string => {
  try {
    parseCommand(frame([line]))
  } catch (e) {
    expect(e).toBeInstanceOf(ImapParseError)
    return (e as Error).message
  }
  throw new Error(`parsed: ${line}`)
}

describe('parseCommand', () => {
  it('parses tags and simple commands case-insensitively', () => {
    expect(parseCommand(frame(['A001 noop']))).toEqual({ tag: 'A001', command: { name: 'NOOP' } })
  })

  it('parses LOGIN with atoms, quoted strings and literals', () => {
    expect(cmd('a LOGIN alice "p w\\"x"')).toEqual({ name: 'LOGIN', user: 'alice', password: 'p w"x' })
    expect(parseCommand(frame(['a LOGIN {5}', ' {2}', ''], ['alice', 'pw'])).command).toEqual({ name: 'LOGIN', user: 'alice', password: 'pw' })
  })

  it('decodes UTF-8 in quoted strings', () => {
    const line = Buffer.from('a LOGIN "jörg" x', 'utf8').toString('latin1')
    expect(cmd(line)).toMatchObject({ user: 'jörg' })
  })

  it('parses FETCH with sections, partials and macros', () => {
    const c = cmd('a FETCH 1:*,5 (FLAGS BODY.PEEK[1.2.HEADER.FIELDS (Subject From)]<0.100> BINARY[2] BINARY.SIZE[2] RFC822.SIZE)') as Extract<Command, { name: 'FETCH' }>
    expect(c.set.ranges).toEqual([{ from: 1, to: Infinity }, { from: 5, to: 5 }])
    expect(c.atts).toEqual([
      { kind: 'simple', name: 'FLAGS' },
      { kind: 'body', peek: true, section: { part: [1, 2], text: 'HEADER.FIELDS', fields: ['Subject', 'From'] }, partial: { start: 0, length: 100 } },
      { kind: 'binary', peek: false, part: [2], partial: undefined },
      { kind: 'binarySize', part: [2] },
      { kind: 'simple', name: 'RFC822.SIZE' },
    ])
    expect((cmd('a FETCH 1 ALL') as Extract<Command, { name: 'FETCH' }>).atts.length).toBe(4)
    expect((cmd('a FETCH 1 BODY[]') as Extract<Command, { name: 'FETCH' }>).atts[0]).toEqual({ kind: 'body', peek: false, section: { part: [] }, partial: undefined })
    expect((cmd('a FETCH 1 BODY[2.MIME]') as Extract<Command, { name: 'FETCH' }>).atts[0]).toMatchObject({ section: { part: [2], text: 'MIME' } })
  })

  it('adds UID to UID FETCH and parses CHANGEDSINCE / VANISHED', () => {
    const c = cmd('a UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)') as Extract<Command, { name: 'FETCH' }>
    expect(c.uid).toBe(true)
    expect(c.atts[0]).toEqual({ kind: 'simple', name: 'UID' })
    expect(c.changedSince).toBe(12345)
    expect(c.vanished).toBe(true)
    expect(bad('a FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)')).toMatch(/VANISHED requires UID FETCH/)
  })

  it('parses STORE forms', () => {
    expect(cmd('a STORE 1:3 +FLAGS.SILENT (\\Seen \\deleted $Label)')).toEqual({
      name: 'STORE', uid: false, set: { ranges: [{ from: 1, to: 3 }] }, unchangedSince: undefined, op: '+', silent: true, flags: ['\\Seen', '\\Deleted', '$Label'],
    })
    expect(cmd('a UID STORE 7 (UNCHANGEDSINCE 99) FLAGS \\Flagged')).toMatchObject({ uid: true, unchangedSince: 99, op: '', flags: ['\\Flagged'] })
    expect(bad('a STORE 1 +FLAGS (\\Recent)')).toMatch(/Recent/)
    expect(bad('a STORE 1 +FLAGX (\\Seen)')).toMatch(/Invalid STORE item/)
  })

  it('parses SEARCH keys with nesting, OR, NOT, dates and CHARSET', () => {
    const c = cmd('a SEARCH CHARSET UTF-8 OR (FROM bob SINCE 1-Feb-1994) NOT BODY "lo Wor" UID 1:5 LARGER 100') as Extract<Command, { name: 'SEARCH' }>
    expect(c.charset).toBe('UTF-8')
    expect(c.key).toEqual({
      k: 'and', keys: [
        { k: 'or', a: { k: 'and', keys: [{ k: 'header', field: 'FROM', value: 'bob' }, { k: 'date', internal: true, op: 'since', day: Date.UTC(1994, 1, 1) }] }, b: { k: 'not', key: { k: 'body', value: 'lo Wor' } } },
        { k: 'uid', set: { ranges: [{ from: 1, to: 5 }] } },
        { k: 'size', op: 'larger', n: 100 },
      ],
    })
    expect(cmd('a SEARCH RETURN (MIN COUNT) MODSEQ 5')).toMatchObject({ returns: ['MIN', 'COUNT'], key: { k: 'modseq', modseq: 5 } })
    expect(cmd('a SEARCH $')).toMatchObject({ key: { k: 'seq', set: { saved: true } } })
  })

  it('answers an unknown SEARCH charset with NO [BADCHARSET]', () => {
    try {
      cmd('a SEARCH CHARSET KOI8-X TEXT x')
      throw new Error('parsed')
    } catch (e) {
      expect(e).toMatchObject({ no: true, code: 'BADCHARSET (US-ASCII UTF-8)' })
    }
  })

  it('rejects malformed input with precise texts', () => {
    expect(bad('a SEARCH (FROM bob')).toMatch(/Expected "\)"/)
    expect(bad('a FETCH 0 FLAGS')).toMatch(/Invalid sequence set/)
    expect(bad('a FETCH 1:x FLAGS')).toMatch(/Invalid sequence set/)
    expect(bad('a FETCH 1 (FLAGS')).toMatch(/Expected space|at end of line/)
    expect(bad('a FETCH 1 FOO')).toMatch(/Unknown FETCH attribute "FOO"/)
    expect(bad('a LOGIN "alice')).toMatch(/Unterminated quoted string/)
    expect(bad('a BLURB')).toBe('Unknown command BLURB')
    expect(bad('a NOOP extra')).toMatch(/Unexpected extra arguments/)
    expect(bad('a SELECT caf\xc3\xa9')).toMatch(/Unexpected extra|Expected/)
    expect(bad('+ NOOP')).toBe('Missing or invalid tag')
    expect(bad('a UID NOOP')).toMatch(/not a valid command/)
    expect(bad('a SEARCH FOO')).toMatch(/Unknown SEARCH key/)
    expect(bad('a SEARCH SINCE 31-Feb-2020')).toMatch(/Invalid date/)
    expect(bad('a LOGIN a\x00b c')).toMatch(/NUL/)
  })

  it('parses LIST basic and extended', () => {
    expect(cmd('a LIST "" *')).toMatchObject({ name: 'LIST', reference: '', patterns: ['*'], extended: false })
    expect(cmd('a LIST (SUBSCRIBED RECURSIVEMATCH) "" ("INBOX" "Sent/%") RETURN (CHILDREN STATUS (MESSAGES UNSEEN))')).toMatchObject({
      selection: ['SUBSCRIBED', 'RECURSIVEMATCH'], patterns: ['INBOX', 'Sent/%'], returns: ['CHILDREN', 'STATUS'], statusItems: ['MESSAGES', 'UNSEEN'], extended: true,
    })
    expect(bad('a LIST (RECURSIVEMATCH) "" *')).toMatch(/RECURSIVEMATCH/)
  })

  it('parses SELECT with QRESYNC parameters', () => {
    expect(cmd('a SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))')).toMatchObject({
      condstore: true, qresync: { uidValidity: 67890007, modseq: 20050715194045000, knownUids: { ranges: [{ from: 41, to: 41 }, { from: 43, to: 211 }, { from: 214, to: 541 }] } },
    })
  })

  it('parses APPEND with flags, date and literal', () => {
    const c = parseCommand(frame(['a APPEND Sent (\\Seen) "05-Jan-2024 10:00:00 +0100" {3}', ''], ['abc'])).command
    expect(c).toMatchObject({ name: 'APPEND', mailbox: 'Sent', flags: ['\\Seen'], date: Date.UTC(2024, 0, 5, 9), binary: false })
    expect((c as Extract<Command, { name: 'APPEND' }>).message.toString()).toBe('abc')
  })

  it('parses SORT, STATUS, ACL, QUOTA, ENABLE, ID, AUTHENTICATE', () => {
    expect(cmd('a UID SORT (REVERSE DATE SUBJECT) UTF-8 ALL')).toMatchObject({ uid: true, criteria: [{ key: 'DATE', reverse: true }, { key: 'SUBJECT', reverse: false }] })
    expect(cmd('a STATUS INBOX (MESSAGES UIDNEXT HIGHESTMODSEQ SIZE)')).toMatchObject({ items: ['MESSAGES', 'UIDNEXT', 'HIGHESTMODSEQ', 'SIZE'] })
    expect(bad('a STATUS INBOX (BOGUS)')).toMatch(/Unknown STATUS item/)
    expect(cmd('a SETACL Shared bob lrs')).toEqual({ name: 'SETACL', mailbox: 'Shared', identifier: 'bob', rights: 'lrs' })
    expect(cmd('a SETQUOTA "user/bob" (STORAGE 512)')).toEqual({ name: 'SETQUOTA', root: 'user/bob', limits: [{ resource: 'STORAGE', limit: 512 }] })
    expect(cmd('a ENABLE QRESYNC condstore')).toEqual({ name: 'ENABLE', caps: ['QRESYNC', 'CONDSTORE'] })
    expect(cmd('a ID ("name" "imaplib" "version" NIL)')).toEqual({ name: 'ID', params: { name: 'imaplib', version: null } })
    expect(cmd('a AUTHENTICATE PLAIN AGFsaWNlAHB3')).toEqual({ name: 'AUTHENTICATE', mechanism: 'PLAIN', initial: 'AGFsaWNlAHB3' })
    expect(cmd('a CREATE Foo (USE (\\Sent))')).toEqual({ name: 'CREATE', mailbox: 'Foo', use: ['\\Sent'] })
    expect(cmd('a UID EXPUNGE 3:5')).toEqual({ name: 'UIDEXPUNGE', set: { ranges: [{ from: 3, to: 5 }] } })
  })
})
