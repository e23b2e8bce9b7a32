'use client'
// A page's first query started while the page's JavaScript is still being evaluated, before
// hydration, the session check and the first render (issue 6: "the user list renders the first
// page of 100,000 users in under 1 s"). The page module calls `startEarly` at load time when the
// browser is on that page; the page's useQuery then takes the answer instead of sending the same
// request again once rendered. Only a head start: one-shot, thrown away after a few seconds, and any
// failure (signed out, expired session, network) falls back to the normal tRPC request, which
// reports the error the usual way.

interface Early {
  at: number
  promise: Promise<unknown>
}

const MAX_AGE_MS = 5_000
const started = new Map<string, Early>()

const keyOf = (path: string, input: unknown) => `${path}?${JSON.stringify(input ?? null)}`

/** Sends `GET /trpc/<path>?input=…` now (tRPC's non-batched query form, same origin and cookie). */
export function startEarly(path: string, input: unknown): void {
  if (typeof window === 'undefined' || typeof fetch !== 'function') return
  const key = keyOf(path, input)
  if (started.has(key)) return
  const url = `/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`
  const promise = fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } }).then(async (res) => {
    const body = (await res.json()) as { result?: { data: unknown }; error?: unknown }
    if (!res.ok || body.error !== undefined || !body.result) throw new Error(`early ${path}: ${res.status}`)
    return body.result.data
  })
  promise.catch(() => undefined) // consumed (or dropped) later; never an unhandled rejection
  started.set(key, { at: Date.now(), promise })
}

/** The early answer for exactly this query, once; undefined when none was started or it is too old. */
export function takeEarly<T>(path: string, input: unknown): Promise<T> | undefined {
  const key = keyOf(path, input)
  const e = started.get(key)
  if (!e) return undefined
  started.delete(key)
  return Date.now() - e.at <= MAX_AGE_MS ? (e.promise as Promise<T>) : undefined
}

/** Query options whose first fetch uses the early answer when there is one (then the normal fetch on failure). */
export function withEarly<O extends { queryFn?: unknown }>(opts: O, path: string, input: unknown): O {
  const base = opts.queryFn as ((ctx: unknown) => Promise<unknown>) | undefined
  if (!base) return opts
  return {
    ...opts,
    queryFn: (ctx: unknown) => {
      const early = takeEarly(path, input)
      return early ? early.catch(() => base(ctx)) : base(ctx)
    },
  }
}
