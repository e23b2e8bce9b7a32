// LMTP answers each recipient with its delivery's result (RFC 2033 §4.2, spec 01 §15, D28): the
// dispatcher's LMTP listener hands store-bound mail to the job controller asking for the results,
// and replies 250 for a delivered recipient and the store's code (452 4.2.2 over quota) for a
// refused one — which is not queued, bounced or retried by Wren: the LMTP client was told.
import { afterEach, describe, expect, it } from 'vitest'
import { startMta, swaks, waitFor, type Mta } from './harness.js'
import { RawSmtpClient } from '../../packages/mta/src/dispatcher/smtp-engine/raw-smtp-client.js'

const users = [
  { uid: 'joe', mail: 'joe@example.org', password: 'joepass' },
  { uid: 'bob', mail: 'bob@example.org', password: 'bobpass' },
  { uid: 'postmaster', mail: 'postmaster@example.org' },
]
const body = (lines: number) => `${'x'.repeat(78)}\r\n`.repeat(lines)

/** One LMTP transaction; returns the replies to each RCPT and, after DATA, to each accepted recipient. */
async function lmtp(port: number, rcpts: string[], lines = 30): Promise<{ rcpt: string[]; data: string[] }> {
  const c = await RawSmtpClient.open(port)
  try {
    expect(await c.reply()).toMatch(/^220 /)
    expect(await c.cmd('LHLO client.example.net')).toMatch(/^250[ -]/)
    expect(await c.cmd('MAIL FROM:<someone@remote.test>')).toMatch(/^250 /)
    const rcpt: string[] = []
    for (const r of rcpts) rcpt.push(await c.cmd(`RCPT TO:<${r}>`))
    expect(await c.cmd('DATA')).toMatch(/^354 /)
    c.send(`From: someone@remote.test\r\nTo: ${rcpts.join(', ')}\r\nSubject: lmtp results\r\n\r\n${body(lines)}.\r\n`)
    const data: string[] = []
    for (const r of rcpt) if (r.startsWith('250')) data.push(await c.reply(40_000))
    await c.cmd('QUIT').catch(() => '')
    return { rcpt, data }
  } finally { c.sock.destroy() }
}

describe('LMTP per-recipient delivery results', () => {
  let mta: Mta | undefined
  afterEach(async () => { await mta?.stop(); mta = undefined })

  it('answers 250 for a delivered recipient and 452 4.2.2 for one over quota, and queues nothing', async () => {
    // bob's quota holds one of these messages: the second is over it (4.2.2 within the grace period)
    mta = await startMta({ users, config: { 'store.defaultmailboxquota': '4000' } })
    const m = mta
    await waitFor(() => m.queue.handsOff('ims-ms'), 'hand-off connected')
    const first = await swaks(['--server', `127.0.0.1:${m.ports.SMTP}`, '--from', 'someone@remote.test', '--to', 'bob@example.org',
      '--h-Subject', 'fills the quota', '--body', `${'x'.repeat(78)}\n`.repeat(30)])
    expect(first.out).toMatch(/<-\s+250 2\.5\.0 Ok/)
    await waitFor(() => m.inbox('bob') === 1, 'first message delivered')
    await waitFor(() => m.queue.pendingCount() === 0, 'nothing pending')

    const r = await lmtp(m.ports.LMTP, ['joe@example.org', 'bob@example.org'])
    expect(r.rcpt.every((x) => x.startsWith('250'))).toBe(true)
    expect(r.data).toHaveLength(2)
    expect(r.data[0]).toMatch(/^250 2\.\d\.\d /)
    expect(r.data[1]).toMatch(/^452 4\.2\.2 .*over quota/i)

    expect(m.queue.pendingCount()).toBe(0)
    expect(m.queue.index.count()).toBe(0)
    expect(m.inbox('joe')).toBe(1)
    expect(m.inbox('bob')).toBe(1)
    const log = m.mailLog()
    expect(log).toMatch(/ ims-ms D .*joe@example\.org/)
    expect(log).toMatch(/ tcp_lmtpss ims-ms JL? .*bob@example\.org.*452 4\.2\.2 Mailbox is over quota/)
    // no Q/R/DSN for bob: the LMTP client owns the refusal
    expect(log).not.toMatch(/ ims-ms [QRZ]\S* /)
    expect(m.queue.handoffStats).toMatchObject({ orphaned: 0 })
    // nothing comes later either (no retry, no bounce to the sender)
    await new Promise((res) => setTimeout(res, 600))
    expect(m.queue.pendingCount()).toBe(0)
    expect(m.mailLog()).not.toMatch(/ ims-ms [QRZ]\S* /)
  })

  it('answers 552 5.2.2 for a message larger than the whole quota (permanent), with no bounce', async () => {
    mta = await startMta({ users, config: { 'store.defaultmailboxquota': '4000' } })
    const m = mta
    await waitFor(() => m.queue.handsOff('ims-ms'), 'hand-off connected')
    const r = await lmtp(m.ports.LMTP, ['joe@example.org'], 70)
    expect(r.data).toHaveLength(1)
    expect(r.data[0]).toMatch(/^552 5\.2\.2 /)
    expect(m.queue.pendingCount()).toBe(0)
    expect(m.inbox('joe')).toBe(0)
    const log = m.mailLog()
    expect(log).not.toMatch(/ ims-ms [QRD]\S* /)
    expect(log).toMatch(/ tcp_lmtpss ims-ms JL? .*joe@example\.org.*552 5\.2\.2 /)
  })

  it('without the hand-off (job controller gone) answers 250 queued and the queue handles the recipient as before', async () => {
    mta = await startMta({ users, config: { 'store.defaultmailboxquota': '4000' } })
    const m = mta
    await waitFor(() => m.queue.handsOff('ims-ms'), 'hand-off connected')
    m.queue.detachHandoff()
    const r = await lmtp(m.ports.LMTP, ['joe@example.org'])
    expect(r.data).toHaveLength(1)
    expect(r.data[0]).toMatch(/^250 2\.5\.0 Ok, queued as /)
    await waitFor(() => m.inbox('joe') === 1, 'delivered from the queue')
    await waitFor(() => m.queue.pendingCount() === 0, 'nothing pending')
  })

  it('a result that comes after the session gave up waiting: answered 250 queued, the refused recipient is queued, nobody delivered twice', async () => {
    mta = await startMta({ users, config: { 'store.defaultmailboxquota': '4000' } })
    const m = mta
    await waitFor(() => m.queue.handsOff('ims-ms'), 'hand-off connected')
    await swaks(['--server', `127.0.0.1:${m.ports.SMTP}`, '--from', 'someone@remote.test', '--to', 'bob@example.org', '--body', `${'x'.repeat(78)}\n`.repeat(30)])
    await waitFor(() => m.inbox('bob') === 1, 'first message delivered')
    // (the session's wait ends at once: the job controller's result always comes too late)
    const ledger = (m.queue as unknown as { handoff: { resultTimeoutMs: number } }).handoff
    ledger.resultTimeoutMs = 0
    const r = await lmtp(m.ports.LMTP, ['joe@example.org', 'bob@example.org'])
    expect(r.data).toHaveLength(2)
    for (const d of r.data) expect(d).toMatch(/^250 2\.5\.0 Ok, queued as /)
    await waitFor(() => / ims-ms Q\S* .*bob@example\.org/.test(m.mailLog()), 'bob queued for a retry (Q)')
    await waitFor(() => m.queue.index.list({})[0]?.attempts === 1, 'requeued')
    expect(m.inbox('joe')).toBe(1)
    expect(m.inbox('bob')).toBe(1)
    expect(m.mailLog().match(/ ims-ms D\S* .*joe@example\.org/g)).toHaveLength(1)
    expect(m.mailLog()).not.toMatch(/ J\S* .*bob@example\.org/)
  })
})
