// auth.signIn / signOut / me (contract "Sessions, CSRF, roles"). The user name is an AdminAccount
// username (checked against its scrypt hash) or a directory address/uid an AdminAccount points to by
// `directoryUid` (checked with the directory's `authenticate`). Failures are rate-limited per address
// and per user name, written to the daemon log and to the audit log as `auth.failed`.
import { z } from 'zod'
import { TRPCError } from '@trpc/server'
import { hashPassword, verifyPassword } from '@wren/db'
import type { ApiContext } from '../context.js'
import { audit } from '../helpers.js'
import { createSession, deleteSession, sessionCookie, sessionTimeoutSeconds, accountInfo } from '../session.js'
import { procedure, router } from '../trpc.js'
import type { Me } from '../types.js'

export const signInInput = z.object({
  username: z.string().trim().min(1, 'enter your user name').max(256),
  password: z.string().min(1, 'enter your password').max(1024),
})

/** Verifying against a throw-away hash for unknown names keeps their answer as slow as a wrong password's. */
let dummyHash: Promise<string> | undefined
async function burnTime(password: string): Promise<void> {
  dummyHash ??= hashPassword('wren-no-such-account')
  await verifyPassword(password, await dummyHash)
}

type Account = NonNullable<Awaited<ReturnType<ApiContext['deps']['db']['prisma']['adminAccount']['findUnique']>>>

/** Finds the account and checks the password; `undefined` on any failure (one answer for all). */
async function checkCredentials(ctx: ApiContext, username: string, password: string): Promise<{ account: Account; via: string } | { reason: string }> {
  const { prisma } = ctx.deps.db
  const dir = ctx.deps.directory
  const direct = await prisma.adminAccount.findUnique({ where: { username } })
  if (direct?.passwordHash) {
    return (await verifyPassword(password, direct.passwordHash)) ? { account: direct, via: 'account' } : { reason: 'bad password' }
  }
  // A directory administrator: the account names the user by directoryUid.
  let account: Account | null = direct
  if (!account) {
    const user = await dir.findUser(username).catch(() => undefined)
    const keys = new Set([username.toLowerCase()])
    if (user) for (const k of [user.storeId, user.mail, `${user.uid}@${user.domain}`]) if (k) keys.add(k.toLowerCase())
    const candidates = await prisma.adminAccount.findMany({ where: { directoryUid: { not: '' } } })
    account = candidates.find((a) => keys.has(a.directoryUid.toLowerCase())) ?? null
  }
  if (!account || !account.directoryUid) {
    await burnTime(password)
    return { reason: 'unknown user' }
  }
  const login = account === direct ? account.directoryUid : username
  const r = await dir.authenticate(login, password, { service: 'console', remoteIp: ctx.ip })
  if (!r.ok) return { reason: r.reason }
  return { account, via: 'directory' }
}

function meOf(ctx: ApiContext): Me | null {
  const s = ctx.session
  if (!s) return null
  return { username: s.account.username, role: s.account.role, domains: s.account.domains, csrfToken: s.csrfToken, expiresAt: s.expiresAt }
}

export const authRouter = router({
  signIn: procedure
    .meta({ perm: 'public' })
    .input(signInInput)
    .mutation(async ({ ctx, input }): Promise<Me> => {
      const { limiter, log } = ctx.deps
      const username = input.username
      const wait = limiter!.blockedFor(ctx.ip, username)
      if (wait > 0) {
        log.warning('Account', `admin sign-in refused for ${username} from ${ctx.ip}: too many failed attempts (retry in ${wait}s)`)
        await audit(ctx, { action: 'auth.failed', target: username, diff: [{ field: 'reason', before: undefined, after: 'rate-limited' }] })
        throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: `too many failed sign-ins; try again in ${wait} seconds` })
      }
      const r = await checkCredentials(ctx, username, input.password)
      if ('reason' in r) {
        limiter!.fail(ctx.ip, username)
        log.notice('Account', `admin sign-in failed for ${username} from ${ctx.ip}: ${r.reason}`)
        await audit(ctx, { action: 'auth.failed', target: username, diff: [{ field: 'reason', before: undefined, after: r.reason }] })
        throw new TRPCError({ code: 'UNAUTHORIZED', message: 'wrong user name or password' })
      }
      limiter!.succeed(ctx.ip, username)
      const s = await createSession(ctx.deps, r.account.id, ctx.ip)
      ctx.setCookie(sessionCookie(s.id, { secure: ctx.secure, maxAgeSeconds: sessionTimeoutSeconds(ctx.deps) }))
      const acc = accountInfo(r.account)
      log.notice('Account', `admin ${acc.username} (${acc.role}) signed in from ${ctx.ip} via ${ctx.source}`)
      return { username: acc.username, role: acc.role, domains: acc.domains, csrfToken: s.csrfToken, expiresAt: s.expiresAt.toISOString() }
    }),

  signOut: procedure
    .meta({ perm: 'session' })
    .mutation(async ({ ctx }): Promise<{ ok: true }> => {
      const s = ctx.session!
      await deleteSession(ctx.deps, s.id)
      ctx.setCookie(sessionCookie('', { secure: ctx.secure, maxAgeSeconds: 0 }))
      ctx.deps.log.notice('Account', `admin ${s.account.username} signed out from ${ctx.ip}`)
      return { ok: true }
    }),

  me: procedure
    .meta({ perm: 'public' })
    .query(({ ctx }): Me | null => meOf(ctx)),
})
