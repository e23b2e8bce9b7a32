import { describe, it, expect } from 'vitest'
import { defaultRegistry } from './registry/registry.js'
import { LiveConfigView } from './view.js'
import { createConfigView } from './static-view.js'

describe('layered view', () => {
  it('instance overrides role (spec 01 §1: instance.imap.enable=0 + role.imap.enable=1 → disabled)', () => {
    const v = new LiveConfigView(defaultRegistry(), new Map<string, boolean>([['role|imap.enable', true], ['instance|imap.enable', false]]))
    expect(v.get('imap.enable')).toBe(false)
    expect(v.list('imap.*')).toEqual([{ name: 'imap.enable', value: false }])
  })

  it('answers registry defaults, fallbacks and empty multi-valued options', () => {
    const v = createConfigView({ 'base.listenaddr': '127.0.0.1' })
    expect(v.get('imap.port')).toBe(2143)
    expect(v.get('imap.listenaddr')).toBe('127.0.0.1')
    expect(v.get('rewrite.rule')).toEqual([])
    expect(v.find('base.defaultdomain')).toBeUndefined()
    expect(() => v.get('base.defaultdomain')).toThrow(/unset and has no default/)
    expect(v.find('no.such.option')).toBeUndefined()
    expect(() => v.get('no.such.option')).toThrow(/unknown option/)
    expect(v.get('service.imap.port')).toBe(2143) // legacy names read too
  })

  it('fires onChange with changed names, including options that follow a changed one', () => {
    const v = new LiveConfigView(defaultRegistry(), new Map<string, string | number>([['role|imap.port', 143]]))
    const seen: string[][] = []
    const off = v.onChange((c) => seen.push(c))
    v.replace(new Map<string, string | number>([['role|imap.port', 143], ['role|base.listenaddr', '127.0.0.1']]))
    v.replace(new Map<string, string | number>([['role|base.listenaddr', '127.0.0.1']]))
    off()
    v.replace(new Map())
    expect(seen[0]).toContain('base.listenaddr')
    expect(seen[0]).toContain('imap.listenaddr')
    expect(seen[0]).toContain('pop.listenaddr')
    expect(seen[1]).toEqual(['imap.port'])
    expect(seen).toHaveLength(2)
  })
})
