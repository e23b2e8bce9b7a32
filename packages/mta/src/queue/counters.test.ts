// Channel counters (spec 02 §2): semantics and the section's lifetime (one MTA run).
import { afterEach, describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { QueueIndex } from './index-db.js'
import { ChannelCounters, countingLog, createSection, deleteSection, readCounters, sectionExists, clearCounters, toolCountingLog } from './counters.js'
import { nullTransportLog } from '../ports.js'
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

  it('a 2-recipient message counts as 1 message and 2 recipients (spec 02 §2)', () => {
    const { index } = open()
    const c = new ChannelCounters(index, 60_000)
    const rcpt = (r: TransportLogMessage, second: boolean) => ({ ...r, to: second ? 'b@y' : 'a@y', sameMessage: second })
    for (const second of [false, true]) { c.count(rcpt(rec('E', 'tcp_local', 'ims-ms'), second)); c.count(rcpt(rec('D', 'ims-ms'), second)) }
    c.flush()
    const row = (ch: string, n: string) => { const r = readCounters(index).find((x) => x.channel === ch && x.name === n); return [r?.messages, r?.recipients] }
    expect(row('ims-ms', 'Received')).toEqual([1, 2])
    expect(row('ims-ms', 'Delivered')).toEqual([1, 2])
    expect(row('ims-ms', 'Stored')).toEqual([0, 0])
    expect(row('tcp_local', 'Submitted')).toEqual([1, 2])
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

  it('count the K, R and DSN E records of `imsimta qm delete|return` (another process) into the running section', () => {
    // the repro of the review: 2 messages queued on tcp_local, one deleted, one returned (DSN to ims-ms)
    const { index } = open()
    const mta = new ChannelCounters(index, 60_000, 'process:4242:1') // the MTA run's section (another process)
    const m1 = { ...rec('E', 'tcp_submit', 'tcp_local'), messageId: '<1@x>', to: 'a@remote.test' }
    const m2 = { ...rec('E', 'tcp_submit', 'tcp_local'), messageId: '<2@x>', to: 'b@remote.test' }
    mta.count(m1); mta.count(m2); mta.flush()
    const tool = toolCountingLog(index, nullTransportLog) // must join the section, not reset it
    tool.message({ ...m1, action: 'K', destination: undefined, source: 'tcp_local', status: 'deleted by operator' })
    tool.message({ ...rec('E', 'tcp_local', 'ims-ms'), from: '', to: 'a@x', messageId: '<3@y>,<2@x>' })
    tool.message({ ...m2, action: 'R', destination: undefined, source: 'tcp_local', status: 'returned by operator' })
    tool.close?.()
    mta.count({ ...rec('D', 'ims-ms'), from: '', to: 'a@x', messageId: '<3@y>,<2@x>' }); mta.close()
    const tcp = ['Received', 'Stored', 'Submitted', 'Failed'].map((n) => get(index, 'tcp_local', n))
    const ims = ['Received', 'Stored', 'Delivered'].map((n) => get(index, 'ims-ms', n))
    expect({ tcp, ims, submit: get(index, 'tcp_submit', 'Submitted') }).toEqual({ tcp: [2, 0, 1, 2], ims: [1, 0, 1], submit: 2 })
    index.close()
  })

  it('count first-time deliveries (no Q/Z before) with their queue time, and associations from connection records', () => {
    const { index } = open()
    const c = new ChannelCounters(index, 60_000)
    const log = countingLog(nullTransportLog, c)
    const r = (action: string, to: string, queueTime?: number) => ({ ...rec(action, 'tcp_local'), messageId: '<m@x>', to, queueTime })
    log.message(r('Q', 'a@r.test')) // a's first attempt failed
    log.message(r('D', 'b@r.test', 2)); log.message(r('D', 'a@r.test', 600))
    for (const [direction, action] of [['+', 'O'], ['+', 'C'], ['+', 'O'], ['-', 'O'], ['-', 'Y'], ['-', 'C']] as const) {
      log.connection({ action, direction, channel: 'tcp_local', transport: 'TCP|1.2.3.4|25|5.6.7.8|1234', application: 'SMTP' })
    }
    log.close?.()
    const row = (n: string) => readCounters(index).find((x) => x.channel === 'tcp_local' && x.name === n)
    expect([row('Delivered')?.messages, row('Delivered')?.extra]).toEqual([2, 602])
    expect([row('DeliveredFirst')?.messages, row('DeliveredFirst')?.extra]).toEqual([1, 2])
    expect([get(index, 'tcp_local', 'InAssocs'), get(index, 'tcp_local', 'OutAssocs')]).toEqual([2, 1])
    index.close()
  })
})
