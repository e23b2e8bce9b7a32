import { afterEach, describe, expect, it } from 'vitest'
import { makeStore, msg } from './test-helpers.js'
import { applyRightsChange, canonicalRights, evaluateRights } from './acl.js'
import { parseQuotaValue, quotaPolicy, quotaVerdict, effectiveLimits } from './quota.js'
import { FLAG_SEEN, MailboxNotFoundError, OverQuotaError, PermissionDeniedError, type QuotaSource } from './types.js'
import { staticConfigView } from '@wren/kernel'

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}

const cleanups: Array<() => void> = []
afterEach(() => { while (cleanups.length) cleanups.pop()!() })
function setup(config = {}, quotas: Record<string, QuotaSource> = {}) {
  const s = makeStore({ config, quotaResolver: (u) => quotas[u] })
  cleanups.push(s.cleanup)
  return s
}

describe('ACL evaluation (RFC 4314, spec 03 §9)', () => {
  it('unions positive rights and subtracts negative ones', () => {
    const acl = [
      { identifier: 'anyone@example.com', rights: 'lrp' },
      { identifier: '-jsmith@example.com', rights: 'p' },
      { identifier: 'group=golf@example.com', rights: 'lwrp' },
    ]
    expect(evaluateRights(acl, { userid: 'kim@example.com' })).toBe('lrp')
    expect(evaluateRights(acl, { userid: 'jsmith@example.com' })).toBe('lr')
    expect(evaluateRights(acl, { userid: 'x@other.com' })).toBe('')
    expect(evaluateRights(acl, { userid: 'x@other.com', groups: ['golf@example.com'] })).toBe('lrwp')
  })
  it('maps legacy c/d and applies +/- changes', () => {
    expect(canonicalRights('lrswipcda')).toBe('lrswipkxtea')
    expect(applyRightsChange('lr', '+w')).toBe('lrw')
    expect(applyRightsChange('lrw', '-r')).toBe('lw')
    expect(applyRightsChange('lrw', 'i')).toBe('i')
  })
})

describe('shared folders', () => {
  it('shares a folder, lists it, enforces rights, keeps \\Seen per user (shareflags=0)', async () => {
    const { store } = setup()
    const owner = store.session('ann')
    owner.create('Team')
    await owner.append('Team', msg('t1'))
    const bob = store.session('bob')
    expect(() => bob.open({ owner: 'ann', folder: 'Team' })).toThrow(MailboxNotFoundError)
    owner.setAcl('Team', 'bob', 'lrs')
    expect(owner.getAcl('Team')).toEqual([{ identifier: 'ann', rights: 'lrswipkxtean' }, { identifier: 'bob', rights: 'lrs' }])
    const shared = bob.list({ pattern: '*', includeShared: true }).filter((e) => !e.own)
    expect(shared.map((e) => [e.owner, e.folder, e.rights])).toEqual([['ann', 'Team', 'lrs']])
    expect(bob.myRights({ owner: 'ann', folder: 'Team' })).toBe('lrs')
    await expect(bob.append({ owner: 'ann', folder: 'Team' }, msg('x'))).rejects.toThrow(PermissionDeniedError)
    const bv = bob.open({ owner: 'ann', folder: 'Team' })
    bv.storeFlags([1], { mode: 'add', flags: ['\\Seen', '\\Flagged'] }) // \Flagged needs w: ignored
    expect(bv.flags()[0].flags).toBe(FLAG_SEEN)
    const av = owner.open('Team')
    expect(av.flags()[0].flags).toBe(0)
    expect(owner.status('Team').unseen).toBe(1)
    expect(bob.status({ owner: 'ann', folder: 'Team' }).unseen).toBe(0)
    bv.close(); av.close()
    owner.setAcl('Team', 'bob', '')
    expect(bob.list({ pattern: '*', includeShared: true }).filter((e) => !e.own)).toEqual([])
  })
  it('restrictanyone forbids users (not admins) to grant anyone', () => {
    const { store } = setup({ 'store.privatesharedfolders.restrictanyone': 1, 'store.admins': 'root' })
    const s = store.session('ann')
    expect(() => s.setAcl('INBOX', 'anyone', 'lr')).toThrow(PermissionDeniedError)
    store.session('root').setAcl({ owner: 'ann', folder: 'INBOX' }, 'anyone', 'lr')
    expect(store.session('zed').myRights({ owner: 'ann', folder: 'INBOX' })).toBe('lr')
  })
  it('posting into a shared folder needs p, else the message lands in INBOX', async () => {
    const { store } = setup()
    const pub = store.session('public')
    pub.create('gardening')
    pub.setAcl('gardening', 'anyone@example.com', 'lrp')
    const a = await store.deliver({ userid: 'public', folder: 'gardening', poster: 'x@example.com' }, msg('p1'))
    const b = await store.deliver({ userid: 'public', folder: 'gardening', poster: 'x@other.com' }, msg('p2'))
    expect(a).toMatchObject({ ok: true, folder: 'gardening' })
    expect(b).toMatchObject({ ok: true, folder: 'INBOX' })
  })
})

describe('quota values and verdicts (spec 03 §4)', () => {
  it('parses compound values with binary units', () => {
    expect(parseQuotaValue('20M;#text%10M;#voice%10M;Archive%100M')).toEqual({
      limit: 20 * 1024 ** 2, types: { text: 10 * 1024 ** 2, voice: 10 * 1024 ** 2 }, folders: { Archive: 100 * 1024 ** 2 } })
    expect(parseQuotaValue('-1').limit).toBe(-1)
    expect(parseQuotaValue('-2').limit).toBe(-2)
    expect(parseQuotaValue(undefined).limit).toBe(-2)
  })
  it('defaults apply for -2/absent; -1 is unlimited', () => {
    const p = quotaPolicy(staticConfigView({ 'store.defaultmailboxquota': '1M' }))
    expect(effectiveLimits({}, p).disk).toBe(1024 ** 2)
    expect(effectiveLimits({ mailQuota: -2 }, p).disk).toBe(1024 ** 2)
    expect(effectiveLimits({ mailQuota: '-1' }, p).disk).toBe(-1)
  })
  it('decides per enforcement, grace period and overdraft', () => {
    const base = staticConfigView({ 'store.quotagraceperiod': 2 })
    const p = quotaPolicy(base)
    const limits = effectiveLimits({ mailQuota: 1000, mailMsgQuota: 10 }, p)
    const now = 10_000_000
    const v = (used: number, size: number, since: number | null, pol = p, msgs = 0) =>
      quotaVerdict({ limits, usedBytes: used, usedMsgs: msgs, size, since, now }, pol)
    expect(v(100, 100, null)).toEqual({ ok: true, warn: false })
    expect(v(800, 150, null)).toEqual({ ok: true, warn: true })
    expect(v(950, 100, null)).toEqual({ ok: false, temporary: true, reason: 'disk' })
    expect(v(950, 100, now - 3 * 3600_000)).toEqual({ ok: false, temporary: false, reason: 'disk' })
    expect(v(0, 2000, null)).toEqual({ ok: false, temporary: false, reason: 'message-too-large' })
    expect(v(0, 10, null, p, 10)).toMatchObject({ ok: false, reason: 'messages' })
    const off = quotaPolicy(staticConfigView({ 'store.quotaenforcement': 0 }))
    expect(v(950, 100, null, off).ok).toBe(true)
    expect(v(0, 2000, null, off)).toMatchObject({ ok: false, temporary: false }) // always bounces
    const od = quotaPolicy(staticConfigView({ 'store.quotaoverdraft': 1 }))
    expect(v(950, 100, null, od).ok).toBe(true) // one message may overshoot
    expect(v(1050, 10, null, od).ok).toBe(false)
  })
})

describe('quota enforcement in the store', () => {
  it('sends one warning notice when usage crosses store.quotawarn, not again within the interval', async () => {
    const { store } = setup({
      'store.quotanotification': 1,
      'store.quotaexceededmsg': 'Subject: Overquota Warning$$[ID],$$Your mailbox has exceeded [PERCENT] of its quota.$',
    }, { joe: { mailQuota: 2000 } })
    const half = Buffer.concat([msg('half'), Buffer.alloc(800, 'x')])
    expect((await store.deliver({ userid: 'joe' }, half)).ok).toBe(true) // ~45 %
    expect((await store.deliver({ userid: 'joe' }, half)).ok).toBe(true) // ~91 %: notice
    const s = store.session('joe')
    const v = s.open('INBOX')
    await waitFor(() => v.uids().length === 3)
    const notice = (await v.read(3)).toString()
    expect(notice).toMatch(/^Subject: Overquota Warning\r\n/)
    expect(notice).toContain('joe,\r\n\r\nYour mailbox has exceeded 9')
    const lastWarn = () => (store.db('joe')!.s.quotaState.get() as { last_warn: number }).last_warn
    const first = lastWarn()
    expect(first).toBeGreaterThan(0)
    v.storeFlags([2, 3], { mode: 'add', flags: ['\\Deleted'] })
    await v.expunge()
    // The decision to send is taken in the commit: crossing again within the interval sends nothing.
    expect((await store.deliver({ userid: 'joe' }, half)).ok).toBe(true)
    expect(lastWarn()).toBe(first)
    expect(v.uids().length).toBe(2)
    v.close()
  })
  it('delivery over quota: temporary within grace, permanent after; APPEND gets OVERQUOTA; usage exact', async () => {
    const big = Buffer.concat([msg('big'), Buffer.alloc(600, 'x')])
    const { store, events } = setup({ 'store.quotagraceperiod': 1 }, { joe: { mailQuota: 1000 } })
    const first = await store.deliver({ userid: 'joe' }, big)
    expect(first.ok).toBe(true)
    const second = await store.deliver({ userid: 'joe' }, big)
    expect(second).toMatchObject({ ok: false, code: 'overquota', temporary: true, enhancedStatus: '4.2.2' })
    expect(events.some((e) => e.evtType === 'OverQuota')).toBe(true)
    await expect(store.session('joe').append('INBOX', big)).rejects.toThrow(OverQuotaError)
    // Move the over-quota clock back beyond the grace period: now permanent.
    store.db('joe')!.db.prepare('UPDATE quota_state SET over_since = over_since - 7200000, warn_since = warn_since - 7200000').run()
    expect(await store.deliver({ userid: 'joe' }, big)).toMatchObject({ ok: false, temporary: false, enhancedStatus: '5.2.2' })
    // deliver -q bypasses the quota.
    expect((await store.deliver({ userid: 'joe', bypassQuota: true }, big)).ok).toBe(true)
    const rep = await store.quotaReport('joe')
    expect(rep.diskUsed).toBe(2 * big.length)
    expect(rep.msgUsed).toBe(2)
    // Expunging brings the user back under quota: the clock is reset.
    const v = store.session('joe').open('INBOX')
    v.storeFlags(Array.from(v.uids()), { mode: 'add', flags: ['\\Deleted'] })
    await v.expunge()
    v.close()
    expect((await store.quotaReport('joe')).overSince).toBeNull()
    expect(events.some((e) => e.evtType === 'UnderQuota')).toBe(true)
    expect((await store.deliver({ userid: 'joe' }, msg('small'))).ok).toBe(true)
  })
  it('a message larger than the quota always bounces, even with enforcement off', async () => {
    const { store } = setup({ 'store.quotaenforcement': 0 }, { joe: { mailQuota: 100 } })
    expect(await store.deliver({ userid: 'joe' }, msg('x', 'y'.repeat(500)))).toMatchObject({ ok: false, temporary: false, enhancedStatus: '5.2.2' })
  })
  it('message-count quota and quota roots', async () => {
    const { store } = setup({}, { joe: { mailQuota: '20M;Archive%100M', mailMsgQuota: 2 } })
    const s = store.session('joe')
    await s.append('INBOX', msg('1'))
    await s.append('INBOX', msg('2'))
    await expect(s.append('INBOX', msg('3'))).rejects.toThrow(OverQuotaError)
    const roots = await s.getQuotaRoots('INBOX')
    expect(roots).toEqual([{ root: 'user/joe', storageUsed: msg('1').length + msg('2').length, storageLimit: 20 * 1024 ** 2, messagesUsed: 2, messagesLimit: 2 }])
    expect((await s.getQuotaRoots('Archive'))[0]).toMatchObject({ root: 'user/joe/Archive', storageLimit: 100 * 1024 ** 2 })
  })
  it('a folder root covers its subfolders and does not overlap the user root', async () => {
    const big = Buffer.concat([msg('big'), Buffer.alloc(700, 'x')])
    const { store } = setup({}, { joe: { mailQuota: '1000;Archive%2000' } })
    const s = store.session('joe')
    s.create('Archive/2024')
    // The user root (1000) is nearly full, but Archive has its own 2000.
    expect((await store.deliver({ userid: 'joe' }, big)).ok).toBe(true)
    expect((await s.append('Archive/2024', big)).uid).toBe(1)
    expect((await s.append('Archive', big)).uid).toBe(1)
    await expect(s.append('Archive/2024', big)).rejects.toThrow(OverQuotaError)
    await expect(s.append('INBOX', big)).rejects.toThrow(OverQuotaError)
    // COPY is all-or-nothing against the destination's root (RFC 3501 §6.4.7).
    const v = s.open('INBOX')
    await expect(v.copy([1], 'Archive')).rejects.toThrow(OverQuotaError)
    expect(s.status('Archive').messages).toBe(1)
    v.close()
    const [inbox] = await s.getQuotaRoots('INBOX')
    expect(inbox).toMatchObject({ root: 'user/joe', storageUsed: big.length, storageLimit: 1000 })
    const [arch] = await s.getQuotaRoots('Archive/2024')
    expect(arch).toMatchObject({ root: 'user/joe/Archive', storageUsed: 2 * big.length, storageLimit: 2000, messagesUsed: 2 })
  })
})
