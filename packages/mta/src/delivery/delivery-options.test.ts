import { describe, expect, it } from 'vitest'
import { DEFAULT_DELIVERY_OPTIONS, entryApplies, generalizedTime, parseDeliveryOptions, selectEntry, splitSourceRoute, substituteTemplate } from './delivery-options.js'

describe('delivery_options (spec 01 §16)', () => {
  const entries = parseDeliveryOptions(DEFAULT_DELIVERY_OPTIONS)
  it('parses the default list with its prefixes', () => {
    expect(entries.map((e) => e.name)).toEqual(['mailbox', 'members', 'native', 'hold', 'unix', 'file', 'members_offline', 'program', 'forward', 'autoreply', 'nomail'])
    const ar = selectEntry(entries, 'AutoReply', 'user')!
    expect([ar.users, ar.groups, ar.vacationInclusive, ar.autoreply, ar.template]).toEqual([true, false, true, true, '$M+$D@bitbucket'])
    expect(selectEntry(entries, 'members', 'user')).toBeUndefined() // & = groups only
    expect(selectEntry(entries, 'mailbox', 'group')).toBeUndefined() // * = users only
    const fwd = selectEntry(entries, 'forward', 'group')!
    expect([fwd.users, fwd.groups, fwd.mailhostIndependent, fwd.template]).toEqual([true, true, true, '**'])
    expect(selectEntry(entries, 'hold', 'user')!.held).toBe(true)
    const nomail = selectEntry(entries, 'nomail', 'user')!
    expect([nomail.users, nomail.groups, nomail.mailhostIndependent]).toEqual([true, true, true]) // `#*&`: both
    const o = parseDeliveryOptions('$@%x=a@b, bad entry ,/y=c')
    expect(o.map((e) => [e.name, e.deferred, e.reprocess, e.vacationExclusive])).toEqual([['x', true, true, true], ['y', false, false, false]])
  })

  it('substitutes $M, $2I (drops the % when not hosted), $2S (drops the + without a subaddress), case controls', () => {
    const mailbox = selectEntry(entries, 'mailbox', 'user')!.template
    expect(substituteTemplate(mailbox, { A: 'joe@example.org', M: 'joe', I: '' })).toBe('joe@ims-ms-daemon')
    expect(substituteTemplate(mailbox, { A: 'joe+work@example.org', M: 'joe', I: '', S: 'Work' })).toBe('joe+Work@ims-ms-daemon')
    expect(substituteTemplate(mailbox, { A: 'ann@Hosted.Net', M: 'ann', I: 'Hosted.Net', S: 'x' })).toBe('ann%hosted.net+x@ims-ms-daemon')
    expect(substituteTemplate('$M%$\\$2I$_+$2S@ims-ms-daemon', { A: 'a@B.org', M: 'Ann', I: 'B.ORG' })).toBe('Ann%b.org@ims-ms-daemon')
    expect(substituteTemplate('@hold-daemon:$A', { A: 'joe@example.org', M: 'joe', I: '' })).toBe('@hold-daemon:joe@example.org')
    expect(substituteTemplate('$M+$D@bitbucket', { A: 'joe@example.org', M: 'joe', I: '' })).toBe('joe+example.org@bitbucket')
    expect(substituteTemplate('$^$U$_.$D$$', { A: 'joe@example.org', M: 'joe', I: '' })).toBe('JOE.example.org$')
    // $P / $F / $H without a value: the option is unusable for this recipient
    expect(substituteTemplate('$M%$P@pipe-daemon', { A: 'joe@x', M: 'joe', I: '' })).toBeUndefined()
    expect(substituteTemplate('@$X.LMTP:$M@lmtpcs-daemon', { A: 'joe@x', M: 'joe', I: '', H: 'store1' })).toBe('@store1.LMTP:joe@lmtpcs-daemon')
    expect(substituteTemplate('$Q', { A: 'joe@x', M: 'joe', I: '' })).toBeUndefined()
  })

  it('^ applies only inside the vacation dates, % only outside them', () => {
    const inc = parseDeliveryOptions('^a=x')[0], exc = parseDeliveryOptions('%a=x')[0]
    const vac = { start: '20260101000000Z', end: '20260110000000Z' }
    const inside = Date.UTC(2026, 0, 5), before = Date.UTC(2025, 11, 31)
    expect(entryApplies(inc, vac, inside)).toBe(true)
    expect(entryApplies(inc, vac, before)).toBe(false)
    expect(entryApplies(inc, {}, before)).toBe(true) // no dates: no limit
    expect(entryApplies(exc, vac, inside)).toBe(false)
    expect(entryApplies(exc, vac, before)).toBe(true)
    expect(generalizedTime('20260105123000Z')).toBe(Date.UTC(2026, 0, 5, 12, 30))
    expect(generalizedTime('soon')).toBeUndefined()
  })

  it('splits source routes', () => {
    expect(splitSourceRoute('@hold-daemon:joe@example.org')).toEqual({ route: 'hold-daemon', rest: 'joe@example.org' })
    expect(splitSourceRoute('@a,@b:joe@x')).toEqual({ route: 'a', rest: 'joe@x' })
    expect(splitSourceRoute('joe@x')).toEqual({ rest: 'joe@x' })
  })
})
