// bitbucket (discard, counted as delivered — and the place where internal-mode vacation replies are
// generated, delivery_options `!autoreply`, spec 01 §16) and hold (never delivered until released by
// the operator: every recipient is deferred with a long backoff).
import type { MasterProgram } from './types.js'
import { autoreplyFor, type AutoreplyDeps } from './autoreply.js'

export const bitbucketProgram: MasterProgram = {
  async deliver(items) {
    return items.map((it) => it.pending.map((idx) => ({ idx, status: 'ok' as const, statusCode: '2.0.0', diagnostic: '' })))
  },
}

/**
 * bitbucket with vacation: each recipient whose address came from a `!` delivery option gets its
 * autoreply decided and, if due, enqueued. A vacation problem never fails the (discarding) delivery.
 */
export function bitbucketProgramFor(deps: AutoreplyDeps & { onError?: (e: Error) => void }): MasterProgram {
  return {
    async deliver(items) {
      for (const it of items) for (const idx of it.pending) {
        const r = it.env.recipients[idx]
        if (!r.uid) continue
        try { await autoreplyFor(deps, it.env, it.path, r) } catch (e) { deps.onError?.(e as Error) }
      }
      return bitbucketProgram.deliver(items, undefined as never)
    },
  }
}

export const holdProgram: MasterProgram = {
  async deliver(items) {
    return items.map((it) => it.pending.map((idx) => ({ idx, status: 'temp' as const, statusCode: '4.2.1', diagnostic: '4.2.1 message held on the hold channel' })))
  },
}
