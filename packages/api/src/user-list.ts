// users.list at 100k users: on the embedded provider one indexed SQL query over DirEntry (keyset
// pagination on the sort key + id, a COUNT for `total`); on LDAP the directory's own paged search.
import type { DirectoryUser } from '@wren/directory'
import { combineStatus } from '@wren/directory'
import type { ApiContext } from './context.js'
import { decodeCursor, encodeCursor } from './helpers.js'
import type { UserRow } from './types.js'
import { userRowOf } from './user-row.js'
import { CN_EXPR, MAIL_EXPR, SEARCH_TABLE, substringPhrase } from './search-index.js'

export interface ListQuery {
  /** `null` = every domain; otherwise only these (canonical, lower case). */
  domains: string[] | null
  search?: string
  status?: string
  sort?: 'uid' | 'mail' | 'cn'
  dir?: 'asc' | 'desc'
  cursor?: string
  limit?: number
}

export interface ListResult {
  items: UserRow[]
  nextCursor?: string
  total?: number
}

interface Row {
  id: number
  domain: string
  name: string
  attrs: string
  k: string | null
}

const SORT_EXPR: Record<'uid' | 'mail' | 'cn', string> = { uid: 'name', mail: MAIL_EXPR, cn: CN_EXPR }
/** Above this many search hits, walk the sort index and test membership instead of sorting the hits. */
const WALK_INDEX_ABOVE = 3000

export async function listUsers(ctx: ApiContext, q: ListQuery): Promise<ListResult> {
  const limit = Math.min(q.limit ?? 50, 1000)
  if (q.domains && q.domains.length === 0) return { items: [], total: 0 }
  if (ctx.deps.directory.provider !== 'embedded') return listViaDirectory(ctx, q, limit)
  const prisma = ctx.deps.db.prisma
  const sort = q.sort ?? 'uid'
  const desc = q.dir === 'desc'
  const expr = SORT_EXPR[sort]
  const where: string[] = ["kind = 'user'"]
  const params: unknown[] = []
  if (q.domains) {
    where.push(q.domains.length === 1 ? 'domain = ?' : `domain IN (${q.domains.map(() => '?').join(',')})`)
    params.push(...q.domains)
  }
  const text = q.search?.trim().toLowerCase()
  if (text && text.length >= 3) {
    // trigram index: substring of uid, cn or any address (the `search` column)
    const phrase = substringPhrase(text)
    where.push(`id IN (SELECT rowid FROM ${SEARCH_TABLE} WHERE ${SEARCH_TABLE} MATCH ?)`)
    params.push(phrase)
  } else if (text) {
    where.push('instr(search, ?) > 0')
    params.push(text)
  }
  if (q.status) {
    where.push('status = ?')
    params.push(q.status === 'active' ? '' : q.status)
  }
  const countSql = `SELECT COUNT(*) AS n FROM DirEntry WHERE ${where.join(' AND ')}`
  const countParams = [...params]
  const countNow = async () => Number((await prisma.$queryRawUnsafe<Array<{ n: number | bigint }>>(countSql, ...countParams))[0]?.n ?? 0)
  // A trigram search counts its hits first: the count is the page's `total` and decides the plan.
  const hits = text && text.length >= 3 ? await countNow() : undefined
  const after = decodeCursor<{ k: string; d: string; n: string }>(q.cursor)
  if (after) {
    const op = desc ? '<' : '>'
    where.push(`(${expr} ${op} ? OR (${expr} = ? AND (domain ${op} ? OR (domain = ? AND name ${op} ?))))`)
    params.push(after.k, after.k, after.d, after.d, after.n)
  }
  const order = desc ? 'DESC' : 'ASC'
  // Many hits (or none asked): walk the sort index in order and stop at the page; few hits: sort them.
  const index = hits !== undefined && hits <= WALK_INDEX_ABOVE ? '' : sortIndex(sort, q.domains)
  const sql = `SELECT id, domain, name, attrs, ${expr} AS k FROM DirEntry ${index} WHERE ${where.join(' AND ')} ORDER BY ${expr} ${order}, domain ${order}, name ${order} LIMIT ?`
  // A one- or two-letter search is a scan; its page comes from the index walk, its total is left out.
  const wantTotal = !text || text.length >= 3
  const [rows, total] = await Promise.all([
    prisma.$queryRawUnsafe<Row[]>(sql, ...params, limit + 1),
    hits !== undefined ? hits : wantTotal ? countNow() : undefined,
  ])
  const page = rows.slice(0, limit)
  const domainStatus = await domainStatuses(ctx, [...new Set(page.map((r) => r.domain))])
  const items = page.map((r) => {
    const attrs = JSON.parse(r.attrs) as Record<string, string[]>
    const one = (a: string) => attrs[a]?.[0]
    return {
      uid: one('uid') ?? r.name,
      domain: r.domain,
      mail: one('mail') ?? '',
      cn: one('cn') ?? '',
      status: combineStatus(domainStatus.get(r.domain), one('inetUserStatus'), one('mailUserStatus')),
      ...(one('mailQuota') !== undefined ? { mailQuota: one('mailQuota') } : {}),
      ...(one('mailMsgQuota') !== undefined ? { mailMsgQuota: one('mailMsgQuota') } : {}),
    } satisfies UserRow
  })
  const last = page[page.length - 1]
  return {
    items,
    ...(rows.length > limit && last ? { nextCursor: encodeCursor({ k: last.k ?? '', d: last.domain, n: last.name }) } : {}),
    ...(total !== undefined ? { total } : {}),
  }
}

function sortIndex(sort: 'uid' | 'mail' | 'cn', domains: string[] | null): string {
  if (domains && domains.length === 1) return sort === 'uid' ? 'INDEXED BY DirEntry_kind_domain_name_key' : `INDEXED BY DirEntry_domain_${sort}`
  if (domains) return ''
  return `INDEXED BY DirEntry_sort_${sort}`
}

/** Effective domain status (inetDomainStatus, then mailDomainStatus) of the listed domains. */
async function domainStatuses(ctx: ApiContext, names: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  await Promise.all(names.map(async (n) => {
    const d = await ctx.deps.directory.getDomain(n)
    if (d && d.status !== 'active') out.set(n, d.status)
  }))
  return out
}

/** LDAP provider: the directory's paged search per domain, in the directory's order (no `total`). */
async function listViaDirectory(ctx: ApiContext, q: ListQuery, limit: number): Promise<ListResult> {
  const dir = ctx.deps.directory
  const domains = q.domains ?? [undefined]
  const pos = decodeCursor<{ i: number; c?: string }>(q.cursor) ?? { i: 0 }
  const items: DirectoryUser[] = []
  let i = pos.i
  let c = pos.c
  while (i < domains.length && items.length < limit) {
    const page = await dir.searchUsers({ domain: domains[i], text: q.search?.trim() || undefined, status: q.status as DirectoryUser['status'] | undefined, cursor: c, limit: limit - items.length })
    items.push(...page.items)
    if (page.nextCursor) c = page.nextCursor
    else { i++; c = undefined }
  }
  const more = i < domains.length
  return { items: items.map(userRowOf), ...(more ? { nextCursor: encodeCursor({ i, c }) } : {}) }
}
