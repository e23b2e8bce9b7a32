import { describe, it, expect } from 'vitest'
import { staticConfigView } from '@wren/kernel'
import { listenerDefs } from './listener-config.js'

const summary = (c: Record<string, never> | Record<string, string | number | boolean | string[]>) =>
  listenerDefs(staticConfigView(c)).map((d) => `${d.name}:${d.port}:${d.channel}:${d.tls}:${d.authRequired ? 'auth' : 'noauth'}`).sort()

describe('dispatcher services (spec 01 §10, install guide Table 12-4)', () => {
  it('defaults: SMTP, SMTP_SUBMIT with its ssl_ports port as implicit TLS; LMTP off', () => {
    expect(summary({})).toEqual([
      'SMTP:2525:tcp_local:starttls:noauth',
      'SMTP_SUBMIT:2465:tcp_submit:implicit:auth',
      'SMTP_SUBMIT:2587:tcp_submit:starttls:auth',
    ])
  })

  it('honours tcp_ports, ssl_ports, parameter CHANNEL= and an explicit LMTP enable', () => {
    expect(summary({
      'dispatcher.service:SMTP_SUBMIT.tcp_ports': ['587', '465'],
      'dispatcher.service:SMTP_SUBMIT.ssl_ports': ['465'],
      'dispatcher.service:SMTP.tcp_ports': '25',
      'dispatcher.service:LMTP.enable': true,
      'dispatcher.service:LMTP.tcp_ports': ['225'],
      'dispatcher.service:MYSMTP.tcp_ports': ['2600'],
      'dispatcher.service:MYSMTP.parameter': 'CHANNEL=tcp_intranet',
    })).toEqual([
      'LMTP:225:tcp_lmtpss:none:noauth',
      'MYSMTP:2600:tcp_intranet:starttls:noauth',
      'SMTP:25:tcp_local:starttls:noauth',
      'SMTP_SUBMIT:465:tcp_submit:implicit:auth',
      'SMTP_SUBMIT:587:tcp_submit:starttls:auth',
    ])
  })

  it('an explicitly disabled service does not listen', () => {
    expect(summary({ 'dispatcher.service:SMTP_SUBMIT.enable': false })).toEqual(['SMTP:2525:tcp_local:starttls:noauth'])
  })
})
