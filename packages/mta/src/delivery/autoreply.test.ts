// The bitbucket channel's vacation replies (spec 01 §16 tests), driven through a real queue.
import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { staticConfigView } from '@wren/kernel'
import { QueueStore } from '../queue/queue-store.js'
import { basicPolicy } from '../basic-policy.js'
import { staticDirectory, type TransportLogMessage, type VacationAttributes } from '../ports.js'
import type { QueueEnvelope } from '../queue/format.js'
import { bitbucketProgramFor } from './simple.js'
import { decideVacation, senderLanguages } from './vacation.js'
import { vacationVariants } from '../directory-adapter.js'

const NOW = Date.UTC(2026, 0, 10, 12)
const vac: VacationAttributes = { start: '20260101000000Z', end: '20260201000000Z', subject: 'Out of office', text: 'I am away.', textInternal: 'Back on Monday, colleague.', mode: 'reply' }

function setup(v: Partial<VacationAttributes> = {}, config: Record<string, string | number> = {}, deliveryOptions = ['mailbox', 'autoreply']) {
  const dataRoot = mkdtempSync(join(tmpdir(), 'wren-vac-'))
  const queue = new QueueStore({ dataRoot })
  const log: TransportLogMessage[] = []
  const directory = staticDirectory({ users: [
    { uid: 'joe', mail: 'joe@example.org', cn: 'Joe Bloggs', aliases: ['j.bloggs@example.org'], deliveryOptions, vacation: { ...vac, ...v } },
    { uid: 'ann', mail: 'ann@example.org', preferredLanguage: 'de' },
  ] })
  const program = bitbucketProgramFor({
    hostname: 'mx.example.org', queue, directory, dataRoot, policy: basicPolicy({ localDomains: ['example.org'] }),
    log: { message: (r) => log.push(r), connection() {} }, config: staticConfigView({ 'base.defaultdomain': 'example.org', ...config }),
    onError: (e) => { throw e },
  })
  let n = 0
  async function deliver(from: string, headers: string, opts: { to?: string } = {}) {
    const msg = Buffer.from(`${headers}\r\n\r\nbody text\r\n`)
    const path = join(dataRoot, `msg${n++}`)
    writeFileSync(path, msg)
    const env: QueueEnvelope = { id: `m${n}`, channel: 'bitbucket', sourceChannel: 'tcp_local', from, created: NOW, size: msg.length,
      recipients: [{ to: opts.to ?? 'joe+example.org@bitbucket', origTo: 'joe@example.org', uid: 'joe' }] }
    const out = await program.deliver([{ key: env.id, env, path, pending: [0] }], undefined as never)
    expect(out[0][0].status).toBe('ok')
  }
  const replies = () => queue.index.list({}).map((row) => readFileSync(queue.pathOf(row), 'utf8'))
  return { deliver, replies, log, cleanup: () => { queue.close(); rmSync(dataRoot, { recursive: true, force: true }) } }
}

const hdr = (from: string, extra = '') => `From: ${from}\r\nTo: Joe <joe@example.org>\r\nSubject: lunch?\r\nMessage-ID: <q1@remote.net>${extra}`

describe('vacation autoreply (bitbucket, internal mode)', () => {
  const done: Array<() => void> = []
  afterEach(() => { for (const d of done.splice(0)) d() })
  const realNow = Date.now
  afterEach(() => { Date.now = realNow })

  it('replies once per sender per mailAutoReplyTimeOut, with a null return path and RFC 3834 fields', async () => {
    Date.now = () => NOW
    const t = setup({ timeout: 24 }); done.push(t.cleanup)
    await t.deliver('bob@remote.net', hdr('bob@remote.net'))
    await t.deliver('bob@remote.net', hdr('bob@remote.net'))
    const r = t.replies()
    expect(r).toHaveLength(1)
    expect(r[0]).toMatch(/^From: Joe Bloggs <joe@example\.org>\r\nTo: <bob@remote\.net>\r\n/)
    expect(r[0]).toContain('Subject: Out of office')
    expect(r[0]).toContain('In-Reply-To: <q1@remote.net>')
    expect(r[0]).toContain('Auto-Submitted: auto-replied')
    expect(r[0]).toContain('I am away.')
    const e = t.log.find((l) => l.action === 'E')!
    expect([e.source, e.destination, e.from, e.to]).toEqual(['bitbucket', 'tcp_local', '', 'bob@remote.net'])
    // after the period, the same sender gets another reply
    Date.now = () => NOW + 25 * 3_600_000
    await t.deliver('bob@remote.net', hdr('bob@remote.net'))
    expect(t.replies()).toHaveLength(2)
  })

  it('mailAutoReplyTimeOut 0 and echo mode reply to every message; echo returns the original in an MDN', async () => {
    Date.now = () => NOW
    const t = setup({ timeout: 0 }); done.push(t.cleanup)
    await t.deliver('bob@remote.net', hdr('bob@remote.net'))
    await t.deliver('bob@remote.net', hdr('bob@remote.net'))
    expect(t.replies()).toHaveLength(2)
    const e = setup({ mode: 'echo', timeout: 100 }); done.push(e.cleanup)
    await e.deliver('bob@remote.net', hdr('bob@remote.net'))
    await e.deliver('bob@remote.net', hdr('bob@remote.net'))
    const r = e.replies()
    expect(r).toHaveLength(2)
    expect(r[0]).toContain('report-type=disposition-notification')
    expect(r[0]).toContain('Content-Type: message/rfc822')
    expect(r[0]).toContain('body text')
  })

  it('never to a null sender, list or bulk mail, auto-submitted mail, or when the user is not in To/Cc', async () => {
    Date.now = () => NOW
    const t = setup(); done.push(t.cleanup)
    await t.deliver('', hdr('mailer@remote.net'))
    await t.deliver('bob@remote.net', hdr('bob@remote.net', '\r\nPrecedence: bulk'))
    await t.deliver('bob@remote.net', hdr('bob@remote.net', '\r\nList-Id: <talk.remote.net>'))
    await t.deliver('bob@remote.net', hdr('bob@remote.net', '\r\nAuto-Submitted: auto-replied'))
    await t.deliver('owner-talk@remote.net', hdr('owner-talk@remote.net'))
    await t.deliver('bob@remote.net', 'From: bob@remote.net\r\nTo: everyone@remote.net\r\nSubject: x')
    expect(t.replies()).toHaveLength(0)
    // one of the user's other addresses in Cc counts (:addresses)
    await t.deliver('carol@remote.net', 'From: carol@remote.net\r\nTo: x@remote.net\r\nCc: J <j.bloggs@example.org>\r\nSubject: y')
    expect(t.replies()).toHaveLength(1)
  })

  it('honours the vacation dates, the internal text for same-domain senders, and nomail never replies', async () => {
    Date.now = () => Date.UTC(2025, 11, 20)
    const t = setup(); done.push(t.cleanup)
    await t.deliver('bob@remote.net', hdr('bob@remote.net'))
    expect(t.replies()).toHaveLength(0)
    Date.now = () => NOW
    await t.deliver('ann@example.org', hdr('ann@example.org'))
    expect(t.replies()[0]).toContain('Back on Monday, colleague.')
    const x = setup({ text: undefined, textInternal: 'internal only' }); done.push(x.cleanup)
    await x.deliver('bob@remote.net', hdr('bob@remote.net'))
    expect(x.replies()).toHaveLength(0) // externals get nothing without mailAutoReplyText
    const n = setup({}, {}, ['nomail']); done.push(n.cleanup)
    await n.deliver('bob@remote.net', hdr('bob@remote.net'))
    expect(n.replies()).toHaveLength(0) // same bitbucket address, but no `!` entry selected
  })

  it('replies in the sender\'s language: Accept-Language, Preferred-Language, X-Accept-Language, then their preferredLanguage', async () => {
    const variants = vacationVariants({
      'mailAutoReplySubject;lang-fr': ['Absent'], 'mailAutoReplyText;lang-fr': ['Je suis absent.'],
      'mailAutoReplyText;lang-de': ['Ich bin nicht da.'], 'mailAutoReplyTextInternal;lang-de': ['Zurück am Montag, Kollege.'],
      'cn;lang-fr': ['ignored'],
    })
    expect(variants).toEqual({ fr: { subject: 'Absent', text: 'Je suis absent.' }, de: { text: 'Ich bin nicht da.', textInternal: 'Zurück am Montag, Kollege.' } })
    Date.now = () => NOW
    const t = setup({ variants, timeout: 0 }); done.push(t.cleanup)
    // q-values order the ranges; fr-CA falls back to the primary tag fr; the subject comes with it
    await t.deliver('bob@remote.net', `${hdr('bob@remote.net')}\r\nAccept-Language: en;q=0.4, fr-CA;q=0.9, *;q=0.1`)
    expect(t.replies()[0]).toContain('Je suis absent.')
    expect(t.replies()[0]).toMatch(/^Subject: Absent\r?$/m)
    // no header, a directory sender with preferredLanguage de, same domain → the tagged internal text
    await t.deliver('ann@example.org', hdr('ann@example.org'))
    expect(t.replies().some((r) => r.includes('Zurück am Montag, Kollege.'))).toBe(true)
    // nothing matching (ja) → the untagged values
    await t.deliver('carl@remote.net', `${hdr('carl@remote.net')}\r\nX-Accept-Language: ja`)
    expect(t.replies().some((r) => r.includes('I am away.') && /^Subject: Out of office\r?$/m.test(r))).toBe(true)
    expect(senderLanguages('Accept-Language: da, en-gb;q=0.8, en;q=0.7\r\nPreferred-Language: fr\r\n', 'de')).toEqual(['da', 'en-gb', 'en', 'fr', 'de'])
  })

  it('the decision function mirrors the manual algorithm', () => {
    const base = { returnPath: 'bob@remote.net', headers: hdr('bob@remote.net'), userAddress: 'joe@example.org', addresses: [], vacation: vac, defaultTimeoutHours: 168, hostname: 'h', now: new Date(NOW) }
    const d = decideVacation(base)
    expect(d.reply && d.periodMs).toBe(168 * 3_600_000)
    expect(decideVacation({ ...base, returnPath: 'joe@example.org' }).reply).toBe(false)
  })
})

describe('vacation tracking under concurrency', () => {
  it('concurrent deliveries for one user claim one reply per sender', async () => {
    const { claimReply } = await import('./vacation-track.js')
    const dataRoot = mkdtempSync(join(tmpdir(), 'wren-vtrack-'))
    try {
      const o = { dataRoot }
      const got = await Promise.all(Array.from({ length: 8 }, () => claimReply(o, 'joe', 'Bob@remote.net', 'h1', 3_600_000)))
      expect(got.filter(Boolean)).toHaveLength(1)
      expect(await claimReply(o, 'joe', 'carol@remote.net', 'h1', 3_600_000)).toBe(true)
      expect(await claimReply(o, 'joe', 'bob@remote.net', 'h2', 3_600_000)).toBe(true) // another reason text
    } finally { rmSync(dataRoot, { recursive: true, force: true }) }
  })
})
