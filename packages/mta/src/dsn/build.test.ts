import { describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildDsn, wants } from './build.js'

describe('DSN (RFC 3464)', () => {
  it('NOTIFY defaults to FAILURE,DELAY; NEVER suppresses everything', () => {
    expect(wants(undefined, 'FAILURE')).toBe(true)
    expect(wants(undefined, 'DELAY')).toBe(true)
    expect(wants(undefined, 'SUCCESS')).toBe(false)
    expect(wants(['NEVER'], 'FAILURE')).toBe(false)
    expect(wants(['SUCCESS'], 'FAILURE')).toBe(false)
  })
  it('builds multipart/report with per-recipient fields and the original (RET=HDRS → headers only)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'wren-dsn-'))
    const msg = 'From: a@x\r\nSubject: hi\r\nMessage-ID: <1@x>\r\n\r\nsecret body\r\n'
    writeFileSync(join(d, 'q'), msg)
    const base = { id: 'i', channel: 'tcp_local', sourceChannel: 'tcp_local', from: 'a@x', created: 0, size: msg.length, recipients: [], envid: 'E1' }
    const full = (await buildDsn({ hostname: 'mx.example.org', env: base, messagePath: join(d, 'q'), to: 'a@x',
      recipients: [{ to: 'b@y', orcpt: 'rfc822;B@y', action: 'failed', status: '5.1.1', diagnostic: 'smtp;550 5.1.1 no', remoteMta: 'dns;mx.y' }] })).body.toString()
    expect(full).toMatch(/report-type=delivery-status/)
    expect(full).toContain('Reporting-MTA: dns;mx.example.org\r\nOriginal-Envelope-Id: E1')
    expect(full).toContain('Original-Recipient: rfc822;B@y\r\nFinal-Recipient: rfc822;b@y\r\nAction: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns;mx.y\r\nDiagnostic-Code: smtp;550 5.1.1 no')
    expect(full).toContain('secret body')
    const hdrs = (await buildDsn({ hostname: 'h', env: { ...base, ret: 'HDRS' }, messagePath: join(d, 'q'), to: 'a@x', recipients: [{ to: 'b@y', action: 'failed', status: '5.0.0' }] })).body.toString()
    expect(hdrs).toContain('Content-Type: text/rfc822-headers')
    expect(hdrs).not.toContain('secret body')
    rmSync(d, { recursive: true, force: true })
  })
})
