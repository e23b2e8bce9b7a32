// queue.* — the console's queue viewer over the MTA's own queue operations (issue 5 §4, issue 6 §2;
// `imsimta qm` semantics, spec 02 §3): per-channel summary, filtered age-ordered cursor pages, one
// entry's envelope and headers, and hold / release / retry / delete / return over a list of keys or
// everything matching a filter. A delegated domain administrator sees and acts only on entries
// whose sender or a recipient is in one of their domains: the scope is part of every SQL query and
// is re-checked per key; a filter naming another hosted domain is FORBIDDEN.
import { z } from 'zod'
import type { ApiContext } from '../context.js'
import { apiError } from '../errors.js'
import { audit, sess } from '../helpers.js'
import { visibleDomains } from '../rbac.js'
import { procedure, router } from '../trpc.js'
import type { QueueAction, QueueBulkResult, QueueChannelSummary, QueueEntryDetail, QueueEntryRow, QueueFilterInput, QueuePort } from '../types.js'

const addr = z.string().trim().max(320)
export const queueFilterSchema = z.object({
  channel: z.string().trim().max(64).regex(/^[a-z0-9_.-]*$/i, 'not a channel name').optional(),
  /** Exact address or `*`-glob; `<>` = the null sender (notifications). */
  sender: addr.optional(),
  recipient: addr.optional(),
  /** Recipient domain. */
  domain: z.string().trim().toLowerCase().max(253).regex(/^[a-z0-9.-]*$/, 'not a domain name').optional(),
  /** Seconds. */
  olderThan: z.number().int().min(0).max(10 * 365 * 86400).optional(),
  newerThan: z.number().int().min(0).max(10 * 365 * 86400).optional(),
  minAttempts: z.number().int().min(0).max(10_000).optional(),
  maxAttempts: z.number().int().min(0).max(10_000).optional(),
  error: z.string().trim().max(200).optional(),
  held: z.boolean().optional(),
})

const keySchema = z.string().regex(/^[0-9a-z]+\.\d{2}$/, 'not a queue key (id.nn)')

const actionInput = z.object({
  /** Exactly one of `keys` and `filter`: these entries, or everything matching (ANDed with your scope). */
  keys: z.array(keySchema).min(1).max(10_000).optional(),
  filter: queueFilterSchema.optional(),
  /** Required for delete and return. */
  confirm: z.boolean().optional(),
}).refine((v) => (v.keys ? 1 : 0) + (v.filter ? 1 : 0) === 1, { message: 'give either keys or a filter', path: ['keys'] })

export function queuePort(ctx: ApiContext): QueuePort {
  const p = ctx.deps.queue
  if (!p) throw apiError('PRECONDITION_FAILED', 'this server has no MTA queue to show')
  return p
}

/** The caller's scope: `null` for global administrators and auditors, else their domains and those domains' aliases. */
export async function queueScope(ctx: ApiContext): Promise<string[] | null> {
  const v = visibleDomains(sess(ctx))
  if (!v) return null
  const out = new Set(v)
  for (const d of v) {
    const dom = await ctx.deps.directory.getDomain(d).catch(() => undefined)
    for (const a of dom?.aliases ?? []) out.add(a.toLowerCase())
  }
  return [...out]
}

/**
 * A domain administrator's `domain` filter (recipient domain) must be one of theirs when it names
 * another hosted domain: FORBIDDEN, as every other procedure answers for a foreign domain. An
 * external domain is fine (their users' outbound mail to it); the scope still applies.
 */
async function checkFilter(ctx: ApiContext, scope: string[] | null, f: QueueFilterInput | undefined): Promise<void> {
  const dom = f?.domain?.toLowerCase()
  if (!scope || !dom || scope.includes(dom)) return
  const hosted = await ctx.deps.directory.getDomain(dom).catch(() => undefined)
  if (hosted) throw apiError('FORBIDDEN', `you do not administer the domain ${dom}`, { domain: `you do not administer the domain ${dom}` })
}

const CONFIRM_NEEDED = 'this removes messages from the queue; send confirm: true'

function actionProcedure(action: QueueAction) {
  return procedure
    .meta({ perm: 'queue.write' })
    .input(actionInput)
    .mutation(async ({ ctx, input }): Promise<QueueBulkResult> => {
      const port = queuePort(ctx)
      if ((action === 'delete' || action === 'return') && input.confirm !== true) throw apiError('BAD_REQUEST', CONFIRM_NEEDED, { confirm: CONFIRM_NEEDED })
      const scope = await queueScope(ctx)
      await checkFilter(ctx, scope, input.filter)
      const keys = input.keys ? [...new Set(input.keys)] : undefined
      if (keys && scope) {
        // Re-checked per key: one entry outside the administrator's domains refuses the whole request.
        const ok = port.inScope(keys, scope)
        const foreign = keys.filter((k) => !ok.has(k) && port.inScope([k], null).has(k))
        if (foreign.length) throw apiError('FORBIDDEN', `${foreign.length} of the entries (${foreign.slice(0, 3).join(', ')}) are not in your domains`)
      }
      const res = await port.act(action, keys ? { keys } : { filter: input.filter! }, scope)
      await audit(ctx, {
        action: `queue.${action}`,
        target: keys ? (keys.length === 1 ? keys[0]! : `${keys.length} entries`) : 'filter',
        domain: input.filter?.domain ?? scope?.[0] ?? '',
        diff: [
          { field: keys ? 'keys' : 'filter', before: null, after: keys ? keys.slice(0, 100) : input.filter },
          { field: 'matched', before: null, after: res.matched },
          { field: 'changed', before: null, after: res.changed },
          { field: 'skipped', before: null, after: res.skipped },
        ],
      })
      return res
    })
}

export const queueRouter = router({
  summary: procedure
    .meta({ perm: 'queue.read' })
    .query(async ({ ctx }): Promise<{ channels: QueueChannelSummary[] }> => ({ channels: queuePort(ctx).summary(await queueScope(ctx)) })),

  list: procedure
    .meta({ perm: 'queue.read' })
    .input(z.object({
      filter: queueFilterSchema.optional(),
      order: z.enum(['oldest', 'newest']).optional(),
      cursor: z.string().max(400).optional(),
      limit: z.number().int().min(1).max(500).optional(),
    }).optional())
    .query(async ({ ctx, input }): Promise<{ items: QueueEntryRow[]; nextCursor?: string; total: number; totalCapped: boolean }> => {
      const q = input ?? {}
      const scope = await queueScope(ctx)
      await checkFilter(ctx, scope, q.filter)
      try {
        return queuePort(ctx).list(q.filter ?? {}, scope, { limit: q.limit ?? 50, order: q.order ?? 'oldest', ...(q.cursor ? { cursor: q.cursor } : {}) })
      } catch (e) {
        if ((e as Error).message === 'invalid cursor') throw apiError('BAD_REQUEST', 'invalid cursor', { cursor: 'invalid cursor' })
        throw e
      }
    }),

  /** The exact number of entries a filter matches (for "Hold 12,345 matching messages?"). */
  count: procedure
    .meta({ perm: 'queue.read' })
    .input(z.object({ filter: queueFilterSchema.optional() }).optional())
    .query(async ({ ctx, input }): Promise<{ count: number }> => {
      const scope = await queueScope(ctx)
      await checkFilter(ctx, scope, input?.filter)
      return { count: queuePort(ctx).count(input?.filter ?? {}, scope) }
    }),

  get: procedure
    .meta({ perm: 'queue.read' })
    .input(z.object({ key: keySchema }))
    .query(async ({ ctx, input }): Promise<QueueEntryDetail> => {
      const port = queuePort(ctx)
      const scope = await queueScope(ctx)
      const d = await port.get(input.key, scope)
      if (d) return d
      if (scope && port.inScope([input.key], null).has(input.key)) throw apiError('FORBIDDEN', `the entry ${input.key} is not in your domains`)
      throw apiError('NOT_FOUND', `no queue entry ${input.key} (delivered or removed)`)
    }),

  hold: actionProcedure('hold'),
  release: actionProcedure('release'),
  retry: actionProcedure('retry'),
  delete: actionProcedure('delete'),
  return: actionProcedure('return'),
})
