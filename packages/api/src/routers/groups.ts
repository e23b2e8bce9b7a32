// groups.* — mailing lists (Schema 2 `ou=Groups`, inetMailGroup): members are users/groups
// (uniqueMember DNs) and external addresses (mgrpRFC822MailMember), given as addresses.
import { z } from 'zod'
import type { DirectoryGroup } from '@wren/directory'
import type { ApiContext } from '../context.js'
import { apiError, mapErrors } from '../errors.js'
import { actorOf, assertVersion, decodeCursor, encodeCursor, entryVersion, scopedDomain, sess, setAttr } from '../helpers.js'
import { visibleDomains } from '../rbac.js'
import { addressList, cursor, domainName, limit, version } from '../schemas.js'
import { procedure, router } from '../trpc.js'
import type { GroupDetail, GroupRow } from '../types.js'

const cnSchema = z.string().trim().min(1, 'enter a group name').max(256)
const groupKey = z.object({ cn: cnSchema, domain: domainName })

export function groupRow(g: DirectoryGroup): GroupRow {
  return { cn: g.cn, domain: g.domain, mail: g.mail ?? '', status: g.status, memberCount: g.uniqueMember.length + g.mgrpRFC822MailMember.length }
}

/** Member DNs as addresses (the member's mail, else `uid@domain` / `cn@domain`), then external addresses. */
async function memberAddresses(ctx: ApiContext, g: DirectoryGroup): Promise<string[]> {
  const dir = ctx.deps.directory
  const out: string[] = []
  for (const dn of g.uniqueMember) {
    const m = /^(uid|cn)=([^,]+),ou=(people|groups),o=([^,]+),/i.exec(dn)
    if (!m) { out.push(dn); continue }
    const [, attr, name, , domain] = m
    const value = name!.replace(/\\(.)/g, '$1')
    const dom = domain!.replace(/\\(.)/g, '$1').toLowerCase()
    if (attr!.toLowerCase() === 'uid') {
      const u = await dir.findUser(dom === dir.defaultDomain ? value : `${value}@${dom}`)
      out.push(u?.mail ?? `${value}@${dom}`)
    } else {
      const sub = await dir.findGroup(`${value}@${dom}`)
      out.push(sub?.mail ?? `${value}@${dom}`)
    }
  }
  return [...out, ...g.mgrpRFC822MailMember]
}

async function detail(ctx: ApiContext, g: DirectoryGroup): Promise<GroupDetail> {
  return { ...groupRow(g), aliases: g.mailAlternateAddress, members: await memberAddresses(ctx, g), version: entryVersion(g.attributes) }
}

async function findScopedGroup(ctx: ApiContext, cn: string, domain: string): Promise<DirectoryGroup> {
  const canonical = await scopedDomain(ctx, domain)
  const g = await mapErrors(() => ctx.deps.directory.findGroup(`${cn}@${canonical}`))
  if (!g || g.domain.toLowerCase() !== canonical || g.cn.toLowerCase() !== cn.toLowerCase()) throw apiError('NOT_FOUND', `no group ${cn} in ${canonical}`)
  return g
}

/** The directory addresses a group by `cn@domain` as well as by mail. */
const groupAddress = (g: DirectoryGroup) => `${g.cn}@${g.domain}`

export const groupsRouter = router({
  list: procedure
    .meta({ perm: 'groups.read' })
    .input(z.object({ domain: domainName.optional(), search: z.string().max(256).optional(), cursor, limit }).optional())
    .query(async ({ ctx, input }): Promise<{ items: GroupRow[]; nextCursor?: string }> => {
      const dir = ctx.deps.directory
      const domains: Array<string | undefined> = input?.domain ? [await scopedDomain(ctx, input.domain)] : visibleDomains(sess(ctx)) ?? [undefined]
      const max = input?.limit ?? 50
      const pos = decodeCursor<{ i: number; c?: string }>(input?.cursor) ?? { i: 0 }
      const items: DirectoryGroup[] = []
      let { i, c } = pos
      while (i < domains.length && items.length < max) {
        const page = await mapErrors(() => dir.searchGroups({ domain: domains[i], text: input?.search?.trim() || undefined, cursor: c, limit: max - items.length }))
        items.push(...page.items)
        if (page.nextCursor) c = page.nextCursor
        else { i++; c = undefined }
      }
      return { items: items.map(groupRow), ...(i < domains.length ? { nextCursor: encodeCursor({ i, c }) } : {}) }
    }),

  get: procedure
    .meta({ perm: 'groups.read' })
    .input(groupKey)
    .query(async ({ ctx, input }): Promise<GroupDetail> => detail(ctx, await findScopedGroup(ctx, input.cn, input.domain))),

  create: procedure
    .meta({ perm: 'groups.write' })
    .input(z.object({ cn: cnSchema, domain: domainName, mail: z.string().trim().max(512).optional(), aliases: addressList.optional(), members: addressList.optional() }))
    .mutation(async ({ ctx, input }): Promise<GroupDetail> => {
      const domain = await scopedDomain(ctx, input.domain)
      const attributes: Record<string, string | string[]> = {}
      if (input.mail) attributes.mail = input.mail
      if (input.aliases?.length) attributes.mailAlternateAddress = input.aliases
      const g = await mapErrors(() => ctx.deps.directory.createGroup({ cn: input.cn, domain, members: input.members ?? [], attributes }, actorOf(ctx)), 'cn')
      return detail(ctx, g)
    }),

  update: procedure
    .meta({ perm: 'groups.write' })
    .input(z.object({ cn: cnSchema, domain: domainName, version, mail: z.string().trim().max(512).optional(), aliases: addressList.optional(), members: addressList.optional() }))
    .mutation(async ({ ctx, input }): Promise<GroupDetail> => {
      const dir = ctx.deps.directory
      const actor = actorOf(ctx)
      let g = await findScopedGroup(ctx, input.cn, input.domain)
      assertVersion(entryVersion(g.attributes), input.version)
      const mods = [setAttr('mail', input.mail || undefined), setAttr('mailAlternateAddress', input.aliases)].filter((m) => m !== undefined)
      if (mods.length) g = await mapErrors(() => dir.modifyGroup(groupAddress(g), mods, actor))
      if (input.members) {
        const current = await memberAddresses(ctx, g)
        const want = new Set(input.members.map((m) => m.toLowerCase()))
        const have = new Set(current.map((m) => m.toLowerCase()))
        const add = input.members.filter((m) => !have.has(m.toLowerCase()))
        // remove by the stored form (DN or address), matched through its address
        const remove: string[] = []
        const stored = [...g.uniqueMember, ...g.mgrpRFC822MailMember]
        current.forEach((addr, idx) => { if (!want.has(addr.toLowerCase())) remove.push(stored[idx]!) })
        if (remove.length) g = await mapErrors(() => dir.removeGroupMembers(groupAddress(g), remove, actor), 'members')
        if (add.length) g = await mapErrors(() => dir.addGroupMembers(groupAddress(g), add, actor), 'members')
      }
      return detail(ctx, g)
    }),

  delete: procedure
    .meta({ perm: 'groups.write' })
    .input(groupKey)
    .mutation(async ({ ctx, input }): Promise<GroupRow> => {
      const g = await findScopedGroup(ctx, input.cn, input.domain)
      return groupRow(await mapErrors(() => ctx.deps.directory.deleteGroup(groupAddress(g), actorOf(ctx))))
    }),

  /** Removes a group marked deleted for good (spec 01 §5); a live group is refused. */
  purge: procedure
    .meta({ perm: 'groups.write' })
    .input(groupKey)
    .mutation(async ({ ctx, input }): Promise<{ ok: true }> => {
      const g = await findScopedGroup(ctx, input.cn, input.domain)
      await mapErrors(() => ctx.deps.directory.purgeGroup(groupAddress(g), actorOf(ctx)))
      return { ok: true }
    }),
})
