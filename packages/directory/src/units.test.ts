// Unit tests of the pure pieces: quota syntax, uid/address validation, statuses, DNs, LDIF, CSV, filters.
import { describe, it, expect } from 'vitest'
import { parseQuota } from './quota.js'
import { uidProblem, validateAddress, splitAddress } from './validate.js'
import { combineStatus, normalizeStatus, deliveryDisposition, loginDenial } from './status.js'
import { Schema2Layout, normalizeDn, parseDn, escapeDnValue } from './dn.js'
import { parseLdif } from './ldif.js'
import { parseCsv } from './csv.js'
import { escapeFilter, fillTemplate } from './ldap/filter.js'
import { hostUrl } from './ldap/pool.js'
import { TtlCache } from './cache.js'
import { DirectoryError } from './types.js'

describe('quota syntax (spec 03 §4)', () => {
  it('parses the compound form with binary units', () => {
    expect(parseQuota('2G;#voice%20M;Archive%100M')).toEqual({ limit: 2 * 1024 ** 3, types: { voice: 20 * 1024 ** 2 }, folders: { Archive: 100 * 1024 ** 2 } })
    expect(parseQuota('20M').limit).toBe(20480 * 1024) // IMAP shows 20480 (KB)
    expect(parseQuota('5000;#text%2000;#voice%200', 'count')).toEqual({ limit: 5000, types: { text: 2000, voice: 200 }, folders: {} })
  })
  it('treats absent and -2 as the default, -1 as unlimited', () => {
    expect(parseQuota(undefined).limit).toBeUndefined()
    expect(parseQuota('-2').limit).toBeUndefined()
    expect(parseQuota('-1').limit).toBe(-1)
  })
  it('rejects negative, malformed and suffixed counts', () => {
    for (const bad of ['-3', '10X', '1.5M', 'Archive', '#%5', '10M;;x%1']) expect(() => parseQuota(bad), bad).toThrow(DirectoryError)
    expect(() => parseQuota('5K', 'count')).toThrow(/not a count/)
  })
})

describe('user ids (spec 03 §1) and addresses', () => {
  it('rejects the union of store and MTA invalid characters, reserved names and long ids', () => {
    for (const ok of ['joe', 'joe.smith', 'j_s-1', 'Joe']) expect(uidProblem(ok), ok).toBeUndefined()
    for (const bad of ['-bob', 'group=x', 'anyone', 'anonymous', 'x'.repeat(128), 'a b', 'a@b', 'a+b', 'a/b', 'a%b', 'a:b', 'a~b', 'a$b', 'é', '']) {
      expect(uidProblem(bad), bad).toBeDefined()
    }
  })
  it('validates RFC 5321 addresses and lower-cases the domain', () => {
    expect(validateAddress('Joe.Smith@Example.COM')).toBe('Joe.Smith@example.com')
    expect(splitAddress('a..b@example.com')).toBeUndefined()
    expect(() => validateAddress('no-at-sign')).toThrow(/invalid address/)
    expect(() => validateAddress('@example.com')).toThrow()
    expect(validateAddress('@example.com', 'mailAlternateAddress', true)).toBe('@example.com')
  })
})

describe('statuses (Schema Reference)', () => {
  it('absent is active, illegal is inactive, the first non-active wins', () => {
    expect(normalizeStatus(undefined)).toBe('active')
    expect(normalizeStatus('bogus')).toBe('inactive')
    expect(combineStatus('active', 'hold', 'disabled')).toBe('hold')
    expect(combineStatus(undefined, '', 'Disabled')).toBe('disabled')
  })
  it('maps to delivery and login decisions', () => {
    expect(deliveryDisposition('inactive')).toBe('tempfail')
    expect(deliveryDisposition('deleted')).toBe('reject')
    expect(deliveryDisposition('hold')).toBe('hold')
    expect(loginDenial('overquota')).toBeUndefined()
    expect(loginDenial('hold')).toBe('hold')
  })
})

describe('DNs (RFC 4514) and the Schema 2 layout', () => {
  const l = new Schema2Layout('o=usergroup')
  it('builds and classifies entry DNs', () => {
    expect(l.userDn('example.com', 'joe')).toBe('uid=joe,ou=People,o=example.com,o=usergroup')
    expect(l.classify('UID=joe, ou=people, o=Example.COM, o=usergroup')).toEqual({ kind: 'user', domain: 'example.com', name: 'joe' })
    expect(l.classify('cn=staff,ou=Groups,o=example.com,o=usergroup')).toEqual({ kind: 'group', domain: 'example.com', name: 'staff' })
    expect(l.classify('uid=joe,ou=People,o=example.com,o=other')).toBeUndefined()
  })
  it('escapes and parses special characters', () => {
    expect(escapeDnValue('Sales, West')).toBe('Sales\\, West')
    expect(parseDn('cn=Sales\\, West,o=x')).toEqual([['cn', 'Sales, West'], ['o', 'x']])
    expect(parseDn('cn=\\4a\\6fe,o=x')![0]![1]).toBe('Joe')
    expect(normalizeDn('CN=A , O=B')).toBe('cn=a,o=b')
  })
})

describe('LDIF (RFC 2849) and CSV (RFC 4180)', () => {
  it('reads folded lines, base64 values, change records and reports bad records', () => {
    const recs = parseLdif('version: 1\n\n# comment\ndn: uid=a,o=x\ncn: Long\n  name\nsn:: U23DrXRo\n\ndn: uid=b,o=x\nchangetype: modify\nreplace: mail\nmail: b@x.test\n-\nadd: cn\ncn: B\n-\n\ndn: uid=c,o=x\nbroken line\n')
    expect(recs).toHaveLength(3)
    expect(recs[0]).toMatchObject({ dn: 'uid=a,o=x', attrs: { cn: ['Long name'], sn: ['Smíth'] } })
    expect(recs[1]!.mods).toEqual([{ op: 'replace', attr: 'mail', values: ['b@x.test'] }, { op: 'add', attr: 'cn', values: ['B'] }])
    expect(recs[2]!.error).toMatch(/malformed line/)
  })
  it('reads quoted CSV fields with their line numbers', () => {
    expect(parseCsv('a,b\r\n"x, y","he said ""hi"""\n\n3,"multi\nline"\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'he said "hi"'] },
      { line: 4, fields: ['3', 'multi\nline'] },
    ])
  })
})

describe('LDAP helpers', () => {
  it('escapes filter values (RFC 4515 §3) and fills templates', () => {
    expect(escapeFilter('a*b(c)\\')).toBe('a\\2ab\\28c\\29\\5c')
    expect(fillTemplate('(&(uid=%u)(x=%d)(y=%%))', { u: 'j*', d: 'example.com' })).toBe('(&(uid=j\\2a)(x=example.com)(y=%))')
  })
  it('turns ugldaphost entries into URLs', () => {
    expect(hostUrl('ldap1.example.com', 389, false)).toBe('ldap://ldap1.example.com:389')
    expect(hostUrl('ldap2.example.com:1389', 389, true)).toBe('ldaps://ldap2.example.com:1389')
    expect(hostUrl('[::1]:636', 389, true)).toBe('ldaps://[::1]:636')
  })
})

describe('TTL cache', () => {
  it('expires entries and evicts the oldest beyond its size', () => {
    let now = 0
    const c = new TtlCache<number>(1000, 2, () => now)
    c.set('a', 1); c.set('b', 2); c.set('c', 3)
    expect(c.get('a')).toBeUndefined()
    expect(c.get('b')).toBe(2)
    now = 1000
    expect(c.get('c')).toBeUndefined()
  })
})
