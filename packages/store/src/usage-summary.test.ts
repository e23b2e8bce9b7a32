import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { MboxList } from './mboxlist.js'
import { mboxlistPathOf, UsageSummary } from './usage-summary.js'

const roots: string[] = []
afterEach(() => { for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true }) })

function fixture(): { root: string; list: MboxList } {
  const root = mkdtempSync(join(tmpdir(), 'wren-usage-'))
  roots.push(root)
  const list = new MboxList(mboxlistPathOf(root))
  // bare uids belong to the default domain (spec 03 §2); an '@' in the uid part is kept
  const rows: Array<[string, number, number]> = [['joe', 1000, 2], ['ann@a.test', 9000, 1], ['bob@a.test', 500, 50], ['x@y@B.test', 7, 7], ['cat@a_test', 1, 1]]
  for (const [id, bytes, msgs] of rows) { list.addUser(id, 'primary'); list.setUsage(id, bytes, msgs) }
  return { root, list }
}

describe('UsageSummary (read-only view of the mailbox list)', () => {
  it('totals per domain in one query, the default domain holding the bare uids', () => {
    const { root, list } = fixture()
    const s = new UsageSummary(mboxlistPathOf(root))
    expect(Object.fromEntries(s.byDomain('Def.test'))).toEqual({
      'def.test': { users: 1, bytes: 1000, messages: 2 },
      'a.test': { users: 2, bytes: 9500, messages: 51 },
      'b.test': { users: 1, bytes: 7, messages: 7 },
      a_test: { users: 1, bytes: 1, messages: 1 },
    })
    expect(s.domain('a.test', 'def.test')).toEqual({ users: 2, bytes: 9500, messages: 51 }) // '_' is no wildcard
    expect(s.domain('def.test', 'def.test')).toEqual({ users: 1, bytes: 1000, messages: 2 })
    // it reads what the store writes, as it writes it
    list.setUsage('joe', 5000, 3)
    expect(s.domain('def.test', 'def.test').bytes).toBe(5000)
    s.close()
    list.close()
  })

  it('top users against one pair of limits, by the larger share, within the given domains', () => {
    const { root, list } = fixture()
    const s = new UsageSummary(mboxlistPathOf(root))
    expect(s.topByUsage(2, { disk: 10_000, msgs: 100 }, null, 'def.test').map((u) => u.userid)).toEqual(['ann@a.test', 'bob@a.test'])
    expect(s.topByUsage(5, { disk: -1, msgs: 100 }, ['a.test', 'def.test'], 'def.test').map((u) => u.userid)).toEqual(['bob@a.test', 'joe', 'ann@a.test'])
    expect(s.topByUsage(5, { disk: -1, msgs: -1 }, null, 'def.test')).toEqual([])
    expect(s.usersById(['joe', 'nobody'])).toEqual([{ userid: 'joe', bytes: 1000, messages: 2 }])
    s.close()
    list.close()
  })

  it('a store without a mailbox list yet has no usage', () => {
    const root = mkdtempSync(join(tmpdir(), 'wren-usage-'))
    roots.push(root)
    const s = new UsageSummary(mboxlistPathOf(root))
    expect(s.users()).toEqual([])
    expect(s.byDomain('d.test').size).toBe(0)
    expect(s.domain('d.test', 'd.test')).toEqual({ users: 0, bytes: 0, messages: 0 })
  })
})
