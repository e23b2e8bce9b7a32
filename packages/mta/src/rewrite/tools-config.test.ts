// `imsimta test -rewrite` / `-mapping` read the data root's unified configuration when run as tools.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openConfig } from '@wren/config'
import { memoryIO } from '@wren/cli/io'
import { runTestRewrite } from './test-rewrite-command.js'
import { runTestMapping } from '../mapping/test-mapping-command.js'

let dataRoot = ''
beforeAll(async () => {
  dataRoot = mkdtempSync(join(tmpdir(), 'wren-imsimta-test-'))
  const svc = await openConfig(dataRoot)
  svc.set('base.defaultdomain', 'example.com')
  svc.set('rewrite.rule', 'example.org $U%D@tcp_example-daemon')
  svc.set('channel:tcp_example.smtp', true)
  svc.set('channel:tcp_example.official_host_name', 'tcp_example-daemon')
  svc.set('mapping:X-TEST.rule', '* $Ygot-$0')
  await svc.write({ remark: 'test' })
  await svc.close()
}, 120_000)
afterAll(() => { if (dataRoot) rmSync(dataRoot, { recursive: true, force: true }) })

describe('imsimta test tools on a data root', () => {
  it('-rewrite uses the configured rules and channels', async () => {
    const m = memoryIO({ env: { WREN_DATA: dataRoot } })
    expect(await runTestRewrite(['-rewrite', 'joe@example.org'], m.io)).toBe(0)
    expect(m.stdout()).toContain('  forward channel           = tcp_example\n')
    expect(m.stderr()).toBe('')
  })

  it('-mapping uses the configured tables', async () => {
    const m = memoryIO({ env: { WREN_DATA: dataRoot } })
    expect(await runTestMapping(['-mapping', '-table=X-TEST', 'abc'], m.io)).toBe(0)
    expect(m.stdout()).toBe('Output string: got-abc\nOutput flags: [89]\n')
  })

  it('without a configuration the built-in defaults are used, and nothing is created', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'wren-imsimta-empty-'))
    try {
      const m = memoryIO({ env: { WREN_DATA: empty } })
      expect(await runTestRewrite(['-rewrite', 'joe@example.org'], m.io)).toBe(0)
      expect(m.stdout()).toContain('forward channel           = tcp_local')
      expect(m.stderr()).toContain('using the built-in defaults')
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
  })
})
