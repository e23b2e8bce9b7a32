import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { staticConfigView } from '@wren/kernel'
import { memoryIO } from '@wren/cli/io'
import { runTestMapping } from './test-mapping-command.js'

describe('imsimta test -mapping', () => {
  it('runs the manual’s interactive session against a mapping file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wren-testmap-'))
    try {
      writeFileSync(join(dir, 'test.txt'), 'INTERNAL_IP\n  $(192.45.67.0/24) $Y\n  127.0.0.1 $Y\n  * $N\n')
      const m = memoryIO({ answers: ['internal_ip', '192.45.67.8', '10.0.0.1'] })
      const code = await runTestMapping(['-mapping', '-noimage_file', '-mapping_file=test.txt'], m.io, { cwd: dir })
      expect(code).toBe(0)
      expect(m.stdout()).toBe(
        'Enter table name: Input string: Output string: \nOutput flags: [89]\n' +
        'Input string: Output string: \nOutput flags: [78]\n' +
        'Input string: ')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('takes table, flags and probes on the command line; uses the configured tables', async () => {
    const m = memoryIO()
    const config = staticConfigView({ 'mapping:X-T.rule': ['* $:A$Ydispatcher', '* $Nother'] })
    expect(await runTestMapping(['-table=X-T', '-flags=A', 'probe'], m.io, { config })).toBe(0)
    expect(m.stdout()).toBe('Output string: dispatcher\nOutput flags: [89]\n')
    const none = memoryIO()
    expect(await runTestMapping(['-table=NOPE', 'x'], none.io, { config })).toBe(1)
    expect(none.stderr()).toContain('no mapping table named NOPE')
  })
})

describe('imsimta test -match', () => {
  it('checks addresses against a $(…/…) condition, as the installation guide suggests', async () => {
    const { runTestMatch } = await import('./test-match-command.js')
    const m = memoryIO({ answers: ['$(192.45.67.80/28)', '192.45.67.82', '192.45.67.99'] })
    expect(await runTestMatch(['-match'], m.io)).toBe(0)
    expect(m.stdout()).toBe('Pattern: Target: Match.\n  $0 = 192.45.67.82\nTarget: No match.\nTarget: ')
    const c = memoryIO()
    expect(await runTestMatch(['-match', '-pattern=*@$D*.example', 'joe@42.example'], c.io)).toBe(0)
    expect(c.stdout()).toBe('Match.\n  $0 = joe\n  $1 = 42\n')
  })
})
