// The dispatcher hands store-bound mail to the job controller whole (queue/handoff.ts, D28):
// delivered without ever getting an index row; a delivery that fails for now becomes an ordinary
// queue entry, retried from the index with the manual's Q record and attempt count.
import { afterEach, describe, expect, it } from 'vitest'
import { startMta, swaks, waitFor, type Mta } from './harness.js'

describe('dispatcher → job controller hand-off', () => {
  let mta: Mta | undefined
  afterEach(async () => { await mta?.stop(); mta = undefined })

  it('mail for local users is delivered without an index row, each message once', async () => {
    mta = await startMta()
    const m = mta
    await waitFor(() => m.queue.handsOff('ims-ms'), 'hand-off connected')
    const sent = await Promise.all(Array.from({ length: 12 }, (_, i) =>
      swaks(['--server', `127.0.0.1:${m.ports.SMTP}`, '--from', 'someone@remote.test', '--to', i % 2 ? 'joe@example.org' : 'ann@example.org', '--h-Subject', `handoff ${i}`])))
    for (const r of sent) expect(r.out).toMatch(/<-\s+250 2\.5\.0 Ok/)
    await waitFor(() => m.inbox('joe') === 6 && m.inbox('ann') === 6, 'all 12 delivered')
    await waitFor(() => m.queue.pendingCount() === 0, 'nothing pending')
    expect(m.queue.handoffStats).toEqual({ handedOff: 12, settled: 12, orphaned: 0 })
    expect(m.queue.index.count()).toBe(0)
    await waitFor(() => m.mailLog().match(/ ims-ms D /g)?.length === 12, 'twelve D records')
  })

  it('a store delivery that fails is indexed and handled from the queue: Q and attempt 1 for now, R for good', async () => {
    // joe's quota holds one of these messages: the second one is over it (4.2.2 within the grace
    // period), a message larger than the whole quota fails for good (5.2.2)
    mta = await startMta({ config: { 'store.defaultmailboxquota': '4000' } })
    const m = mta
    await waitFor(() => m.queue.handsOff('ims-ms'), 'hand-off connected')
    const send = (subject: string, lines: number) => swaks(['--server', `127.0.0.1:${m.ports.SMTP}`, '--from', 'someone@remote.test', '--to', 'joe@example.org',
      '--h-Subject', subject, '--body', `${'x'.repeat(78)}\n`.repeat(lines)])
    expect((await send('fits', 30)).out).toMatch(/<-\s+250 2\.5\.0 Ok/)
    await waitFor(() => m.inbox('joe') === 1, 'first delivered')
    expect((await send('over', 30)).out).toMatch(/<-\s+250 2\.5\.0 Ok/)
    await waitFor(() => / ims-ms Q /.test(m.mailLog()), 'Q record')
    // (the Q record is written before the entry is requeued: writer.ts)
    await waitFor(() => m.queue.index.list({})[0]?.attempts === 1, 'requeued')
    const [row] = m.queue.index.list({})
    expect(row.channel).toBe('ims-ms')
    expect(row.attempts).toBe(1)
    expect(row.last_error).toMatch(/^4\.2\.2/)
    expect((await send('too big', 70)).out).toMatch(/<-\s+250 2\.5\.0 Ok/)
    await waitFor(() => / ims-ms R .* 5\.2\.2 /.test(m.mailLog()), 'R record')
    expect(m.queue.handoffStats).toEqual({ handedOff: 3, settled: 3, orphaned: 0 })
    expect(m.inbox('joe')).toBe(1)
    expect(m.mailLog().match(/ ims-ms D /g)).toHaveLength(1)
  })
})
