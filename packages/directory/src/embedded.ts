// The embedded provider's storage: directory entries in the control-plane database (Prisma models
// DirEntry + DirKey, prisma/schema.prisma "directory" section). Every address and domain name is a
// unique DirKey row, so an address can belong to one entry only, even with concurrent writers.
// Entry names compare case-insensitively (as LDAP uid/cn do): the stored `name` column is lower case,
// the entry keeps its spelling in `uid`/`cn`.
import { hashPassword, verifyPassword, type PrismaClient } from '@wren/db'
import { DirectoryError, type Attributes } from './types.js'
import type { Backend, Entry, ListOptions, PasswordCheck } from './backend.js'
import type { EntryKind } from './attributes.js'
import { getAll, getOne } from './attributes.js'
import { Schema2Layout, normalizeDn } from './dn.js'
import { addressesOf, entryStatus } from './model.js'

interface Row {
  id: number
  kind: string
  domain: string
  name: string
  attrs: string
  passwordHash: string
}

const SELECT = { id: true, kind: true, domain: true, name: true, attrs: true, passwordHash: true } as const

export class EmbeddedBackend implements Backend {
  readonly name = 'embedded' as const
  private readonly ids = new WeakMap<Entry, number>()

  constructor(private readonly prisma: PrismaClient, private readonly layout: Schema2Layout, private readonly onClose?: () => Promise<void>) {}

  private toEntry(row: Row): Entry {
    const attrs = JSON.parse(row.attrs) as Attributes
    const kind = row.kind as EntryKind
    const name = kind === 'user' ? getOne(attrs, 'uid') ?? row.name : kind === 'group' ? getOne(attrs, 'cn') ?? row.name : row.domain
    const dn = kind === 'domain' ? this.layout.domainDn(row.domain) : kind === 'user' ? this.layout.userDn(row.domain, name) : this.layout.groupDn(row.domain, name)
    const e: Entry = { kind, domain: row.domain, name, dn, attrs }
    this.ids.set(e, row.id)
    return e
  }

  private idOf(e: Entry): number {
    const id = this.ids.get(e)
    if (id === undefined) throw new Error('entry was not read from this backend')
    return id
  }

  private async one(kind: EntryKind, domain: string, name: string): Promise<Entry | undefined> {
    const row = await this.prisma.dirEntry.findUnique({ where: { kind_domain_name: { kind, domain, name: name.toLowerCase() } }, select: SELECT })
    return row ? this.toEntry(row) : undefined
  }

  async domain(name: string): Promise<Entry | undefined> {
    const key = await this.prisma.dirKey.findUnique({ where: { key: `d:${name.toLowerCase()}` }, select: { entry: { select: SELECT } } })
    return key ? this.toEntry(key.entry) : undefined
  }

  user(domain: string, uid: string): Promise<Entry | undefined> {
    return this.one('user', domain, uid)
  }

  group(domain: string, cn: string): Promise<Entry | undefined> {
    return this.one('group', domain, cn)
  }

  async byAddress(address: string): Promise<Entry[]> {
    const key = await this.prisma.dirKey.findUnique({ where: { key: `a:${address.toLowerCase()}` }, select: { entry: { select: SELECT } } })
    return key ? [this.toEntry(key.entry)] : []
  }

  async byDn(dn: string): Promise<Entry | undefined> {
    const c = this.layout.classify(dn)
    return c ? this.one(c.kind, c.domain, c.name) : undefined
  }

  async list(kind: EntryKind, opts: ListOptions): Promise<Entry[]> {
    const and: object[] = [{ kind }]
    if (opts.domain) and.push({ domain: opts.domain })
    if (opts.text) and.push({ search: { contains: opts.text.toLowerCase() } })
    if (opts.status) and.push({ status: opts.status === 'active' ? '' : opts.status })
    if (opts.after) {
      const d = opts.after.domain, n = opts.after.name.toLowerCase()
      and.push({ OR: [{ domain: { gt: d } }, { domain: d, name: { gt: n } }] })
    }
    const rows = await this.prisma.dirEntry.findMany({
      where: { AND: and },
      orderBy: [{ domain: 'asc' }, { name: 'asc' }],
      take: opts.limit,
      select: SELECT,
    })
    return rows.map((r) => this.toEntry(r))
  }

  async groupsWithMember(dn: string): Promise<Entry[]> {
    const key = normalizeDn(dn)
    const rows = await this.prisma.dirEntry.findMany({ where: { kind: 'group' }, select: SELECT })
    return rows.map((r) => this.toEntry(r)).filter((g) => getAll(g.attrs, 'uniqueMember').some((m) => normalizeDn(m) === key))
  }

  private keysOf(kind: EntryKind, domain: string, attrs: Attributes): Array<{ key: string; attr: string }> {
    if (kind === 'domain') {
      const names = new Set([domain, ...getAll(attrs, 'associatedDomain').map((d) => d.toLowerCase())])
      return [...names].map((n) => ({ key: `d:${n}`, attr: 'associatedDomain' }))
    }
    return addressesOf(attrs).map((a) => ({ key: `a:${a.address}`, attr: a.attr }))
  }

  private searchText(e: Pick<Entry, 'name' | 'attrs'>): string {
    const parts = [e.name, ...getAll(e.attrs, 'cn'), ...addressesOf(e.attrs).map((a) => a.address), ...getAll(e.attrs, 'associatedDomain')]
    return parts.join(' ').toLowerCase()
  }

  async add(entry: Omit<Entry, 'dn'>, password?: string): Promise<Entry> {
    const passwordHash = password ? await hashPassword(password) : ''
    try {
      const row = await this.prisma.dirEntry.create({
        data: {
          kind: entry.kind,
          domain: entry.domain,
          name: entry.name.toLowerCase(),
          attrs: JSON.stringify(entry.attrs),
          passwordHash,
          status: entryStatus(entry),
          search: this.searchText(entry),
          keys: { create: this.keysOf(entry.kind, entry.domain, entry.attrs) },
        },
        select: SELECT,
      })
      return this.toEntry(row)
    } catch (err) {
      throw uniqueViolation(err, entry.kind) ?? err
    }
  }

  async replace(entry: Entry, attrs: Attributes): Promise<Entry> {
    const id = this.idOf(entry)
    try {
      const row = await this.prisma.$transaction(async (tx) => {
        await tx.dirKey.deleteMany({ where: { entryId: id } })
        return tx.dirEntry.update({
          where: { id },
          data: {
            attrs: JSON.stringify(attrs),
            status: entryStatus({ kind: entry.kind, attrs }),
            search: this.searchText({ name: entry.name, attrs }),
            keys: { create: this.keysOf(entry.kind, entry.domain, attrs) },
          },
          select: SELECT,
        })
      })
      return this.toEntry(row)
    } catch (err) {
      throw uniqueViolation(err, entry.kind) ?? err
    }
  }

  async setPassword(entry: Entry, password: string): Promise<void> {
    await this.prisma.dirEntry.update({ where: { id: this.idOf(entry) }, data: { passwordHash: await hashPassword(password) } })
  }

  async checkPassword(entry: Entry, password: string): Promise<PasswordCheck> {
    const row = await this.prisma.dirEntry.findUnique({ where: { id: this.idOf(entry) }, select: { passwordHash: true } })
    if (!row || !row.passwordHash) return 'none'
    return (await verifyPassword(password, row.passwordHash)) ? 'ok' : 'bad'
  }

  async remove(entry: Entry): Promise<void> {
    if (entry.kind === 'domain') {
      await this.prisma.dirEntry.deleteMany({ where: { domain: entry.domain } })
      return
    }
    await this.prisma.dirEntry.delete({ where: { id: this.idOf(entry) } })
  }

  async close(): Promise<void> {
    await this.onClose?.()
  }
}

/** A unique-constraint failure (P2002) on DirKey/DirEntry → the precise provisioning error. */
function uniqueViolation(err: unknown, kind: EntryKind): DirectoryError | undefined {
  const e = err as { code?: string; meta?: { target?: unknown } }
  if (e?.code !== 'P2002') return undefined
  const target = JSON.stringify(e.meta?.target ?? '')
  if (target.includes('key')) {
    return kind === 'domain'
      ? new DirectoryError('domain-exists', 'a domain name is already in use', 'associatedDomain')
      : new DirectoryError('address-taken', 'an address is already in use by another entry', 'mail')
  }
  return new DirectoryError(kind === 'user' ? 'user-exists' : kind === 'group' ? 'group-exists' : 'domain-exists', `${kind} already exists`)
}
