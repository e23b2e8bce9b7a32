import { describe, expect, it } from 'vitest'
import { decodeXtext, parseCommand, parsePath } from './command.js'
import { mailParams, rcptParams } from './esmtp-params.js'

describe('command parsing (RFC 5321 §4.1)', () => {
  it('verb and argument', () => {
    expect(parseCommand('mail FROM:<a@b.c>')).toEqual({ verb: 'MAIL', arg: 'FROM:<a@b.c>' })
    expect(parseCommand('QUIT')).toEqual({ verb: 'QUIT', arg: '' })
  })

  it('paths, null sender, source routes, postmaster', () => {
    expect(parsePath('FROM:<a@b.c> SIZE=10 BODY=8BITMIME', 'FROM')).toEqual({ address: 'a@b.c', params: { SIZE: '10', BODY: '8BITMIME' }, utf8: false })
    expect(parsePath('from: <>', 'FROM').address).toBe('')
    expect(parsePath('TO:<@relay.x,@r2.y:joe@b.c>', 'TO').address).toBe('joe@b.c')
    expect(parsePath('TO:<Postmaster>', 'TO').address).toBe('Postmaster')
    expect(parsePath('TO:<joe@[127.0.0.1]>', 'TO').address).toBe('joe@[127.0.0.1]')
    expect(parsePath('TO:<joe@xn--bcher-kva.example>', 'TO').address).toBe('joe@bücher.example')
    expect(parsePath('TO:<jöe@example.org>', 'TO').utf8).toBe(true)
  })

  it('bad paths are 501', () => {
    for (const [arg, kw] of [['FROM:<<<broken', 'FROM'], ['FROM:a@b.c', 'FROM'], ['TO:<>', 'TO'], ['TO:<a@b@c>', 'TO'], ['TO:<a..b@c.d>', 'TO'],
      ['TO:<a@-.x>', 'TO'], ['TO:<a\x01@b.c>', 'TO'], ['TO <a@b.c>', 'TO'], ['FROM:<a@b.c>X', 'FROM'], ['TO:<a@[1.2.3]>', 'TO'], ['FROM:<a@b.c>', 'TO']] as const) {
      expect(() => parsePath(arg, kw), arg).toThrow(expect.objectContaining({ code: 501 }))
    }
  })

  it('local parts: dot-string atoms or a quoted string (RFC 5321 §4.1.2)', () => {
    expect(parsePath('TO:<"jo e"@example.org>', 'TO').address).toBe('"jo e"@example.org')
    expect(parsePath('TO:<"a@b"@example.org>', 'TO').address).toBe('"a@b"@example.org')
    expect(parsePath('TO:<"a\\"b"@example.org>', 'TO').address).toBe('"a\\"b"@example.org')
    expect(parsePath("FROM:<o'brien+tag/x=y@example.org>", 'FROM').address).toBe("o'brien+tag/x=y@example.org")
    for (const arg of ['FROM:<a b@example.org>', 'FROM:<a"b@example.org>', 'FROM:<"unterminated@example.org>', 'FROM:<a,b@example.org>', 'FROM:<"a"b@example.org>', 'FROM:<a(c)@example.org>']) {
      expect(() => parsePath(arg, 'FROM'), arg).toThrow(expect.objectContaining({ code: 501, enhanced: '5.1.7' }))
    }
  })

  it('xtext (RFC 3461 §4) and parameter checks', () => {
    expect(decodeXtext('a+2Bb+3Dc')).toBe('a+b=c')
    expect(parsePath('TO:<a@b.c> ORCPT=rfc822;x+2By@z.w NOTIFY=SUCCESS,FAILURE', 'TO').params).toEqual({ ORCPT: 'rfc822;x+y@z.w', NOTIFY: 'SUCCESS,FAILURE' })
    expect(() => parsePath('FROM:<a@b.c> ENVID=x+0D+0AInjected', 'FROM')).toThrow(expect.objectContaining({ code: 501 }))
    expect(() => parsePath('FROM:<a@b.c> SIZE=1 SIZE=2', 'FROM')).toThrow(expect.objectContaining({ code: 501 }))
    expect(mailParams({ SIZE: '100', BODY: '8BITMIME', SMTPUTF8: true, RET: 'hdrs', ENVID: 'id1', AUTH: '<>' }, 1000))
      .toEqual({ size: 100, bodyType: '8bitmime', smtpUtf8: true, ret: 'HDRS', envid: 'id1' })
    expect(() => mailParams({ SIZE: '2000' }, 1000)).toThrow(expect.objectContaining({ code: 552 }))
    expect(() => mailParams({ BODY: 'BINARYMIME' }, 0)).toThrow(expect.objectContaining({ code: 501 }))
    expect(() => mailParams({ XFOO: true }, 0)).toThrow(expect.objectContaining({ code: 555 }))
    expect(rcptParams({ NOTIFY: 'never' })).toEqual({ notify: ['NEVER'] })
    expect(() => rcptParams({ NOTIFY: 'NEVER,SUCCESS' })).toThrow(expect.objectContaining({ code: 501 }))
    expect(() => rcptParams({ ORCPT: 'nosemicolon' })).toThrow(expect.objectContaining({ code: 501 }))
  })
})
