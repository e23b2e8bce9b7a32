// users.* — mail users (Schema 2 `ou=People`; attributes per the Communications Suite Schema
// Reference): aliases = mailAlternateAddress, forwarding = mailForwardingAddress, delivery options =
// mailDeliveryOption, vacation = mailAutoReply* / vacationStart|EndDate (spec 01 §16), quotas =
// mailQuota / mailMsgQuota (spec 03 §4). Delete marks deleted; purge removes (commadmin user delete/purge).
import { z } from 'zod'
import type { Directory, DirectoryUser, Modification } from '@wren/directory'
import { importCsv, importLdif } from '@wren/directory'
import type { ApiContext } from '../context.js'
import { apiError, mapErrors } from '../errors.js'
import { actorOf, assertVersion, checkQuotaFields, entryVersion, scopedDomain, sess, setAttr, storeIdOf } from '../helpers.js'
import { visibleDomains } from '../rbac.js'
import { addressList, cursor, domainName, entryStatus, limit, quotaValue, uidSchema, version } from '../schemas.js'
import { procedure, router } from '../trpc.js'
import type { ImportRow, UserDetail, UserRow } from '../types.js'
import { listUsers } from '../user-list.js'
import { userRowOf } from '../user-row.js'
import { scopedDirectory } from '../scoped-directory.js'

const vacation = z.object({
  mode: z.enum(['', 'reply', 'echo']).optional(),
  subject: z.string().max(1000).optional(),
  text: z.string().max(100_000).optional(),
  start: z.string().max(32).optional(),
  end: z.string().max(32).optional(),
})

const editable = {
  cn: z.string().trim().min(1, 'enter a full name').max(256),
  sn: z.string().trim().max(256).optional(),
  givenName: z.string().trim().max(256).optional(),
  mail: z.string().trim().max(512).optional(),
  aliases: addressList.optional(),
  equivalentAddresses: addressList.optional(),
  mailQuota: quotaValue.optional(),
  mailMsgQuota: quotaValue.optional(),
  forwarding: addressList.optional(),
  deliveryOptions: z.array(z.enum(['mailbox', 'native', 'unix', 'forward', 'autoreply', 'program', 'file', 'hold'])).max(10).optional(),
}

export const userCreateInput = z.object({ uid: uidSchema, domain: domainName, password: z.string().min(1, 'enter a password').max(1024), ...editable })
export const userUpdateInput = z.object({ uid: uidSchema, domain: domainName, version, ...editable, cn: editable.cn.optional(), vacation: vacation.optional() })
const userKey = z.object({ uid: uidSchema, domain: domainName })

export const userRow = userRowOf

async function groupsOf(dir: Directory, u: DirectoryUser): Promise<string[]> {
  const out: string[] = []
  const dn = u.dn.toLowerCase()
  let c: string | undefined
  do {
    const page = await dir.searchGroups({ domain: u.domain, cursor: c, limit: 1000 })
    for (const g of page.items) if (g.uniqueMember.some((m) => m.toLowerCase() === dn)) out.push(g.mail ?? `${g.cn}@${g.domain}`)
    c = page.nextCursor
  } while (c)
  return out
}

async function userDetail(dir: Directory, u: DirectoryUser): Promise<UserDetail> {
  return {
    ...userRow(u),
    storeId: u.storeId,
    sn: u.sn ?? '',
    givenName: u.givenName ?? '',
    aliases: u.mailAlternateAddress,
    equivalentAddresses: u.mailEquivalentAddress,
    forwarding: u.mailForwardingAddress,
    deliveryOptions: u.mailDeliveryOption,
    vacation: {
      mode: u.mailAutoReplyMode ?? '',
      subject: u.mailAutoReplySubject ?? '',
      text: u.mailAutoReplyText ?? '',
      start: u.vacationStartDate ?? '',
      end: u.vacationEndDate ?? '',
    },
    groups: await groupsOf(dir, u),
    version: entryVersion(u.attributes),
  }
}

/** The user named by uid + domain, after the domain-scope check; NOT_FOUND otherwise. */
export async function findScopedUser(ctx: ApiContext, uid: string, domain: string): Promise<DirectoryUser> {
  const canonical = await scopedDomain(ctx, domain)
  const dir = ctx.deps.directory
  const u = await mapErrors(() => dir.findUser(storeIdOf(dir, uid, canonical)))
  if (!u || u.domain.toLowerCase() !== canonical || u.uid.toLowerCase() !== uid.toLowerCase()) throw apiError('NOT_FOUND', `no user ${uid} in ${canonical}`)
  return u
}

function editMods(input: Partial<Record<keyof typeof editable, unknown>> & { vacation?: z.infer<typeof vacation> }): Modification[] {
  const i = input as Record<string, string | string[] | undefined>
  const mods = [
    setAttr('cn', i.cn), setAttr('sn', i.sn), setAttr('givenName', i.givenName), setAttr('mail', i.mail),
    setAttr('mailAlternateAddress', i.aliases), setAttr('mailEquivalentAddress', i.equivalentAddresses),
    setAttr('mailQuota', i.mailQuota), setAttr('mailMsgQuota', i.mailMsgQuota),
    setAttr('mailForwardingAddress', i.forwarding), setAttr('mailDeliveryOption', i.deliveryOptions),
  ]
  const v = input.vacation
  if (v) {
    mods.push(setAttr('mailAutoReplyMode', v.mode), setAttr('mailAutoReplySubject', v.subject), setAttr('mailAutoReplyText', v.text),
      setAttr('vacationStartDate', v.start), setAttr('vacationEndDate', v.end))
  }
  // `mail` cannot be removed from a mail user (the directory requires it)
  return mods.filter((m): m is NonNullable<typeof m> => m !== undefined && !(m.attr === 'mail' && m.op === 'delete'))
}

export const usersRouter = router({
  list: procedure
    .meta({ perm: 'users.read' })
    .input(z.object({
      domain: domainName.optional(),
      search: z.string().max(256).optional(),
      status: z.enum(['active', 'inactive', 'deleted', 'removed', 'disabled', 'hold', 'overquota']).optional(),
      sort: z.enum(['uid', 'mail', 'cn']).optional(),
      dir: z.enum(['asc', 'desc']).optional(),
      cursor,
      limit,
    }).optional())
    .query(async ({ ctx, input }): Promise<{ items: UserRow[]; nextCursor?: string; total?: number }> => {
      const q = input ?? {}
      const domains = q.domain ? [await scopedDomain(ctx, q.domain)] : visibleDomains(sess(ctx))
      return listUsers(ctx, { ...q, domains })
    }),

  get: procedure
    .meta({ perm: 'users.read' })
    .input(userKey)
    .query(async ({ ctx, input }): Promise<UserDetail> => userDetail(ctx.deps.directory, await findScopedUser(ctx, input.uid, input.domain))),

  create: procedure
    .meta({ perm: 'users.write' })
    .input(userCreateInput)
    .mutation(async ({ ctx, input }): Promise<UserDetail> => {
      const domain = await scopedDomain(ctx, input.domain)
      checkQuotaFields({ mailQuota: { value: input.mailQuota, kind: 'bytes' }, mailMsgQuota: { value: input.mailMsgQuota, kind: 'count' } })
      const attrs: Record<string, string | string[]> = {}
      for (const m of editMods(input)) if (m.op === 'replace') attrs[m.attr] = m.values.length === 1 && !['mailAlternateAddress', 'mailEquivalentAddress', 'mailForwardingAddress', 'mailDeliveryOption'].includes(m.attr) ? m.values[0]! : m.values
      const dir = ctx.deps.directory
      const u = await mapErrors(() => dir.createUser({ uid: input.uid, domain, password: input.password, attributes: attrs }, actorOf(ctx)))
      return userDetail(dir, u)
    }),

  update: procedure
    .meta({ perm: 'users.write' })
    .input(userUpdateInput)
    .mutation(async ({ ctx, input }): Promise<UserDetail> => {
      const u = await findScopedUser(ctx, input.uid, input.domain)
      assertVersion(entryVersion(u.attributes), input.version)
      checkQuotaFields({ mailQuota: { value: input.mailQuota, kind: 'bytes' }, mailMsgQuota: { value: input.mailMsgQuota, kind: 'count' } })
      const mods = editMods(input)
      const dir = ctx.deps.directory
      if (!mods.length) return userDetail(dir, u)
      return userDetail(dir, await mapErrors(() => dir.modifyUser(u.storeId, mods, actorOf(ctx))))
    }),

  setPassword: procedure
    .meta({ perm: 'users.write' })
    .input(z.object({ uid: uidSchema, domain: domainName, password: z.string().min(1, 'enter a password').max(1024) }))
    .mutation(async ({ ctx, input }): Promise<{ ok: true }> => {
      const u = await findScopedUser(ctx, input.uid, input.domain)
      await mapErrors(() => ctx.deps.directory.setPassword(u.storeId, input.password, actorOf(ctx)), 'password')
      return { ok: true }
    }),

  setStatus: procedure
    .meta({ perm: 'users.write' })
    .input(z.object({ uid: uidSchema, domain: domainName, status: entryStatus }))
    .mutation(async ({ ctx, input }): Promise<UserDetail> => {
      const u = await findScopedUser(ctx, input.uid, input.domain)
      const dir = ctx.deps.directory
      return userDetail(dir, await mapErrors(() => dir.modifyUser(u.storeId, [{ op: 'replace', attr: 'inetUserStatus', values: [input.status] }], actorOf(ctx)), 'status'))
    }),

  delete: procedure
    .meta({ perm: 'users.write' })
    .input(userKey)
    .mutation(async ({ ctx, input }): Promise<UserRow> => {
      const u = await findScopedUser(ctx, input.uid, input.domain)
      return userRow(await mapErrors(() => ctx.deps.directory.deleteUser(u.storeId, actorOf(ctx))))
    }),

  purge: procedure
    .meta({ perm: 'users.purge' })
    .input(userKey)
    .mutation(async ({ ctx, input }): Promise<{ ok: true }> => {
      const u = await findScopedUser(ctx, input.uid, input.domain)
      await mapErrors(() => ctx.deps.directory.purgeUser(u.storeId, actorOf(ctx)))
      return { ok: true }
    }),

  import: procedure
    .meta({ perm: 'users.write' })
    .input(z.object({ domain: domainName.optional(), format: z.enum(['csv', 'ldif']), text: z.string().max(20_000_000), dryRun: z.boolean().optional() }))
    .mutation(async ({ ctx, input }): Promise<{ rows: ImportRow[]; created: number; failed: number }> => {
      const s = sess(ctx)
      const domain = input.domain ? await scopedDomain(ctx, input.domain) : undefined
      // A domain administrator's import may only touch their domains; rows naming no domain go to `domain`.
      const dir = scopedDirectory(ctx.deps.directory, { allowed: visibleDomains(s), defaultDomain: domain, dryRun: input.dryRun === true })
      const run = input.format === 'csv' ? importCsv : importLdif
      const report = await run(dir, input.text, { actor: { ...actorOf(ctx), source: `${ctx.source}-import` } })
      const rows = report.rows.map((r) => ({ line: r.row, key: r.target, ok: r.ok, ...(r.error ? { error: r.error.message } : {}), ...(r.action ? { action: r.action } : {}) }))
      return { rows, created: report.rows.filter((r) => r.ok && r.action === 'created').length, failed: report.failed }
    }),
})
