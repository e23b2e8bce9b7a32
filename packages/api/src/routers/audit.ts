// audit.list — the audit log (issue 6 §6): every administrative change with actor, role, action,
// target, time, source address and field-level before/after. Domain administrators see only entries
// about their domains.
import { z } from 'zod'
import { sess } from '../helpers.js'
import { visibleDomains } from '../rbac.js'
import { procedure, router } from '../trpc.js'
import type { AuditRow } from '../types.js'

const isoDate = z.string().max(40).refine((s) => !Number.isNaN(Date.parse(s)), 'not a date (ISO 8601)')

export const auditRouter = router({
  list: procedure
    .meta({ perm: 'audit.read' })
    .input(z.object({
      actor: z.string().max(256).optional(),
      target: z.string().max(512).optional(),
      action: z.string().max(100).optional(),
      domain: z.string().max(253).optional(),
      from: isoDate.optional(),
      to: isoDate.optional(),
      cursor: z.string().regex(/^\d+$/).optional(),
      limit: z.number().int().min(1).max(500).optional(),
    }).optional())
    .query(async ({ ctx, input }): Promise<{ items: AuditRow[]; nextCursor?: string }> => {
      const q = input ?? {}
      const limit = q.limit ?? 50
      const and: object[] = []
      const visible = visibleDomains(sess(ctx))
      if (visible) and.push({ domain: { in: visible } })
      if (q.actor) and.push({ actor: { contains: q.actor } })
      if (q.target) and.push({ target: { contains: q.target } })
      // `user.` matches every user action; `user.create` one
      if (q.action) and.push(q.action.endsWith('.') ? { action: { startsWith: q.action } } : { action: q.action })
      if (q.domain) and.push({ domain: q.domain.toLowerCase() })
      if (q.from) and.push({ createdAt: { gte: new Date(q.from) } })
      if (q.to) and.push({ createdAt: { lte: new Date(q.to) } })
      if (q.cursor) and.push({ id: { lt: Number(q.cursor) } })
      const rows = await ctx.deps.db.prisma.auditEvent.findMany({ where: { AND: and }, orderBy: { id: 'desc' }, take: limit + 1 })
      const page = rows.slice(0, limit)
      return {
        items: page.map((r) => ({
          id: r.id,
          createdAt: r.createdAt.toISOString(),
          actor: r.actor,
          role: r.role,
          action: r.action,
          target: r.target,
          domain: r.domain,
          source: r.source,
          sourceIp: r.sourceIp,
          diff: parseDiff(r.diff),
        })),
        ...(rows.length > limit ? { nextCursor: String(page[page.length - 1]!.id) } : {}),
      }
    }),
})

function parseDiff(json: string): AuditRow['diff'] {
  try {
    const v = JSON.parse(json) as unknown
    return Array.isArray(v) ? (v as AuditRow['diff']).map((c) => ({ field: String(c.field), before: c.before ?? null, after: c.after ?? null })) : []
  } catch {
    return []
  }
}
