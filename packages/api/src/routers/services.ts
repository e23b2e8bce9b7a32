// services.* — the watcher's view of every service (spec 01 §2–3: running, stopped, restarting,
// failed), start/stop/restart for global administrators, and the last watcher events. `onStatus`
// is a tRPC subscription (async generator) served over SSE (httpSubscriptionLink) and WebSocket.
import { z } from 'zod'
import type { ApiContext } from '../context.js'
import { apiError } from '../errors.js'
import { audit } from '../helpers.js'
import { procedure, router } from '../trpc.js'
import { loadSession } from '../session.js'
import { TRPCError } from '@trpc/server'
import type { ServicesStatus } from '../types.js'

export function servicesStatus(ctx: ApiContext): ServicesStatus {
  const sp = ctx.deps.services
  const d = sp.daemon()
  const now = ctx.deps.now ? ctx.deps.now() : Date.now()
  return {
    daemon: { pid: d.pid, startedAt: d.startedAt, uptime: Math.max(0, Math.round((now - Date.parse(d.startedAt)) / 1000)), hostname: d.hostname },
    services: sp.status().map((s) => ({
      name: s.name,
      state: s.state,
      ...(s.pid !== undefined ? { pid: s.pid } : {}),
      ...(s.restarts !== undefined ? { restarts: s.restarts } : {}),
      ...(s.uptime !== undefined ? { since: new Date(now - s.uptime * 1000).toISOString() } : {}),
      ...(s.enabled !== undefined ? { enabled: s.enabled } : {}),
      ...(s.listeners ? { listeners: s.listeners } : {}),
      ...(s.error ? { error: s.error } : {}),
    })),
    events: sp.events().map((e) => ({ at: e.at, text: e.line })),
  }
}

/** What changes between pushes (uptime/since excluded: they move every second). */
function fingerprint(s: ServicesStatus): string {
  return JSON.stringify([s.services.map((x) => [x.name, x.state, x.pid, x.restarts, x.error]), s.events.length, s.events[s.events.length - 1]])
}

const PUSH_EVERY_MS = 5000

export const servicesRouter = router({
  status: procedure
    .meta({ perm: 'services.read' })
    .query(({ ctx }): ServicesStatus => servicesStatus(ctx)),

  action: procedure
    .meta({ perm: 'services.write' })
    .input(z.object({ name: z.string().min(1).max(64), action: z.enum(['start', 'stop', 'restart']) }))
    .mutation(async ({ ctx, input }): Promise<{ lines: string[] }> => {
      const sp = ctx.deps.services
      if (!sp.names().includes(input.name)) throw apiError('NOT_FOUND', `unknown service ${input.name} (known: ${sp.names().join(' ')})`, { name: `unknown service ${input.name}` })
      if (input.name === 'admin') throw apiError('BAD_REQUEST', 'the admin service hosts this API; use stop-msg / start-msg on the host', { name: 'the admin service cannot be controlled from the console' })
      const before = sp.status().find((s) => s.name === input.name)?.state
      const lines = await sp.action(input.name, input.action)
      const after = sp.status().find((s) => s.name === input.name)?.state
      await audit(ctx, { action: `service.${input.action}`, target: input.name, diff: [{ field: 'state', before, after }] })
      return { lines }
    }),

  onStatus: procedure
    .meta({ perm: 'services.read' })
    .subscription(async function* ({ ctx, signal }) {
      let last = ''
      let wake: (() => void) | undefined
      const off = ctx.deps.services.onChange?.(() => wake?.())
      try {
        while (!signal?.aborted) {
          // a long-lived stream (SSE, WebSocket) ends when its session is signed out or expires
          if (ctx.session && !ctx.session.local && !(await loadSession(ctx.deps, ctx.session.id))) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'the session ended' })
          const s = servicesStatus(ctx)
          const fp = fingerprint(s)
          last = fp
          yield s
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, PUSH_EVERY_MS)
            const done = () => { clearTimeout(timer); signal?.removeEventListener('abort', done); wake = undefined; resolve() }
            wake = () => { if (fingerprint(servicesStatus(ctx)) !== last) done() }
            signal?.addEventListener('abort', done)
          })
        }
      } finally {
        off?.()
      }
    }),
})
