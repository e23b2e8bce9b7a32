// admins.* — console administrator accounts (AdminAccount): global, domain (scoped to a list of
// domains) or auditor; a local password (scrypt) or a directory user (directoryUid). Global only:
// a domain administrator can neither create accounts nor change their own role or domains.
import { z } from 'zod'
import { diffRecords, hashPassword } from '@wren/db'
import type { ApiContext } from '../context.js'
import { apiError, STALE_MESSAGE } from '../errors.js'
import { audit, sess } from '../helpers.js'
import { parseDomains, toRole } from '../session.js'
import { procedure, router } from '../trpc.js'
import type { AdminRow } from '../types.js'

const role = z.enum(['global', 'domain', 'auditor'])
const username = z.string().trim().min(1, 'enter a user name').max(64).regex(/^[A-Za-z0-9._@+-]+$/, 'letters, digits and . _ @ + - only')
const password = z.string().min(10, 'at least 10 characters').max(1024)
const domains = z.array(z.string().trim().toLowerCase().min(1).max(253)).max(1000)

interface Row { id: number; username: string; role: string; domains: string; directoryUid: string; passwordHash: string; createdAt: Date; updatedAt: Date }

function adminRow(a: Row): AdminRow {
  return {
    username: a.username, role: toRole(a.role), domains: parseDomains(a.domains), directoryUid: a.directoryUid,
    hasPassword: a.passwordHash !== '', createdAt: a.createdAt.toISOString(), version: a.updatedAt.toISOString(),
  }
}

async function checkDomains(ctx: ApiContext, r: string, list: string[]): Promise<string[]> {
  if (r !== 'domain') return []
  if (!list.length) throw apiError('BAD_REQUEST', 'a domain administrator needs at least one domain', { domains: 'choose at least one domain' })
  const out: string[] = []
  for (const d of list) {
    const dom = await ctx.deps.directory.getDomain(d)
    if (!dom) throw apiError('BAD_REQUEST', `no domain ${d}`, { domains: `no domain ${d}` })
    if (!out.includes(dom.name)) out.push(dom.name)
  }
  return out
}

async function otherGlobals(ctx: ApiContext, except: string): Promise<number> {
  return ctx.deps.db.prisma.adminAccount.count({ where: { role: 'global', username: { not: except } } })
}

export const adminsRouter = router({
  list: procedure
    .meta({ perm: 'admins.read' })
    .query(async ({ ctx }): Promise<AdminRow[]> => {
      const rows = await ctx.deps.db.prisma.adminAccount.findMany({ orderBy: { username: 'asc' } })
      return rows.map(adminRow)
    }),

  create: procedure
    .meta({ perm: 'admins.write' })
    .input(z.object({ username, password: password.optional(), directoryUid: z.string().trim().max(512).optional(), role, domains: domains.default([]) }))
    .mutation(async ({ ctx, input }): Promise<AdminRow> => {
      const prisma = ctx.deps.db.prisma
      if (!input.password && !input.directoryUid) throw apiError('BAD_REQUEST', 'give a password or a directory user', { password: 'give a password or a directory user' })
      if (input.directoryUid) {
        const u = await ctx.deps.directory.findUser(input.directoryUid)
        if (!u) throw apiError('BAD_REQUEST', `no directory user ${input.directoryUid}`, { directoryUid: `no directory user ${input.directoryUid}` })
      }
      const doms = await checkDomains(ctx, input.role, input.domains)
      if (await prisma.adminAccount.findUnique({ where: { username: input.username } })) {
        throw apiError('CONFLICT', `an administrator ${input.username} already exists`, { username: 'already exists' })
      }
      const row = await prisma.adminAccount.create({
        data: { username: input.username, role: input.role, domains: JSON.stringify(doms), directoryUid: input.directoryUid ?? '', passwordHash: input.password ? await hashPassword(input.password) : '' },
      })
      await audit(ctx, {
        action: 'admin.create', target: input.username,
        diff: diffRecords({}, { role: input.role, domains: doms, directoryUid: input.directoryUid || undefined, password: input.password ? 'set' : undefined }),
      })
      return adminRow(row)
    }),

  update: procedure
    .meta({ perm: 'admins.write' })
    .input(z.object({ username, version: z.string().min(1).max(100), role: role.optional(), domains: domains.optional(), password: password.optional(), directoryUid: z.string().trim().max(512).optional() }))
    .mutation(async ({ ctx, input }): Promise<AdminRow> => {
      const prisma = ctx.deps.db.prisma
      const cur = await prisma.adminAccount.findUnique({ where: { username: input.username } })
      if (!cur) throw apiError('NOT_FOUND', `no administrator ${input.username}`)
      if (cur.updatedAt.toISOString() !== input.version) throw apiError('CONFLICT', STALE_MESSAGE, { version: STALE_MESSAGE })
      const newRole = input.role ?? toRole(cur.role)
      if (cur.role === 'global' && newRole !== 'global' && (await otherGlobals(ctx, cur.username)) === 0) {
        throw apiError('BAD_REQUEST', 'this is the last global administrator', { role: 'the last global administrator must stay global' })
      }
      if (cur.username === sess(ctx).account.username && newRole !== 'global') {
        throw apiError('BAD_REQUEST', 'you cannot lower your own role', { role: 'you cannot lower your own role' })
      }
      const doms = await checkDomains(ctx, newRole, input.domains ?? parseDomains(cur.domains))
      if (input.directoryUid) {
        const u = await ctx.deps.directory.findUser(input.directoryUid)
        if (!u) throw apiError('BAD_REQUEST', `no directory user ${input.directoryUid}`, { directoryUid: `no directory user ${input.directoryUid}` })
      }
      const data = {
        role: newRole,
        domains: JSON.stringify(doms),
        ...(input.directoryUid !== undefined ? { directoryUid: input.directoryUid } : {}),
        ...(input.password ? { passwordHash: await hashPassword(input.password) } : {}),
      }
      // optimistic concurrency: the row must still carry the version the editor saw
      const n = await prisma.adminAccount.updateMany({ where: { id: cur.id, updatedAt: cur.updatedAt }, data })
      if (n.count !== 1) throw apiError('CONFLICT', STALE_MESSAGE, { version: STALE_MESSAGE })
      const row = (await prisma.adminAccount.findUnique({ where: { id: cur.id } }))!
      await audit(ctx, {
        action: 'admin.update', target: input.username,
        diff: diffRecords(
          { role: cur.role, domains: parseDomains(cur.domains), directoryUid: cur.directoryUid || undefined, password: 'set' },
          { role: newRole, domains: doms, directoryUid: (input.directoryUid ?? cur.directoryUid) || undefined, password: input.password ? 'changed' : 'set' },
        ),
      })
      return adminRow(row)
    }),

  delete: procedure
    .meta({ perm: 'admins.write' })
    .input(z.object({ username }))
    .mutation(async ({ ctx, input }): Promise<{ ok: true }> => {
      const prisma = ctx.deps.db.prisma
      const cur = await prisma.adminAccount.findUnique({ where: { username: input.username } })
      if (!cur) throw apiError('NOT_FOUND', `no administrator ${input.username}`)
      if (cur.username === sess(ctx).account.username) throw apiError('BAD_REQUEST', 'you cannot delete your own account', { username: 'you cannot delete your own account' })
      if (cur.role === 'global' && (await otherGlobals(ctx, cur.username)) === 0) throw apiError('BAD_REQUEST', 'this is the last global administrator', { username: 'the last global administrator cannot be deleted' })
      await prisma.adminAccount.delete({ where: { id: cur.id } })
      await audit(ctx, { action: 'admin.delete', target: input.username, diff: [{ field: 'role', before: cur.role, after: undefined }] })
      return { ok: true }
    }),
})
