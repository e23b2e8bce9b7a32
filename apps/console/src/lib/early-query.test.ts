import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { startEarly, takeEarly, withEarly } from './early-query'

// startEarly runs only in a browser: give the module a window and a fetch that records its calls.
const calls: string[] = []
let answer: () => Promise<Response>
beforeEach(() => {
  calls.length = 0
  vi.stubGlobal('window', {})
  vi.stubGlobal('fetch', (url: string) => { calls.push(url); return answer() })
})
afterEach(() => { vi.unstubAllGlobals(); vi.useRealTimers() })

const ok = (data: unknown) => () => Promise.resolve(new Response(JSON.stringify({ result: { data } }), { status: 200 }))

describe('early queries', () => {
  it('sends tRPC\'s non-batched GET once and hands its answer to the matching query, once', async () => {
    answer = ok({ items: [1] })
    startEarly('users.list', { sort: 'uid', limit: 50 })
    startEarly('users.list', { sort: 'uid', limit: 50 })
    expect(calls).toEqual([`/trpc/users.list?input=${encodeURIComponent('{"sort":"uid","limit":50}')}`])
    expect(takeEarly('users.list', { sort: 'cn', limit: 50 })).toBeUndefined()
    await expect(takeEarly('users.list', { sort: 'uid', limit: 50 })).resolves.toEqual({ items: [1] })
    expect(takeEarly('users.list', { sort: 'uid', limit: 50 })).toBeUndefined()
  })

  it('withEarly: the first fetch uses the early answer, a failed one falls back to the normal fetch', async () => {
    const base = vi.fn(async (_ctx: unknown) => 'normal')
    answer = ok('early')
    startEarly('a.b', { n: 1 })
    const opts = withEarly({ queryFn: base }, 'a.b', { n: 1 })
    await expect(opts.queryFn(undefined)).resolves.toBe('early')
    await expect(opts.queryFn(undefined)).resolves.toBe('normal') // one-shot
    answer = () => Promise.resolve(new Response(JSON.stringify({ error: { message: 'UNAUTHORIZED' } }), { status: 401 }))
    startEarly('a.b', { n: 2 })
    await expect(withEarly({ queryFn: base }, 'a.b', { n: 2 }).queryFn(undefined)).resolves.toBe('normal')
    expect(base).toHaveBeenCalledTimes(2)
  })

  it('an answer older than a few seconds is not used', () => {
    vi.useFakeTimers()
    answer = ok('old')
    startEarly('c.d', undefined)
    vi.advanceTimersByTime(6_000)
    expect(takeEarly('c.d', undefined)).toBeUndefined()
  })
})
