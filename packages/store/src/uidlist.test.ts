import { afterEach, describe, expect, it } from 'vitest'
import { makeStore, msg } from './test-helpers.js'
import { unpackUids } from './store.js'

const cleanups: Array<() => void> = []
afterEach(() => { while (cleanups.length) cleanups.pop()!() })
function setup() {
  const s = makeStore()
  cleanups.push(s.cleanup)
  return s
}

describe('packed uid list (SELECT of big mailboxes)', () => {
  it('unpacks big-endian uint32 BLOBs, sorting if the rows were not ascending', () => {
    expect(Array.from(unpackUids(null))).toEqual([])
    expect(Array.from(unpackUids(Buffer.from('00000001000001000001000000ffffff', 'hex')))).toEqual([1, 256, 65536, 0xffffff])
    expect(Array.from(unpackUids(Buffer.from('000000090000000200000005', 'hex')))).toEqual([2, 5, 9])
    // An unaligned view into a larger buffer still decodes.
    const big = Buffer.from('ff0000000700000008', 'hex').subarray(1)
    expect(Array.from(unpackUids(big))).toEqual([7, 8])
  })

  it('uids, \\Recent claims and the first unseen uid follow appends and expunges', async () => {
    const { store } = setup()
    const s = store.session('joe')
    for (let i = 0; i < 6; i++) await s.append('INBOX', msg(`m${i}`), { flags: i < 2 ? ['\\Seen'] : [] })
    const v = s.open('INBOX')
    expect(Array.from(v.uids())).toEqual([1, 2, 3, 4, 5, 6])
    expect(v.firstUnseenUid()).toBe(3)
    expect(v.firstUnseenUid(4)).toBe(4)
    v.storeFlags([3, 4, 5, 6], { mode: 'add', flags: ['\\Deleted'] })
    v.storeFlags([3], { mode: 'add', flags: ['\\Seen'] })
    expect(await v.expunge([3, 5])).toEqual([3, 5])
    expect(Array.from(v.uids())).toEqual([1, 2, 4, 6])
    expect(Array.from(v.claimRecentUids())).toEqual([1, 2, 4, 6])
    expect(Array.from(v.claimRecentUids())).toEqual([])
    await s.append('INBOX', msg('m7'))
    await s.append('INBOX', msg('m8'), { flags: ['\\Seen'] })
    expect(Array.from(v.uids())).toEqual([1, 2, 4, 6, 7, 8])
    expect(v.claimRecent()).toEqual([7, 8])
    v.storeFlags([4, 6, 7], { mode: 'add', flags: ['\\Seen'] })
    expect(v.firstUnseenUid()).toBe(0)
    expect(s.open('INBOX', { readOnly: true }).claimRecentUids().length).toBe(0)
    v.close()
  })

  it('the first unseen uid uses the per-user \\Seen of a shared folder (shareflags=0)', async () => {
    const { store } = setup()
    const owner = store.session('ann')
    owner.create('Team')
    for (let i = 0; i < 3; i++) await owner.append('Team', msg(`t${i}`), { flags: ['\\Seen'] })
    owner.setAcl('Team', 'bob', 'lrs')
    const bv = store.session('bob').open({ owner: 'ann', folder: 'Team' })
    expect(bv.firstUnseenUid()).toBe(1)
    bv.storeFlags([1, 2], { mode: 'add', flags: ['\\Seen'] })
    expect(bv.firstUnseenUid()).toBe(3)
    const av = owner.open('Team')
    expect(av.firstUnseenUid()).toBe(0)
    bv.close(); av.close()
  })

  it('packed flag scans merge keyword rows in uid order and match the row-by-row scan', async () => {
    const { store } = setup()
    const s = store.session('joe')
    for (let i = 0; i < 8; i++) await s.append('INBOX', msg(`k${i}`), { flags: i % 3 === 0 ? ['$Work', '\\Seen'] : i % 2 ? ['\\Flagged'] : [] })
    const v = s.open('INBOX')
    v.storeFlags([8], { mode: 'add', flags: ['$Late'] })
    const all = v.flags()
    expect(all.map((e) => e.uid)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(all.map((e) => e.keywords.join(' '))).toEqual(['$Work', '', '', '$Work', '', '', '$Work', '$Late'])
    expect(all.map((e) => e.flags & 5)).toEqual([1, 4, 0, 1, 0, 4, 1, 4])
    // Small ranges take the row-by-row path: same answer.
    const small = [...v.flags({ from: 1, to: 4 }), ...v.flags({ from: 5, to: 8 })]
    expect(small).toEqual(all)
    expect(all[7].modseq).toBeGreaterThan(all[6].modseq)
    v.close()
  })
})
