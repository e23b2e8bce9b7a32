// How many jobs the job controller runs per channel (Admin Guide 12.5.5 "Service Job Limits"):
// one at a time unless `filesperjob` asks for one per so many queued entries, up to `maxjobs`;
// SMTP channels start jobs up to `maxjobs` as mail arrives. Real queue index and queue files; the
// channel program is a recorder that takes 40 ms per job and counts how many jobs overlap.
import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLocalBus, nullLogger, staticConfigView, type OptionValue } from '@wren/kernel'
import { QueueStore } from '../queue/queue-store.js'
import { basicPolicy } from '../basic-policy.js'
import { nullTransportLog, staticDirectory } from '../ports.js'
import type { MasterProgram } from '../delivery/types.js'
import { JobController } from './job-controller.js'

const roots: string[] = []
const stops: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const s of stops.splice(0)) await s()
  for (const d of roots.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A channel program that records its jobs: how many overlapped at most, and messages per job. */
function recorder() {
  const r = { active: 0, maxActive: 0, jobSizes: [] as number[], delivered: 0 }
  const program: MasterProgram = {
    async deliver(items) {
      r.active++
      r.maxActive = Math.max(r.maxActive, r.active)
      r.jobSizes.push(items.length)
      await new Promise((res) => setTimeout(res, 40))
      r.active--
      r.delivered += items.length
      return items.map((it) => it.pending.map((idx) => ({ idx, status: 'ok' as const, statusCode: '2.0.0', diagnostic: '' })))
    },
  }
  return { r, program }
}

async function run(channel: string, options: Record<string, OptionValue>, messages: number) {
  const dataRoot = mkdtempSync(join(tmpdir(), 'wren-jobs-'))
  roots.push(dataRoot)
  const queue = new QueueStore({ dataRoot })
  const { r, program } = recorder()
  const jc = new JobController({
    config: staticConfigView(options), logger: nullLogger, bus: createLocalBus(), programFor: (s) => (s.name === channel ? program : undefined),
    hostname: 'mx.example.org', queue, policy: basicPolicy({ localDomains: ['example.org'] }), directory: staticDirectory({ users: [] }),
    log: nullTransportLog, postmaster: 'postmaster@example.org', pollMs: 20,
  })
  stops.push(async () => { await jc.stop(); queue.close() })
  // queued before the job controller starts: the whole backlog is there at its first scan
  for (let i = 0; i < messages; i++) {
    const m = await queue.begin()
    await queue.write(m, Buffer.from(`Subject: ${i}\r\n\r\nbody\r\n`))
    await queue.commit(m, [{ channel, sourceChannel: 'tcp_local', from: 'a@remote.test', created: Date.now(), recipients: [{ to: `u${i}@example.org`, origTo: `u${i}@example.org` }] }])
  }
  await jc.start()
  const t0 = Date.now()
  while (r.delivered < messages || queue.index.count() > 0) {
    if (Date.now() - t0 > 10_000) throw new Error(`delivered ${r.delivered} of ${messages}`)
    await new Promise((res) => setTimeout(res, 10))
  }
  return r
}

describe('service jobs per channel (filesperjob, maxjobs)', () => {
  it('by default one job at a time: what is queued meanwhile goes in the next job', async () => {
    const r = await run('ims-ms', { 'channel:ims-ms.maxjobs': 2, 'channel:ims-ms.batch': 4 }, 12)
    expect(r.maxActive).toBe(1)
    expect(r.jobSizes).toEqual([4, 4, 4])
  })

  it('filesperjob N: another job per N queued entries, never more than maxjobs', async () => {
    // 20 queued, 4 per job: the 1st job leaves 16 > 5, the 2nd 12 > 10, the 3rd would need 8 > 15
    const r = await run('ims-ms', { 'channel:ims-ms.maxjobs': 5, 'channel:ims-ms.filesperjob': 5, 'channel:ims-ms.batch': 4 }, 20)
    expect(r.maxActive).toBe(3)
    const capped = await run('ims-ms', { 'channel:ims-ms.maxjobs': 2, 'channel:ims-ms.filesperjob': 1, 'channel:ims-ms.batch': 2 }, 12)
    expect(capped.maxActive).toBe(2)
  })

  it('an SMTP channel starts jobs up to maxjobs as mail waits', async () => {
    const r = await run('tcp_local', { 'channel:tcp_local.maxjobs': 3, 'channel:tcp_local.batch': 2 }, 12)
    expect(r.maxActive).toBe(3)
  })
})
