// Channel counters (spec 02 §2): semantics and the section's lifetime (one MTA run).
import { afterEach, describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { QueueIndex } from './index-db.js'
import { ChannelCounters, createSection, deleteSection, readCounters, sectionExists, clearCounters } from './counters.js'
import type { TransportLogMessage } from '../ports.js'

const roots: string[] = []
afterEach(() => { for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true }) })

function open() {
  const root = mkdtempSync(join(tmpdir(), 'wren-ctr-'))
  roots.push(root)
  mkdirSync(join(root, 'db')); mkdirSync(join(root, 'run'))
  return { root, index: new QueueIndex(join(root, 'db', 'queue-index.sqlite')) }
}
const startDaemon = (root: string, pid: number, t: number) => { const p = join(root, 'run', 'wren.pid'); writeFileSync(p, `${pid}\n`); utimesSync(p, t, t) }
const rec = (action: string, source: string, destination?: string): TransportLogMessage => ({ action, source, destination, size: 100, from: 'a@x' })
const get = (index: QueueIndex, ch: string, n: string) => readCounters(index).find((r) => r.channel === ch && r.name === n)?.messages ?? 0

describe('channel counters', () => {
  it('enqueue 2, deliver 1 → Received 2 / Stored 1 / Delivered 1; bounce → Failed; 4xx → Attempted; clear → Stored goes negative', () => {
    const { index } = open()
    const c = new ChannelCounters(index, 60_000)
    for (const r of [rec('E', 'tcp_local', 'ims-ms'), rec('E', 'tcp_local', 'ims-ms'), rec('D', 'ims-ms'), rec('Q', 'tcp_local'), rec('R', 'tcp_local'), rec('J', 'tcp_local')]) c.count(r)
    c.flush()
    expect([get(index, 'ims-ms', 'Received'), get(index, 'ims-ms', 'Stored'), get(index, 'ims-ms', 'Delivered')]).toEqual([2, 1, 1])
    expect([get(index, 'tcp_local', 'Submitted'), get(index, 'tcp_local', 'Attempted'), get(index, 'tcp_local', 'Failed'), get(index, 'tcp_local', 'Rejected')]).toEqual([2, 1, 1, 1])
    clearCounters(index)
    c.count(rec('D', 'ims-ms')); c.flush()
    expect(get(index, 'ims-ms', 'Stored')).toBe(-1)
    c.close(); index.close()
  })

  it('are lost when the daemon restarts, kept when one service restarts, and not counted without a section', () => {
    const { root, index } = open()
    startDaemon(root, 100, 1_700_000_000)
    const dispatcher = new ChannelCounters(index, 60_000)
    dispatcher.count(rec('E', 'tcp_local', 'ims-ms')); dispatcher.close()
    // the watcher restarts one service: same daemon run, counters stay
    const again = new ChannelCounters(index, 60_000)
    expect(get(index, 'ims-ms', 'Received')).toBe(1)
    again.close()
    // the daemon stops (pid file removed): the run's section is gone for the tools
    rmSync(join(root, 'run', 'wren.pid'))
    expect(sectionExists(index)).toBe(false)
    expect(readCounters(index)).toEqual([])
    // a new daemon run starts from zero
    startDaemon(root, 200, 1_700_000_500)
    const fresh = new ChannelCounters(index, 60_000)
    expect(readCounters(index)).toEqual([])
    // imsimta counters -delete: nothing is counted until -create
    deleteSection(index)
    fresh.count(rec('E', 'tcp_local', 'ims-ms')); fresh.flush()
    expect(sectionExists(index)).toBe(false)
    expect(createSection(index)).toBe(true)
    expect(createSection(index)).toBe(false) // exists already for this run
    fresh.count(rec('E', 'tcp_local', 'ims-ms')); fresh.flush()
    expect(get(index, 'ims-ms', 'Received')).toBe(1)
    fresh.close(); index.close()
  })
})
