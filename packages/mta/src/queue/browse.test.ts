// The queue viewer's scoped queries (browse.ts): both strategies (small scope → index OR + sort,
// big scope → ordered walk of entry_created) give the same pages, keyset pages never skip or
// repeat an entry, counts stop at their cap, and totals match qm summarize's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { QueueIndex } from './index-db.js'
import { countEntries, explainPage, keysInScope, matchingKeys, pageEntries, summarizeChannels } from './browse.js'

describe('queue browse queries', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wren-browse-'))
  let ix: QueueIndex
  const N = 6000
  const t0 = 1_700_000_000_000

  beforeAll(() => {
    ix = new QueueIndex(join(dir, 'idx.sqlite'))
    const items = []
    for (let i = 0; i < N; i++) {
      // big.test: every 2nd entry's recipient; small.test: 5 senders; same `created` for pairs (ties broken by key)
      const to = i % 2 ? `u${i}@big.test` : `u${i}@other.test`
      const from = i % 1200 === 7 ? `s${i}@small.test` : `s${i}@remote.test`
      items.push({ key: `k${String(i).padStart(6, '0')}.01`, dir: '', attempts: i % 3, held: i % 10 === 0, env: { id: `k${i}`, channel: i % 4 ? 'tcp_local' : 'ims-ms', sourceChannel: 'tcp_local', from, created: t0 + Math.floor(i / 2) * 1000, size: 100 + i, recipients: [{ to, origTo: to }] } })
    }
    ix.insert(items)
  })
  afterAll(() => { ix.close(); rmSync(dir, { recursive: true, force: true }) })

  const all = (scope: string[] | null, filter = {}, order: 'oldest' | 'newest' = 'oldest', limit = 700) => {
    const out: string[] = []
    let cursor: { created: number; key: string } | undefined
    for (;;) {
      const page = pageEntries(ix, filter, scope, { order, limit, ...(cursor ? { cursor } : {}) })
      out.push(...page.map((r) => r.key))
      if (page.length < limit) return out
      const last = page[page.length - 1]!
      cursor = { created: last.created, key: last.key }
    }
  }

  it('walks the age index for a big scope and uses the domain indexes for a small one', () => {
    expect(explainPage(ix, {}, ['big.test']).join(' ')).toMatch(/SCAN e USING (COVERING )?INDEX entry_created/)
    expect(explainPage(ix, {}, ['small.test']).join(' ')).toMatch(/entry_sender_domain/)
    expect(explainPage(ix, {}, null).join(' ')).not.toMatch(/TEMP B-TREE/)
  })

  it('pages through every scoped entry once, in age order, both ways', () => {
    const big = all(['big.test'])
    expect(big).toHaveLength(N / 2)
    expect(new Set(big).size).toBe(N / 2)
    expect(big).toEqual([...big].sort())
    expect(all(['big.test'], {}, 'newest')).toEqual([...big].reverse())
    expect(all(['small.test'])).toEqual(['k000007.01', 'k001207.01', 'k002407.01', 'k003607.01', 'k004807.01'])
    // a filter ANDed with a big scope: the same entries a brute-force pass finds
    const expected = Array.from({ length: N }, (_, i) => i).filter((i) => (i % 2 === 1 || i % 1200 === 7) && i % 3 === 2).map((i) => `k${String(i).padStart(6, '0')}.01`)
    expect(all(['big.test', 'small.test'], { minAttempts: 2 })).toEqual(expected)
    expect(countEntries(ix, { minAttempts: 2 }, ['big.test', 'small.test'])).toBe(expected.length)
    expect(all(null, { channel: 'ims-ms' }, 'oldest', 333)).toHaveLength(N / 4)
  })

  it('counts with a cap, checks keys and lists matching keys within the scope', () => {
    expect(countEntries(ix, {}, ['big.test'])).toBe(N / 2)
    expect(countEntries(ix, {}, ['big.test'], { cap: 100 })).toBe(100)
    expect([...keysInScope(ix, ['k000001.01', 'k000002.01', 'k000007.01', 'nope.01'], ['big.test'])].sort()).toEqual(['k000001.01', 'k000007.01'])
    expect(matchingKeys(ix, { held: false }, ['small.test'], '', 10)).toEqual(['k000007.01', 'k001207.01', 'k002407.01', 'k003607.01', 'k004807.01'])
  })

  it('sums channels like qm summarize, within a scope', () => {
    const mine = summarizeChannels(ix, null)
    const ref = ix.summary()
    for (const t of mine) {
      expect(t.messages).toBe(ref.find((r) => r.channel === t.channel && r.held === 0)?.messages ?? 0)
      expect(t.held).toBe(ref.find((r) => r.channel === t.channel && r.held === 1)?.messages ?? 0)
    }
    const small = summarizeChannels(ix, ['small.test'])
    expect(small.reduce((a, t) => a + t.messages + t.held, 0)).toBe(5)
  })
})
