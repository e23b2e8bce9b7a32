// config.* — the unified configuration (msconfig model, spec 01 §1) through @wren/config's
// ConfigService: option tree by group, validated staged sets, versions with author and remark,
// differences between versions and rollback (revert). Passwords are never shown. After a write the
// daemon re-reads the configuration and refreshes running services (control-routes reloadConfig).
import { z } from 'zod'
import { ConfigError, type OptionSpec } from '@wren/config'
import { parseKey } from '@wren/config'
import type { OptionValue } from '@wren/kernel'
import type { ApiContext } from '../context.js'
import { apiError, STALE_MESSAGE } from '../errors.js'
import { sess } from '../helpers.js'
import { procedure, router } from '../trpc.js'
import type { ConfigOptionRow } from '../types.js'

const MASK = '********'

/** `imap.port` → `imap`; `channel:tcp_local.maxjobs` → `channel`. */
export function groupOf(name: string): string {
  const first = name.split('.')[0]!
  return first.includes(':') ? first.slice(0, first.indexOf(':')) : first
}

function plain(v: OptionValue | undefined): unknown {
  return v === undefined ? null : v
}

/** One writer at a time: ConfigService stages changes on the instance. */
let queue: Promise<unknown> = Promise.resolve()
function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn, fn)
  queue = run.catch(() => undefined)
  return run
}

function optionRows(ctx: ApiContext): ConfigOptionRow[] {
  const cfg = ctx.deps.config
  const view = cfg.view()
  const explicit = new Map<string, OptionValue>()
  for (const [key, value] of cfg.settings()) explicit.set(parseKey(key).name.toLowerCase(), value)
  const row = (spec: OptionSpec, name: string): ConfigOptionRow => {
    const set = explicit.has(name.toLowerCase())
    let value: unknown
    try {
      value = plain(view.find(name))
    } catch {
      value = null
    }
    const secret = spec.password === true
    return {
      name,
      group: groupOf(name),
      type: spec.type,
      default: secret ? null : plain(spec.default),
      value: secret ? (value === null || value === '' ? null : MASK) : value,
      isDefault: !set,
      description: spec.description,
      restricted: spec.restricted === true,
      restart: spec.restart ?? null,
      password: secret,
      ...(spec.values ? { enumValues: spec.values } : {}),
    }
  }
  const rows: ConfigOptionRow[] = []
  const seen = new Set<string>()
  for (const spec of cfg.registry.options) {
    if (spec.obsolete || spec.name.includes('<')) continue
    rows.push(row(spec, spec.name))
    seen.add(spec.name.toLowerCase())
  }
  // Concrete instances of named groups (channel:tcp_local.maxjobs…) that are set.
  for (const name of explicit.keys()) {
    if (seen.has(name)) continue
    const m = cfg.registry.lookup(name)
    if (!m) continue
    seen.add(name)
    rows.push(row(m.spec, m.name))
  }
  return rows.sort((a, b) => a.name.localeCompare(b.name))
}

function isSecretName(ctx: ApiContext, name: string): boolean {
  return ctx.deps.config.registry.lookup(parseKey(name).name)?.spec.password === true
}

function mask(ctx: ApiContext, name: string, v: unknown): unknown {
  return v !== undefined && v !== null && isSecretName(ctx, name) ? MASK : v ?? null
}

function writer(ctx: ApiContext) {
  const s = sess(ctx)
  return { author: s.account.username, role: s.account.role, source: ctx.source, sourceIp: ctx.ip }
}

export const configRouter = router({
  groups: procedure
    .meta({ perm: 'config.read' })
    .query(({ ctx }): Array<{ group: string; count: number }> => {
      const counts = new Map<string, number>()
      for (const r of optionRows(ctx)) counts.set(r.group, (counts.get(r.group) ?? 0) + 1)
      return [...counts].map(([group, count]) => ({ group, count })).sort((a, b) => a.group.localeCompare(b.group))
    }),

  /** The current configuration version (`baseVersion` for config.set); 0 before any write. */
  version: procedure
    .meta({ perm: 'config.read' })
    .query(async ({ ctx }): Promise<{ version: number }> => {
      await ctx.deps.config.reload()
      return { version: ctx.deps.config.version ?? 0 }
    }),

  options: procedure
    .meta({ perm: 'config.read' })
    .input(z.object({ group: z.string().max(100).optional(), search: z.string().max(200).optional() }).optional())
    .query(async ({ ctx, input }): Promise<ConfigOptionRow[]> => {
      await ctx.deps.config.reload()
      const text = input?.search?.trim().toLowerCase()
      return optionRows(ctx).filter((r) => (!input?.group || r.group === input.group) && (!text || r.name.toLowerCase().includes(text) || r.description.toLowerCase().includes(text)))
    }),

  set: procedure
    .meta({ perm: 'config.write' })
    .input(z.object({
      changes: z.array(z.object({
        name: z.string().trim().min(1).max(300),
        /** `null` removes the setting (back to the default). */
        value: z.union([z.string().max(100_000), z.number(), z.boolean(), z.array(z.string().max(10_000)).max(1000), z.null()]),
      })).min(1, 'no changes').max(500),
      remark: z.string().trim().min(1, 'say why (remark)').max(1000),
      baseVersion: z.number().int().min(0),
      confirmRestricted: z.boolean().optional(),
    }))
    .mutation(({ ctx, input }): Promise<{ version: number; restartNeeded: string[]; restart: Array<{ option: string; services: string[] }> }> => serialized(async () => {
      const cfg = ctx.deps.config
      await cfg.reload()
      const current = cfg.version ?? 0
      if (current !== input.baseVersion) {
        const msg = `the configuration ${STALE_MESSAGE} (now version ${current}, you started from ${input.baseVersion})`
        throw apiError('CONFLICT', msg, { baseVersion: msg })
      }
      cfg.discard()
      const fieldErrors: Record<string, string> = {}
      for (const c of input.changes) {
        try {
          if (c.value === null) cfg.unset(c.name)
          else cfg.set(c.name, typeof c.value === 'boolean' ? (c.value ? '1' : '0') : c.value, { confirmRestricted: input.confirmRestricted === true })
        } catch (err) {
          if (!(err instanceof ConfigError)) { cfg.discard(); throw err }
          fieldErrors[c.name] = err.message
        }
      }
      if (Object.keys(fieldErrors).length) {
        cfg.discard()
        throw apiError('BAD_REQUEST', Object.values(fieldErrors).join('; '), fieldErrors)
      }
      const w = await cfg.write({ ...writer(ctx), remark: input.remark })
      if (w.version === null) return { version: current, restartNeeded: [], restart: [] }
      const r = await ctx.deps.services.reloadConfig()
      return { version: w.version, restartNeeded: r.restartNeeded, restart: r.restart ?? [] }
    })),

  history: procedure
    .meta({ perm: 'config.read' })
    .input(z.object({ cursor: z.string().max(20).optional(), limit: z.number().int().min(1).max(100).optional() }).optional())
    .query(async ({ ctx, input }) => {
      const offset = Number(input?.cursor ?? 0) || 0
      const limit = input?.limit ?? 20
      const all = await ctx.deps.config.history(offset + limit + 1)
      const page = all.slice(offset, offset + limit)
      return {
        items: page.map((v) => ({
          version: v.id, author: v.author, remark: v.remark, createdAt: v.createdAt.toISOString(), changes: v.diff.length,
          ...(v.revertOf !== null ? { revertOf: v.revertOf } : {}),
        })),
        ...(all.length > offset + limit ? { nextCursor: String(offset + limit) } : {}),
      }
    }),

  diff: procedure
    .meta({ perm: 'config.read' })
    .input(z.object({ from: z.number().int().min(1), to: z.number().int().min(1) }))
    .query(async ({ ctx, input }): Promise<Array<{ option: string; before: unknown; after: unknown }>> => {
      try {
        const d = await ctx.deps.config.differences(input.from, input.to)
        return d.map((c) => ({ option: c.name, before: mask(ctx, c.name, c.before), after: mask(ctx, c.name, c.after) }))
      } catch (err) {
        if (err instanceof ConfigError) throw apiError('NOT_FOUND', err.message)
        throw err
      }
    }),

  rollback: procedure
    .meta({ perm: 'config.write' })
    .input(z.object({ version: z.number().int().min(1), remark: z.string().trim().max(1000).optional() }))
    .mutation(({ ctx, input }): Promise<{ version: number; restartNeeded: string[] }> => serialized(async () => {
      const cfg = ctx.deps.config
      cfg.discard()
      let w
      try {
        w = await cfg.revert(input.version, { ...writer(ctx), remark: input.remark || `rollback to version ${input.version}` })
      } catch (err) {
        if (err instanceof ConfigError) throw apiError('NOT_FOUND', err.message, { version: err.message })
        throw err
      }
      if (w.version === null) return { version: cfg.version ?? 0, restartNeeded: [] }
      const r = await ctx.deps.services.reloadConfig()
      return { version: w.version, restartNeeded: r.restartNeeded }
    })),
})
