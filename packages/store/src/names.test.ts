import { describe, expect, it } from 'vitest'
import { isValidUserId, listPatternToRegExp, matchesListPattern, mutf7Decode, mutf7Encode, normalizeFolderName } from './names.js'
import { hashdir } from './hashdir.js'
import { messageRelPath } from './layout.js'
import { InvalidMailboxNameError } from './types.js'

describe('store user ids (spec 03 §1)', () => {
  it('accepts plain and hosted ids', () => {
    expect(isValidUserId('joe')).toBe(true)
    expect(isValidUserId('joe.smith@example.com')).toBe(true)
  })
  it.each(['-bob', 'group=x', 'anyone', 'anyone@example.com', 'anonymous', 'a'.repeat(128), 'a b', 'a/b', 'a%b', 'a*b', 'x:y', 'é', ''])(
    'rejects %j', (id) => expect(isValidUserId(id)).toBe(false))
  it('accepts 127 bytes', () => expect(isValidUserId('a'.repeat(127))).toBe(true))
})

describe('folder names', () => {
  it('INBOX is case-insensitive, others are not', () => {
    expect(normalizeFolderName('inbox')).toBe('INBOX')
    expect(normalizeFolderName('Inbox/Sub')).toBe('INBOX/Sub')
    expect(normalizeFolderName('sent')).toBe('sent')
  })
  it('rejects wildcards, control characters and empty levels', () => {
    for (const bad of ['a%b', 'a*b', 'a?b', 'a\x01b', '/a', 'a/', 'a//b', '']) {
      expect(() => normalizeFolderName(bad)).toThrow(InvalidMailboxNameError)
    }
  })
  it('reads modified UTF-7 and UTF-8 to the same name', () => {
    expect(normalizeFolderName('&kAFP4W4IMH8wojCkMMYw4A-')).toBe('送信済みアイテム')
    expect(normalizeFolderName('送信済みアイテム')).toBe('送信済みアイテム')
    expect(mutf7Encode('送信済みアイテム')).toBe('&kAFP4W4IMH8wojCkMMYw4A-')
  })
  it('round-trips modified UTF-7 (RFC 3501 §5.1.3)', () => {
    for (const s of ['été', 'Tom & Jerry', '~peter/mail/台北/日本語', 'a&b', '😀 emoji']) {
      expect(mutf7Decode(mutf7Encode(s))).toBe(s)
    }
    expect(mutf7Encode('Tom & Jerry')).toBe('Tom &- Jerry')
    expect(mutf7Decode('&Jjo!')).toBeNull()
    expect(mutf7Decode('&AGE-')).toBeNull() // encoded printable ASCII is invalid
  })
  it('LIST patterns: * crosses levels, % does not', () => {
    const star = listPatternToRegExp('a/*')
    const pct = listPatternToRegExp('a/%')
    expect(star.test('a/b/c')).toBe(true)
    expect(pct.test('a/b/c')).toBe(false)
    expect(pct.test('a/b')).toBe(true)
    expect(matchesListPattern(listPatternToRegExp('inbox'), 'INBOX', 'inbox')).toBe(true)
  })
})

describe('layout (spec 02 §14)', () => {
  it('hashdir is a stable, case-sensitive two-level hex path', () => {
    expect(hashdir('user1')).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{2}\/$/)
    expect(hashdir('user1')).toBe(hashdir('user1'))
    expect(hashdir('User1')).not.toBe(hashdir('user1'))
  })
  it('message file names: nn = floor(uid/100) mod 100', () => {
    expect(messageRelPath(1)).toBe('00/1.msg')
    expect(messageRelPath(100)).toBe('01/100.msg')
    expect(messageRelPath(9999)).toBe('99/9999.msg')
    expect(messageRelPath(10000)).toBe('00/10000.msg')
  })
})
