import { describe, expect, it } from 'vitest'
import { basicPolicy } from '../basic-policy.js'
import { staticDirectory } from '../ports.js'
import { expandRecipient } from './expand.js'

const vacation = { start: '20260101000000Z', end: '20260201000000Z', text: 'away' }
const dir = staticDirectory({
  users: [
    { uid: 'joe', mail: 'joe@example.org' },
    { uid: 'fwd', mail: 'fwd@example.org', deliveryOptions: ['forward'], forward: ['out@remote.net', 'joe@example.org'] },
    { uid: 'both', mail: 'both@example.org', deliveryOptions: ['mailbox', 'forward'], forward: ['out@remote.net'] },
    { uid: 'held', mail: 'held@example.org', deliveryOptions: ['hold'] },
    { uid: 'away', mail: 'away@example.org', deliveryOptions: ['mailbox', 'autoreply'], vacation },
    { uid: 'onlyar', mail: 'onlyar@example.org', deliveryOptions: ['autoreply'], vacation },
    { uid: 'none', mail: 'none@example.org', deliveryOptions: ['nomail'] },
    { uid: 'nat', mail: 'nat@example.org', deliveryOptions: ['native'] },
    { uid: 'prog', mail: 'prog@example.org', deliveryOptions: ['program', 'mailbox'] },
    { uid: 'ann@hosted.net', mail: 'ann@hosted.net' },
  ],
  groups: [{ mail: 'list@example.org', members: ['joe@example.org', 'both@example.org'] }],
})
const policy = basicPolicy({ localDomains: ['example.org', 'hosted.net'] })
const inVac = Date.UTC(2026, 0, 10), after = Date.UTC(2026, 2, 1)
const exp = async (a: string, now = inVac, deliveryOptions?: string) => {
  const r = await expandRecipient(a, policy, dir, { now, deliveryOptions })
  return r.ok ? r.items.map((i) => `${i.channel} ${i.to}${i.uid ? ` uid=${i.uid}` : ''}${i.folder ? ` folder=${i.folder}` : ''}`).sort() : `${r.code} ${r.enhanced} ${r.text}`
}

describe('local expansion through delivery_options', () => {
  it('mailbox → ims-ms with the store id and the subaddress as folder', async () => {
    expect(await exp('joe@example.org')).toEqual(['ims-ms joe@ims-ms-daemon uid=joe'])
    expect(await exp('joe+Work@example.org')).toEqual(['ims-ms joe+Work@ims-ms-daemon uid=joe folder=Work'])
    expect(await exp('ann@hosted.net')).toEqual(['ims-ms ann%hosted.net@ims-ms-daemon uid=ann@hosted.net'])
  })
  it('forward → the forwarding addresses, with a mailbox copy only when mailbox is also set', async () => {
    expect(await exp('fwd@example.org')).toEqual(['ims-ms joe@ims-ms-daemon uid=joe', 'tcp_local out@remote.net'])
    expect(await exp('both@example.org')).toEqual(['ims-ms both@ims-ms-daemon uid=both', 'tcp_local out@remote.net'])
  })
  it('hold → the hold channel (sidelined), autoreply → bitbucket only inside the vacation dates', async () => {
    expect(await exp('held@example.org')).toEqual(['hold held@example.org uid=held'])
    expect(await exp('away@example.org')).toEqual(['bitbucket away+example.org@bitbucket uid=away', 'ims-ms away@ims-ms-daemon uid=away'])
    expect(await exp('away@example.org', after)).toEqual(['ims-ms away@ims-ms-daemon uid=away'])
    // nothing applies after the vacation: accepted and discarded visibly
    expect(await exp('onlyar@example.org', after)).toEqual(['bitbucket onlyar+example.org@bitbucket uid=onlyar'])
    expect(await exp('none@example.org')).toEqual(['bitbucket none+example.org@bitbucket uid=none'])
  })
  it('an option whose channel does not exist (native) is refused; program only when configured', async () => {
    expect(await exp('nat@example.org')).toBe('550 5.3.0 no usable delivery option (native): nat@example.org')
    expect(await exp('prog@example.org')).toEqual(['ims-ms prog@ims-ms-daemon uid=prog'])
  })
  it('groups expand to members; a replaced delivery_options list is used whole', async () => {
    expect(await exp('list@example.org')).toEqual(['ims-ms both@ims-ms-daemon uid=both', 'ims-ms joe@ims-ms-daemon uid=joe', 'tcp_local out@remote.net'])
    // without a `mailbox` entry, mailbox is not a valid value any more
    expect(await exp('joe@example.org', inVac, '&members=*,#forward=**')).toBe('550 5.3.0 no usable delivery option (mailbox): joe@example.org')
    expect(await exp('joe@example.org', inVac, '*mailbox=@hold-daemon:$A')).toEqual(['hold joe@example.org uid=joe'])
    expect(await exp('joe@example.org', inVac, '/*mailbox=$M@ims-ms-daemon')).toEqual(['hold joe@ims-ms-daemon uid=joe'])
  })
})
