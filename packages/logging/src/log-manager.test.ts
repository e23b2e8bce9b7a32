import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { staticConfigView, type OptionValue } from '@wren/kernel'
import { createLogManager } from './log-manager.js'
import { parseServiceLogLine } from './format.js'
import { openWatcherLog, formatWatcherDate } from './watcher-log.js'

let root: string
beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'wren-log-')) })
afterEach(() => { rmSync(root, { recursive: true, force: true }) })

function manager(values: Record<string, OptionValue>, clock = { t: Date.UTC(2026, 10, 24, 10, 0, 0) }) {
  const lm = createLogManager({ dataRoot: root, config: staticConfigView(values), proc: 'imapd', hostname: 'mail.wren.test', pid: 777, now: () => clock.t })
  return { lm, clock }
}
const logDir = () => join(root, 'log')
const rolled = () => readdirSync(logDir()).filter((f) => /^imap\.\d+\.\d+$/.test(f)).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))

describe('createLogManager', () => {
  it('writes product-format lines to log/<name> at the default Notice level', async () => {
    const { lm } = manager({})
    const log = lm.logger('imap')
    log.notice('Account', 'login [127.0.0.1] user1 plaintext')
    log.info('Protocol', 'not written at Notice')
    log.error('Store', 'disk trouble')
    await lm.close()
    const lines = readFileSync(join(logDir(), 'imap'), 'utf8').trim().split('\n')
    expect(lines).toHaveLength(2)
    const first = parseServiceLogLine(lines[0]!)
    expect(first).toMatchObject({ host: 'mail.wren.test', proc: 'imapd', pid: 777, category: 'Account', level: 'Notice', message: 'login [127.0.0.1] user1 plaintext' })
    expect(parseServiceLogLine(lines[1]!)?.level).toBe('Error')
  })

  it('`<svc>.logfile.loglevel Error` suppresses Notice; `default` follows base.logfile.*', async () => {
    const { lm } = manager({ 'imap.logfile.loglevel': 'Error', 'base.logfile.loglevel': 'Debug' })
    lm.logger('imap').notice('General', 'dropped')
    lm.logger('imap').error('General', 'kept')
    expect(lm.logger('imap').enabled('Notice')).toBe(false)
    lm.logger('default').debug('General', 'debug in default')
    await lm.close()
    expect(readFileSync(join(logDir(), 'imap'), 'utf8')).not.toContain('dropped')
    expect(readFileSync(join(logDir(), 'imap'), 'utf8')).toContain('kept')
    expect(readFileSync(join(logDir(), 'default'), 'utf8')).toContain('General Debug: debug in default')
  })

  it('buffers until flush (no write per line)', async () => {
    const { lm } = manager({})
    lm.logger('imap').notice('General', 'buffered')
    expect(() => statSync(join(logDir(), 'imap'))).toThrow()
    await lm.flush()
    expect(readFileSync(join(logDir(), 'imap'), 'utf8')).toContain('buffered')
    await lm.close()
  })

  it('rolls by size into imap.<seq>.<unixtime> with increasing sequence numbers', async () => {
    const { lm, clock } = manager({ 'imap.logfile.maxlogfilesize': 1000, 'imap.logfile.maxlogfiles': 100 })
    const log = lm.logger('imap')
    for (let i = 0; i < 30; i++) {
      log.notice('General', `line ${i} ${'x'.repeat(60)}`)
      clock.t += 1000
      await lm.flush()
    }
    await lm.close()
    const files = rolled()
    expect(files.length).toBeGreaterThanOrEqual(3)
    files.forEach((f, i) => expect(Number(f.split('.')[1])).toBe(i + 1))
    for (const f of [...files, 'imap']) expect(statSync(join(logDir(), f)).size).toBeLessThanOrEqual(1000)
    // nothing lost, order kept
    const all = [...files, 'imap'].flatMap((f) => readFileSync(join(logDir(), f), 'utf8').trim().split('\n'))
    expect(all.map((l) => parseServiceLogLine(l)!.message.split(' ')[1])).toEqual(Array.from({ length: 30 }, (_, i) => String(i)))
    // unixtime in the name is the roll time
    const ts = Number(files[0]!.split('.')[2])
    expect(ts).toBeGreaterThan(Date.UTC(2026, 10, 24) / 1000)
  })

  it('keeps at most maxlogfiles files (live included) and never reuses a sequence number', async () => {
    const { lm, clock } = manager({ 'imap.logfile.maxlogfilesize': 200, 'imap.logfile.maxlogfiles': 3 })
    const log = lm.logger('imap')
    for (let i = 0; i < 12; i++) {
      log.notice('General', `entry ${i} ${'y'.repeat(80)}`)
      clock.t += 1000
      await lm.flush()
    }
    await lm.close()
    const files = rolled()
    expect(files).toHaveLength(2)
    const seqs = files.map((f) => Number(f.split('.')[1]))
    expect(seqs[1]).toBe(seqs[0]! + 1)
    expect(seqs[1]).toBeGreaterThanOrEqual(10) // old ones were removed, numbering went on
  })

  it('honours maxlogsize (total bytes) before the count limit', async () => {
    const { lm, clock } = manager({ 'imap.logfile.maxlogfilesize': 300, 'imap.logfile.maxlogfiles': 50, 'imap.logfile.maxlogsize': 800 })
    const log = lm.logger('imap')
    for (let i = 0; i < 20; i++) {
      log.notice('General', `entry ${i} ${'z'.repeat(100)}`)
      clock.t += 1000
      await lm.flush()
    }
    await lm.close()
    const total = [...rolled(), 'imap'].reduce((s, f) => s + statSync(join(logDir(), f)).size, 0)
    expect(total).toBeLessThanOrEqual(800)
    expect(rolled().length).toBeGreaterThan(0)
  })

  it('rolls by rollovertime and removes rolled files older than expirytime', async () => {
    const { lm, clock } = manager({ 'imap.logfile.rollovertime': 3600, 'imap.logfile.expirytime': 7200 })
    const log = lm.logger('imap')
    log.notice('General', 'hour 0')
    await lm.flush()
    clock.t += 3600_000
    log.notice('General', 'hour 1')
    await lm.flush()
    expect(rolled()).toHaveLength(1)
    const firstRolled = rolled()[0]!
    expect(readFileSync(join(logDir(), firstRolled), 'utf8')).toContain('hour 0')
    clock.t += 3600_000
    log.notice('General', 'hour 2')
    await lm.flush()
    expect(rolled()).toHaveLength(2)
    clock.t += 7200_000 + 1000
    log.notice('General', 'hour 4')
    await lm.flush()
    // the first two rolled files are now older than 2 h; only the newest roll stays
    const left = rolled()
    expect(left).not.toContain(firstRolled)
    expect(left).toHaveLength(1)
    await lm.close()
  })

  it('reopens when another process rolled the shared file', async () => {
    const { lm } = manager({})
    const log = lm.logger('imap')
    log.notice('General', 'before')
    await lm.flush()
    const { renameSync } = await import('node:fs')
    const rolledName = `imap.1.${Math.floor(Date.UTC(2026, 10, 24, 10, 0, 0) / 1000)}`
    renameSync(join(logDir(), 'imap'), join(logDir(), rolledName))
    log.notice('General', 'after')
    await lm.close()
    expect(readFileSync(join(logDir(), 'imap'), 'utf8')).toContain('after')
    expect(readFileSync(join(logDir(), rolledName), 'utf8')).not.toContain('after')
  })
})

describe('live option changes', () => {
  it('applies a new <svc>.logfile.loglevel on the config view\'s onChange (refresh without restart)', async () => {
    const values: Record<string, OptionValue> = { 'imap.logfile.loglevel': 'Notice' }
    const listeners = new Set<(c: string[]) => void>()
    const view = {
      ...staticConfigView(values),
      find: (n: string) => values[n],
      get: (n: string) => values[n]!,
      onChange: (l: (c: string[]) => void) => { listeners.add(l); return () => listeners.delete(l) },
    } as unknown as import('@wren/kernel').ConfigView
    const lm = createLogManager({ dataRoot: root, config: view, proc: 'imapd', hostname: 'h' })
    const log = lm.logger('imap')
    log.debug('Protocol', 'before')
    values['imap.logfile.loglevel'] = 'Debug'
    for (const l of listeners) l(['imap.logfile.loglevel'])
    log.debug('Protocol', 'after')
    await lm.close()
    const text = readFileSync(join(logDir(), 'imap'), 'utf8')
    expect(text).not.toContain('before')
    expect(text).toContain('Protocol Debug: after')
  })
})

describe('watcher log', () => {
  it('appends plain product lines to log/watcher', () => {
    const w = openWatcherLog(root)
    w.write("Watched 'imapd' process 13428 exited abnormally")
    w.write('Received request to restart:  store imap pop')
    expect(readFileSync(w.path, 'utf8')).toBe("Watched 'imapd' process 13428 exited abnormally\nReceived request to restart:  store imap pop\n")
    expect(formatWatcherDate(new Date(2012, 5, 4, 11, 23, 54))).toBe('Mon Jun 4 11:23:54 2012')
  })
  it('keeps writing when the directory is there already', () => {
    writeFileSync(join(root, 'x'), '')
    expect(() => openWatcherLog(root).write('x')).not.toThrow()
  })
})
