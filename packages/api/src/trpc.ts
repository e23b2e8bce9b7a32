// tRPC initialisation: context, meta ({ perm }), the error formatter (data.fieldErrors) and the
// middleware that enforces session, role permission and CSRF on every procedure.
import { initTRPC, TRPCError } from '@trpc/server'
import { timingSafeEqual } from 'node:crypto'
import { ZodError } from 'zod'
import type { ApiContext } from './context.js'
import { FieldErrors } from './errors.js'
import { roleAllows, type Permission } from './rbac.js'
import { loadSession, type SessionInfo } from './session.js'

export interface ApiMeta {
  perm: Permission
}

function fieldErrorsOf(error: TRPCError): Record<string, string> | undefined {
  const cause = error.cause
  if (cause instanceof FieldErrors) return cause.fieldErrors
  if (cause instanceof ZodError) {
    const out: Record<string, string> = {}
    for (const issue of cause.issues) {
      const key = issue.path.map(String).join('.') || '_'
      if (!(key in out)) out[key] = issue.message
    }
    return out
  }
  return undefined
}

const t = initTRPC
  .context<ApiContext>()
  .meta<ApiMeta>()
  .create({
    errorFormatter({ shape, error }) {
      const fieldErrors = fieldErrorsOf(error)
      const message = error.cause instanceof ZodError ? summarizeZod(error.cause) : shape.message
      return { ...shape, message, data: { ...shape.data, stack: undefined, fieldErrors: fieldErrors ?? {} } }
    },
  })

function summarizeZod(err: ZodError): string {
  return err.issues.map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message)).join('; ')
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

const enforce = t.middleware(async ({ ctx, meta, type, next, path }) => {
  const perm = meta?.perm
  if (!perm) throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: `procedure ${path} declares no permission` })
  // A wrong bearer token is a failed sign-in (logged by the context factory): nothing is answered, not even public calls.
  if (ctx.badBearer) throw new TRPCError({ code: 'UNAUTHORIZED', message: ctx.badBearer })
  // A WebSocket connection keeps its context: re-read its session so a sign-out or expiry applies at once.
  const session = ctx.session && ctx.longLived && !ctx.session.local ? await loadSession(ctx.deps, ctx.session.id) : ctx.session
  if (perm === 'public') return next({ ctx: { ...ctx, session } })
  if (!session) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in first (no session or it expired)' })
  // CSRF protects cookies only: a bearer-token call (session.local) carries no ambient credential.
  if (type === 'mutation' && !session.local && !(ctx.csrfHeader && safeEqual(ctx.csrfHeader, session.csrfToken))) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'missing or wrong x-csrf-token header' })
  }
  if (!roleAllows(session.account.role, perm)) {
    throw new TRPCError({ code: 'FORBIDDEN', message: `the ${session.account.role} role may not ${perm.replace('.', ' ')}` })
  }
  // Other processes (CLI tools, imports) change the directory too: a change, and the object a form
  // is about to edit, is always checked against fresh entries, never the lookup cache.
  if (type === 'mutation' || path.endsWith('.get')) ctx.deps.directory.invalidate()
  return next({ ctx: { ...ctx, session } })
})

export const router = t.router
export const createCallerFactory = t.createCallerFactory
export const mergeRouters = t.mergeRouters
/** Every procedure goes through `enforce`; declare `.meta({ perm })`. */
export const procedure = t.procedure.use(enforce)

export type AuthedContext = ApiContext & { session: SessionInfo }
