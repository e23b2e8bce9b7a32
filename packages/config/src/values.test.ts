import { describe, it, expect } from 'vitest'
import { defaultRegistry } from './registry/registry.js'
import { parseValue, showValue, legacyValue } from './values.js'

const m = (n: string) => defaultRegistry().lookup(n)!

describe('option values', () => {
  it('parses each syntax', () => {
    expect(parseValue(m('imap.enable'), 'yes')).toBe(true)
    expect(parseValue(m('imap.enable'), '0')).toBe(false)
    expect(parseValue(m('imap.port'), '143')).toBe(143)
    expect(parseValue(m('alarm.system:diskavail.thresholddirection'), '-1')).toBe(-1)
    expect(parseValue(m('dispatcher.service:SMTP.tcp_ports'), '25, 587')).toEqual(['25', '587'])
    expect(parseValue(m('imap.logfile.loglevel'), 'debug')).toBe('Debug')
  })

  it('rejects wrong types precisely', () => {
    expect(() => parseValue(m('imap.enable'), 'maybe')).toThrow('imap.enable: "maybe" is not a boolean (use 1 or 0)')
    expect(() => parseValue(m('imap.port'), 'abc')).toThrow('imap.port: "abc" is not a TCP port number')
    expect(() => parseValue(m('imap.port'), '70000')).toThrow('imap.port: 70000 is not a TCP port (0-65535)')
    expect(() => parseValue(m('store.quotawarn'), '-5')).toThrow(/negative/)
    expect(() => parseValue(m('imap.idletimeout'), '10')).toThrow('imap.idletimeout: 10 is below the minimum 30')
    expect(() => parseValue(m('imap.logfile.loglevel'), 'loud')).toThrow(/not one of Nolog, Critical/)
  })

  it('shows values as msconfig and configutil do', () => {
    expect(showValue(m('imap.enable').spec, true)).toBe('1')
    expect(legacyValue(m('pop.enable').spec, true)).toBe('yes')
    expect(legacyValue(m('pop.banner').spec, '%h %p service (%P %V)')).toBe('"%h %p service (%P %V)"')
    expect(showValue(m('base.ugldapbindcred').spec, 'secret')).toBe('********')
  })
})
