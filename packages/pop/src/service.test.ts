import { describe, expect, it } from 'vitest'
import { staticConfigView } from '@wren/kernel'
import { popSettings } from './service.js'
import { expandBanner } from './server/banner.js'

describe('pop settings (spec 03 §10)', () => {
  it('reads the pop.* options with the product defaults', () => {
    const s = popSettings(staticConfigView({}), 'mail.example.com')
    expect(s).toMatchObject({ enable: true, port: 110, enableSsl: false, sslPort: 995, maxSessions: 600, idleTimeoutMs: 600_000 })
    expect(s.greeting).toBe('mail.example.com POP3 service (Wren Messaging Server 0.1.0)')
  })
  it('the idle timeout can only be raised above 10 minutes', () => {
    expect(popSettings(staticConfigView({ 'pop.idletimeout': 2 }), 'h').idleTimeoutMs).toBe(600_000)
    expect(popSettings(staticConfigView({ 'pop.idletimeout': '30' }), 'h').idleTimeoutMs).toBe(1_800_000)
  })
  it('plaintext login needs TLS unless pop.allowplaintextlogin is 1 and pop.plaintextmincipher 0', () => {
    expect(popSettings(staticConfigView({}), 'h').allowPlaintext).toBe(false)
    expect(popSettings(staticConfigView({ 'pop.plaintextmincipher': 0 }), 'h').allowPlaintext).toBe(false)
    expect(popSettings(staticConfigView({ 'pop.allowplaintextlogin': true }), 'h').allowPlaintext).toBe(true)
    expect(popSettings(staticConfigView({ 'pop.allowplaintextlogin': 1, 'pop.plaintextmincipher': 128 }), 'h').allowPlaintext).toBe(false)
  })
  it('pop.enable and ports accept the registry types', () => {
    const s = popSettings(staticConfigView({ 'pop.enable': '0', 'pop.enablesslport': true, 'pop.port': 2110, 'pop.sslport': '2995' }), 'h')
    expect(s).toMatchObject({ enable: false, enableSsl: true, port: 2110, sslPort: 2995 })
  })
  it('expands banner variables', () => {
    expect(expandBanner('%h %p ready %% (%P)', 'host.example')).toBe('host.example POP3 ready % (Wren Messaging Server)')
    expect(expandBanner('a\r\nb', 'h')).toBe('a  b')
  })
})
