// logs.* — the console's mail.log viewer (issue 5 §8 "the console and imsimta read logs through"
// the parser; issue 6 §2 "log lines"): newest first across mail.log_current, _yesterday and the
// cumulative mail.log, with a cap on the bytes read per call and a cursor to continue (spec 01 §22).
// Domain administrators see only message records whose envelope from or to is in their domains;
// connection records (no addresses) are for global administrators and auditors.
import { z } from 'zod'
import type { ApiContext } from '../context.js'
import { apiError } from '../errors.js'
import { procedure, router } from '../trpc.js'
import type { LogRecordRow, MailLogPort } from '../types.js'
import { queueScope } from './queue.js'

/** Bytes one call may read (a page that runs out says so and returns the cursor to go on). */
export const LOG_SCAN_BYTES = 8 * 1024 * 1024

const isoDate = z.string().max(40).refine((s) => !Number.isNaN(Date.parse(s)), 'not a date (ISO 8601)')

function logPort(ctx: ApiContext): MailLogPort {
  const p = ctx.deps.mailLog
  if (!p) throw apiError('PRECONDITION_FAILED', 'this server has no mail.log to show')
  return p
}

export const logsRouter = router({
  search: procedure
    .meta({ perm: 'logs.read' })
    .input(z.object({
      since: isoDate.optional(),
      until: isoDate.optional(),
      /** Action codes (Table 17-2 / 17-4): E D Q R J K W Z V B S P, connection O C T U X Y I. */
      actions: z.array(z.string().regex(/^[BDEJKPQRSVWZCOTUXYI]$/, 'not an action code')).max(20).optional(),
      channel: z.string().trim().max(64).optional(),
      address: z.string().trim().max(320).optional(),
      messageId: z.string().trim().max(998).optional(),
      kind: z.enum(['message', 'connection']).optional(),
      /** `connection` reads connection.log_current… (only written with SEPARATE_CONNECTION_LOG). */
      file: z.enum(['mail', 'connection']).optional(),
      cursor: z.string().max(200).optional(),
      limit: z.number().int().min(1).max(500).optional(),
    }).optional())
    .query(async ({ ctx, input }): Promise<{ items: LogRecordRow[]; nextCursor?: string; scanned: number; budgetExhausted: boolean }> => {
      const q = input ?? {}
      const scope = await queueScope(ctx)
      const file = q.file ?? 'mail'
      if (scope && (file === 'connection' || q.kind === 'connection')) {
        throw apiError('FORBIDDEN', 'connection records carry no addresses; only global administrators and auditors read them')
      }
      const since = q.since ? Date.parse(q.since) : undefined
      const until = q.until ? Date.parse(q.until) : undefined
      if (since !== undefined && until !== undefined && since > until) throw apiError('BAD_REQUEST', 'the start is after the end', { since: 'after the end' })
      try {
        return await logPort(ctx).search({
          ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}),
          ...(q.actions?.length ? { actions: q.actions } : {}), ...(q.channel ? { channel: q.channel } : {}),
          ...(q.address ? { address: q.address } : {}), ...(q.messageId ? { messageId: q.messageId } : {}),
          ...(q.kind ? { kind: q.kind } : {}),
        }, scope, { limit: q.limit ?? 100, maxBytes: LOG_SCAN_BYTES, file, ...(q.cursor ? { cursor: q.cursor } : {}) })
      } catch (e) {
        if ((e as Error).message === 'invalid cursor') throw apiError('BAD_REQUEST', 'invalid cursor', { cursor: 'invalid cursor' })
        throw e
      }
    }),

  /** What the log viewer can offer: whether connection records have their own file. */
  info: procedure
    .meta({ perm: 'logs.read' })
    .query(({ ctx }): { separateConnectionLog: boolean } => ({ separateConnectionLog: logPort(ctx).separateConnectionLog() })),
})
