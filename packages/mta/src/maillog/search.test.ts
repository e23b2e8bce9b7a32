import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openMailLog } from './writer.js'
import { rolloverMailLogs } from './rollover.js'
import { logFiles, searchLogs } from './search.js'

describe('searchLogs (newest first, byte budget, cursor)', () => {
  let dir = ''
  afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }) })

  async function write(n: number, from: number, t0: number): Promise<void> {
    const log = openMailLog({ logDir: dir, options: { format: 1 } })
    for (let i = from; i < from + n; i++) {
      // long diagnostics make lines straddle the 64 KB block boundaries
      log.message({ action: i % 2 ? 'D' : 'E', source: 'tcp_local', destination: 'ims-ms', bytes: 100, from: `s${i}@a.test`, originalTo: `rfc822;u${i}@b.test`, to: `u${i}@b.test`, diagnostic: 'x'.repeat(300 + (i % 7) * 50), time: new Date(t0 + i * 1000) })
    }
    await log.close()
  }

  it('reads every record exactly once across pages, budgets and a rollover', async () => {
    dir = mkdtempSync(join(tmpdir(), 'wren-logsearch-'))
    const t0 = Date.now() - 3600_000
    await write(600, 0, t0)
    await rolloverMailLogs(dir) // → mail.log_yesterday
    await write(600, 600, t0)
    const seen: string[] = []
    let cursor
    let calls = 0
    for (;;) {
      const page = await searchLogs(logFiles(dir), {}, { limit: 97, maxBytes: 100_000, ...(cursor ? { cursor } : {}) })
      calls++
      seen.push(...page.items.map((r) => (r.kind === 'message' ? r.from : '')))
      expect(page.scanned).toBeLessThanOrEqual(100_000 + 65536)
      if (!page.cursor) break
      cursor = page.cursor
      if (calls === 3) await rolloverMailLogs(dir) // the live file is renamed while someone pages through it
    }
    expect(seen).toEqual(Array.from({ length: 1200 }, (_, i) => `s${1199 - i}@a.test`))
    expect(calls).toBeGreaterThan(1200 / 97)
  })

  it('filters and stops at `since`', async () => {
    dir = mkdtempSync(join(tmpdir(), 'wren-logsearch-'))
    const t0 = Date.now() - 3600_000
    await write(400, 0, t0)
    const r = await searchLogs(logFiles(dir), { actions: ['D'], address: '13@B.TEST', since: t0 }, { limit: 50, maxBytes: 1 << 24 })
    expect(r.items.map((x) => (x.kind === 'message' ? x.to : ''))).toEqual(['u313@b.test', 'u213@b.test', 'u113@b.test', 'u13@b.test'])
    const late = await searchLogs(logFiles(dir), { since: t0 + 389_500 }, { limit: 50, maxBytes: 1 << 24 })
    expect(late.items).toHaveLength(10)
    expect(late.scanned).toBeLessThan(200_000) // stopped long before the file start (~200 KB)
    const scoped = await searchLogs(logFiles(dir), { scope: ['c.test'] }, { limit: 50, maxBytes: 1 << 24 })
    expect(scoped.items).toEqual([])
  })
})
