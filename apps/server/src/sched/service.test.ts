import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createLocalBus, staticConfigView } from '@wren/kernel'
import { createLogManager } from '@wren/logging'
import { createService, resolveTaskCommand } from './service.js'

let root: string
beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'wren-sched-')) })
afterEach(() => { rmSync(root, { recursive: true, force: true }) })

describe('sched service', () => {
  it('runs due enabled tasks as real processes and logs them; disabled tasks never run', async () => {
    const script = join(root, 'task.sh')
    writeFileSync(script, '#!/bin/sh\necho "$@" >> "$WREN_DATA/ran"\n')
    chmodSync(script, 0o755)
    const config = staticConfigView({
      'schedule.task:hello.crontab': `30 0,8,16 * * * ${script} one two`,
      'schedule.task:off.crontab': `* * * * * ${script} off`,
      'schedule.task:off.enable': 0,
      'schedule.task:broken.crontab': '61 * * * * x',
      'base.logfile.loglevel': 'Notice',
    })
    const logs = createLogManager({ dataRoot: root, config, proc: 'imsched', hostname: 'h' })
    const svc = createService()
    await svc.start({ dataRoot: root, hostname: 'h', config, logger: (n) => logs.logger(n), bus: createLocalBus(), lookup: () => undefined })
    expect(svc.tick(new Date(2026, 10, 24, 8, 29)).map((t) => t.name)).toEqual([])
    expect(svc.tick(new Date(2026, 10, 24, 8, 30)).map((t) => t.name)).toEqual(['hello'])
    await svc.idle()
    await svc.stop()
    await logs.close()
    expect(readFileSync(join(root, 'ran'), 'utf8')).toBe('one two\n')
    const log = readFileSync(join(root, 'log', 'default'), 'utf8')
    expect(log).toMatch(/imsched\[\d+\]: General Notice: sched: task hello started: .*task\.sh one two/)
    expect(log).toMatch(/General Notice: sched: task hello \(pid \d+\) completed/)
    expect(log).toMatch(/General Error: sched: task broken: minute '61' is out of range/)
  })

  it('reports a failing task with its exit status and a missing command', async () => {
    const config = staticConfigView({ 'schedule.task:bad.crontab': '* * * * * /bin/false', 'schedule.task:none.crontab': '* * * * * bin/no-such-tool' })
    const logs = createLogManager({ dataRoot: root, config, proc: 'imsched', hostname: 'h' })
    const svc = createService()
    await svc.start({ dataRoot: root, hostname: 'h', config, logger: (n) => logs.logger(n), bus: createLocalBus(), lookup: () => undefined })
    svc.tick(new Date())
    await svc.idle()
    await svc.stop()
    await logs.close()
    const log = readFileSync(join(root, 'log', 'default'), 'utf8')
    expect(log).toMatch(/sched: task bad \(pid \d+\) failed with exit status 1/)
    expect(log).toContain('sched: task none: command bin/no-such-tool not found')
  })

  it("maps the product's lib/<tool> paths to Wren's bin/", () => {
    expect(resolveTaskCommand('lib/wren-cli')).toMatch(/bin\/wren-cli$/)
    expect(resolveTaskCommand('lib/nope')).toBeUndefined()
  })
})
