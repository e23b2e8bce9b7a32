// bitbucket (discard, counted as delivered) and hold (never delivered until released by the
// operator: every recipient is deferred with a long backoff).
import type { MasterProgram } from './types.js'

export const bitbucketProgram: MasterProgram = {
  async deliver(items) {
    return items.map((it) => it.pending.map((idx) => ({ idx, status: 'ok' as const, statusCode: '2.0.0', diagnostic: '' })))
  },
}

export const holdProgram: MasterProgram = {
  async deliver(items) {
    return items.map((it) => it.pending.map((idx) => ({ idx, status: 'temp' as const, statusCode: '4.2.1', diagnostic: '4.2.1 message held on the hold channel' })))
  },
}
