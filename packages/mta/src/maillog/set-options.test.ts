// MailLog.setOptions / reloadOptions: a configuration refresh changes LOG_CONNECTION on an open log.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { ConfigView, OptionValue } from '@wren/kernel'
import { staticConfigView } from '@wren/kernel'
import { openMailLog } from './writer.js'
import { DEFAULT_LOG_OPTIONS } from './options.js'

const dirs: string[] = []
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

/** A view whose values can change under it, like the daemon's live view. */
function mutableView(values: Record<string, OptionValue>): ConfigView {
  const base = staticConfigView(values)
  return { ...base, find: (n) => values[n] as never }
}

const conn = { channel: 'tcp_local', direction: '+' as const, action: 'O' as const, transport: 'TCP|127.0.0.1|25|127.0.0.1|4000', application: 'SMTP' }

describe('MailLog options refresh', () => {
  it('reloadOptions re-reads LOG_CONNECTION from the view it was opened with', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wren-maillog-'))
    dirs.push(dir)
    const values: Record<string, OptionValue> = {}
    const log = openMailLog({ logDir: dir, config: mutableView(values) })
    log.connection(conn)
    log.flushSync()
    expect(log.options.connection).toBe(0)
    values['mta.log_connection'] = 3
    log.reloadOptions()
    expect(log.options.connection).toBe(3)
    log.connection(conn)
    log.flushSync()
    const lines = readFileSync(join(dir, 'mail.log_current'), 'utf8').trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/ tcp_local \+ O TCP\|127\.0\.0\.1\|25\|127\.0\.0\.1\|4000 SMTP/)
    void log.close()
  })

  it('setOptions keeps the options given at construction', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wren-maillog-'))
    dirs.push(dir)
    const log = openMailLog({ logDir: dir, options: { format: 2 } })
    log.setOptions({ ...DEFAULT_LOG_OPTIONS, connection: 1, format: 4 })
    expect(log.options.connection).toBe(1)
    expect(log.options.format).toBe(2)
    void log.close()
  })
})
