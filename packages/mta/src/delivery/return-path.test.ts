import { describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stripReturnPath, withReturnPath } from './return-path.js'

describe('Return-Path at final delivery (RFC 5321 §4.4)', () => {
  it('puts the envelope sender first and removes stale Return-Path fields', () => {
    const d = mkdtempSync(join(tmpdir(), 'wren-rp-'))
    try {
      const msg = 'Return-Path: <forged@x>\r\n\tcontinued\r\nFrom: a@x\r\nSubject: s\r\n\r\nReturn-Path: <in body stays>\r\n'
      writeFileSync(join(d, 'q'), msg + 'TRAILER')
      const out = withReturnPath(join(d, 'q'), msg.length, 'bob@remote.net').toString()
      expect(out).toBe('Return-Path: <bob@remote.net>\r\nFrom: a@x\r\nSubject: s\r\n\r\nReturn-Path: <in body stays>\r\n')
      expect(withReturnPath(join(d, 'q'), msg.length, '').toString()).toMatch(/^Return-Path: <>\r\nFrom:/)
      expect(stripReturnPath(Buffer.from('A: b\r\n\r\nx')).toString()).toBe('A: b\r\n\r\nx')
    } finally { rmSync(d, { recursive: true, force: true }) }
  })
})
