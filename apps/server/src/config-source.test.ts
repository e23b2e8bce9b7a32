import { describe, expect, it } from 'vitest'
import { staticConfigView } from '@wren/kernel'
import { envOptions, flag, overlayView } from './config-source.js'

describe('config source', () => {
  it('WREN_OPTIONS overrides win over the base view, case-insensitively, in get/find/list', () => {
    const base = staticConfigView({ 'imap.port': 143, 'pop.port': 110 }, { 'imap.enable': 1 })
    const v = overlayView(base, envOptions({ WREN_OPTIONS: '{"imap.port":0,"IMAP.enable":0}' }))
    expect(v.get('imap.port')).toBe(0)
    expect(v.get('imap.enable')).toBe(0)
    expect(v.get('pop.port')).toBe(110)
    expect(v.list('imap.*').map((e) => e.name).sort()).toEqual(['IMAP.enable', 'imap.port'])
  })
  it('rejects a WREN_OPTIONS that is not a JSON object', () => {
    expect(() => envOptions({ WREN_OPTIONS: '[1]' })).toThrow(/JSON object/)
    expect(() => envOptions({ WREN_OPTIONS: '{' })).toThrow(/JSON object/)
  })
  it('reads product-style flags', () => {
    const v = staticConfigView({ a: 'yes', b: 0, c: 'off', d: '1' })
    expect([flag(v, 'a', false), flag(v, 'b', true), flag(v, 'c', true), flag(v, 'd', false), flag(v, 'zz', true)]).toEqual([true, false, false, true, true])
  })
})
