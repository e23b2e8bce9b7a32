// The ldap provider's storage: entries in a real LDAP directory, Schema 2 layout (spec 04 B.6):
// organisation nodes per domain under the user/group suffix, found with the domain search template;
// users and groups below their domain's node, found with the user/group search templates. Entries
// added by other tools (ldapadd, Directory Server consoles) are found the same way.
import { createHash, randomBytes } from 'node:crypto'
import { Attribute, Change, InvalidCredentialsError, NoSuchObjectError, AlreadyExistsError, type Client, type Entry as LdapEntry } from 'ldapts'
import { DirectoryError, type Attributes } from '../types.js'
import type { Backend, Entry, ListOptions, PasswordCheck } from '../backend.js'
import { attributeNames, canonicalAttr, getAll, getOne, type EntryKind } from '../attributes.js'
import { escapeDnValue, normalizeDn, parseDn } from '../dn.js'
import { entryStatus } from '../model.js'
import { LdapPool, type PoolOptions } from './pool.js'
import { escapeFilter, fillTemplate } from './filter.js'

export interface LdapBackendOptions extends PoolOptions {
  basedn: string
  domainFilter: string
  userFilter: string
  groupFilter: string
  mailFilter: string
}

const OBJECT_CLASSES: Record<EntryKind, string[]> = {
  domain: ['top', 'organization', 'sunManagedOrganization', 'mailDomain', 'inetDomain'],
  user: ['top', 'person', 'organizationalPerson', 'inetOrgPerson', 'inetUser', 'inetMailUser', 'inetLocalMailRecipient'],
  group: ['top', 'inetMailList', 'inetMailGroup', 'inetLocalMailRecipient'],
}
// Auxiliary classes Wren needs on an entry to write its attributes (added to outside entries that lack them).
const AUX: Record<EntryKind, string[]> = {
  domain: ['sunManagedOrganization', 'mailDomain', 'inetDomain'],
  user: ['inetUser', 'inetMailUser', 'inetLocalMailRecipient'],
  group: ['inetMailGroup', 'inetLocalMailRecipient'],
}

/** RFC 2307 `{SSHA}` password hash, which slapd verifies on bind. */
export function sshaHash(password: string): string {
  const salt = randomBytes(8)
  const digest = createHash('sha1').update(password).update(salt).digest()
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`
}

function values(v: LdapEntry[string] | undefined): string[] {
  if (v === undefined) return []
  const arr = Array.isArray(v) ? v : [v]
  return arr.map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x)))
}

function kindOf(objectClasses: string[]): EntryKind | undefined {
  const oc = new Set(objectClasses.map((o) => o.toLowerCase()))
  if (oc.has('inetmailuser') || oc.has('inetorgperson')) return 'user'
  if (oc.has('inetmailgroup') || oc.has('groupofuniquenames') || oc.has('inetmaillist')) return 'group'
  if (oc.has('maildomain') || oc.has('sunmanagedorganization')) return 'domain'
  return undefined
}

export class LdapBackend implements Backend {
  readonly name = 'ldap' as const
  readonly pool: LdapPool
  private readonly suffix: string
  /** Domain org-node DN (normalised) → canonical domain name. */
  private readonly domainByDn = new Map<string, string>()

  constructor(private readonly opts: LdapBackendOptions) {
    this.pool = new LdapPool(opts)
    this.suffix = opts.basedn
  }

  private async search(base: string, filter: string, scope: 'base' | 'one' | 'sub' = 'sub', sizeLimit = 0): Promise<LdapEntry[]> {
    try {
      return await this.pool.use(async (c) => (await c.search(base, { scope, filter, sizeLimit, attributes: ['*'] })).searchEntries)
    } catch (err) {
      if (err instanceof NoSuchObjectError) return []
      throw unavailable(err)
    }
  }

  private toEntry(raw: LdapEntry, kind: EntryKind, domain: string): Entry {
    const attrs: Attributes = {}
    for (const [k, v] of Object.entries(raw)) {
      if (k === 'dn') continue
      const name = canonicalAttr(kind, k)
      if (!name) continue
      attrs[name] = values(v)
    }
    const name = kind === 'user' ? getOne(attrs, 'uid') ?? '' : kind === 'group' ? getOne(attrs, 'cn') ?? '' : domain
    return { kind, domain, name, dn: raw.dn, attrs }
  }

  private domainEntry(raw: LdapEntry): Entry {
    const name = (values(raw.sunPreferredDomain ?? raw.sunpreferreddomain)[0] ?? values(raw.associatedDomain ?? raw.associateddomain)[0] ?? values(raw.o)[0] ?? '').toLowerCase()
    this.domainByDn.set(normalizeDn(raw.dn), name)
    const e = this.toEntry(raw, 'domain', name)
    if (!getAll(e.attrs, 'associatedDomain').length) e.attrs.associatedDomain = [name]
    return e
  }

  async domain(name: string): Promise<Entry | undefined> {
    const rows = await this.search(this.suffix, fillTemplate(this.opts.domainFilter, { d: name }))
    return rows[0] ? this.domainEntry(rows[0]) : undefined
  }

  /** The canonical domain of an entry below an organisation node. */
  private async domainOfDn(dn: string): Promise<string | undefined> {
    const rdns = parseDn(dn)
    if (!rdns) return undefined
    // Walk up the ancestors to the nearest organisation node that is a mail domain.
    for (let i = 1; i < rdns.length; i++) {
      const anc = rdns.slice(i).map(([a, v]) => `${a}=${escapeDnValue(v)}`).join(',')
      const key = normalizeDn(anc)
      const known = this.domainByDn.get(key)
      if (known) return known
      if (rdns[i]![0] !== 'o' && rdns[i]![0] !== 'dc') continue
      const rows = await this.search(anc, '(|(objectClass=mailDomain)(objectClass=sunManagedOrganization))', 'base')
      if (rows[0]) return this.domainEntry(rows[0]).domain
    }
    return undefined
  }

  private async entryFrom(raw: LdapEntry): Promise<Entry | undefined> {
    const kind = kindOf(values(raw.objectClass ?? raw.objectclass))
    if (!kind) return undefined
    if (kind === 'domain') return this.domainEntry(raw)
    const domain = await this.domainOfDn(raw.dn)
    return domain ? this.toEntry(raw, kind, domain) : undefined
  }

  async user(domain: string, uid: string): Promise<Entry | undefined> {
    const d = await this.domain(domain)
    if (!d) return undefined
    const rows = await this.search(d.dn, fillTemplate(this.opts.userFilter, { u: uid, d: d.domain }))
    return rows[0] ? this.toEntry(rows[0], 'user', d.domain) : undefined
  }

  async group(domain: string, cn: string): Promise<Entry | undefined> {
    const d = await this.domain(domain)
    if (!d) return undefined
    const rows = await this.search(d.dn, fillTemplate(this.opts.groupFilter, { g: cn, d: d.domain }))
    return rows[0] ? this.toEntry(rows[0], 'group', d.domain) : undefined
  }

  async byAddress(address: string): Promise<Entry[]> {
    const rows = await this.search(this.suffix, fillTemplate(this.opts.mailFilter, { s: address }))
    const out: Entry[] = []
    for (const r of rows) {
      const e = await this.entryFrom(r)
      if (e && e.kind !== 'domain') out.push(e)
    }
    return out
  }

  async byDn(dn: string): Promise<Entry | undefined> {
    const rows = await this.search(dn, '(objectClass=*)', 'base')
    return rows[0] ? this.entryFrom(rows[0]) : undefined
  }

  async list(kind: EntryKind, opts: ListOptions): Promise<Entry[]> {
    const cls = kind === 'user' ? '(objectClass=inetMailUser)' : kind === 'group' ? '(objectClass=inetMailGroup)' : '(objectClass=mailDomain)'
    let filter = cls
    if (opts.text) {
      const t = escapeFilter(opts.text)
      const attrs = kind === 'domain' ? ['associatedDomain', 'o'] : ['uid', 'cn', 'mail', 'mailAlternateAddress', 'mailEquivalentAddress']
      filter = `(&${cls}(|${attrs.map((a) => `(${a}=*${t}*)`).join('')}))`
    }
    let base = this.suffix
    if (opts.domain && kind !== 'domain') {
      const d = await this.domain(opts.domain)
      if (!d) return []
      base = d.dn
    }
    const rows = await this.search(base, filter)
    const entries: Entry[] = []
    for (const r of rows) {
      const e = await this.entryFrom(r)
      if (e && e.kind === kind) entries.push(e)
    }
    // The console pages through the whole directory: sort by (domain, name) and slice after the cursor.
    const key = (e: Entry) => [e.domain, e.name.toLowerCase()] as const
    entries.sort((a, b) => (key(a)[0] < key(b)[0] ? -1 : key(a)[0] > key(b)[0] ? 1 : key(a)[1] < key(b)[1] ? -1 : key(a)[1] > key(b)[1] ? 1 : 0))
    const after = opts.after
    return entries
      .filter((e) => !opts.status || (entryStatus(e) || 'active') === opts.status)
      .filter((e) => !after || e.domain > after.domain || (e.domain === after.domain && e.name.toLowerCase() > after.name.toLowerCase()))
      .slice(0, opts.limit)
  }

  async groupsWithMember(dn: string): Promise<Entry[]> {
    const rows = await this.search(this.suffix, `(&(objectClass=inetMailGroup)(uniqueMember=${escapeFilter(dn)}))`)
    const out: Entry[] = []
    for (const r of rows) {
      const e = await this.entryFrom(r)
      if (e?.kind === 'group') out.push(e)
    }
    return out
  }

  private async write<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    try {
      return await this.pool.use(fn)
    } catch (err) {
      if (err instanceof AlreadyExistsError) throw new DirectoryError('user-exists', `entry already exists: ${(err as Error).message}`)
      if (err instanceof DirectoryError) throw err
      const code = (err as { code?: unknown }).code
      if (typeof code === 'number') throw new DirectoryError('invalid-value', `LDAP server refused the change: ${(err as Error).message}`)
      throw unavailable(err)
    }
  }

  private async ensureOu(c: Client, parent: string, ou: string): Promise<string> {
    const dn = `ou=${ou},${parent}`
    try {
      await c.add(dn, { objectClass: ['top', 'organizationalUnit'], ou })
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err
    }
    return dn
  }

  async add(entry: Omit<Entry, 'dn'>, password?: string): Promise<Entry> {
    const attrs: Record<string, string[]> = { ...entry.attrs, objectClass: OBJECT_CLASSES[entry.kind] }
    if (password) attrs.userPassword = [sshaHash(password)]
    let dn: string
    if (entry.kind === 'domain') {
      dn = `o=${escapeDnValue(entry.domain)},${this.suffix}`
      attrs.o = [entry.domain]
    } else {
      const d = await this.domain(entry.domain)
      if (!d) throw new DirectoryError('unknown-domain', `domain ${entry.domain} does not exist`)
      dn = entry.kind === 'user' ? `uid=${escapeDnValue(entry.name)},ou=People,${d.dn}` : `cn=${escapeDnValue(entry.name)},ou=Groups,${d.dn}`
      if (entry.kind === 'user' && !attrs.sn) attrs.sn = [entry.name]
    }
    await this.write(async (c) => {
      if (entry.kind === 'domain') {
        await c.add(dn, attrs)
        await this.ensureOu(c, dn, 'People')
        await this.ensureOu(c, dn, 'Groups')
      } else {
        const parent = dn.slice(dn.indexOf(',') + 1)
        const [, ou] = parent.split(',')[0]!.split('=')
        await this.ensureOu(c, parent.slice(parent.indexOf(',') + 1), ou!)
        await c.add(dn, attrs)
      }
    })
    if (entry.kind === 'domain') this.domainByDn.set(normalizeDn(dn), entry.domain)
    return { ...entry, dn, attrs: entry.attrs }
  }

  async replace(entry: Entry, attrs: Attributes): Promise<Entry> {
    const changes: Change[] = []
    const names = new Set([...Object.keys(entry.attrs), ...Object.keys(attrs)])
    const rdnAttr = parseDn(entry.dn)?.[0]?.[0]
    for (const name of names) {
      if (name.toLowerCase() === rdnAttr) continue
      const before = entry.attrs[name] ?? []
      const after = attrs[name] ?? []
      if (JSON.stringify(before) === JSON.stringify(after)) continue
      changes.push(new Change({ operation: 'replace', modification: new Attribute({ type: name, values: after }) }))
    }
    if (changes.length) {
      await this.write(async (c) => {
        const raw = (await c.search(entry.dn, { scope: 'base', attributes: ['objectClass'] })).searchEntries[0]
        const have = new Set(values(raw?.objectClass ?? raw?.objectclass).map((o) => o.toLowerCase()))
        const missing = AUX[entry.kind].filter((o) => !have.has(o.toLowerCase()))
        if (missing.length) changes.unshift(new Change({ operation: 'add', modification: new Attribute({ type: 'objectClass', values: missing }) }))
        await c.modify(entry.dn, changes)
      })
    }
    return { ...entry, attrs }
  }

  async setPassword(entry: Entry, password: string): Promise<void> {
    await this.write((c) => c.modify(entry.dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'userPassword', values: [sshaHash(password)] }) })))
  }

  /** Authentication by LDAP bind as the user's DN (the product's behaviour with an LDAP directory). */
  async checkPassword(entry: Entry, password: string): Promise<PasswordCheck> {
    if (password === '') return 'bad' // an empty password would be an unauthenticated bind (RFC 4513 §5.1.2)
    try {
      const c = await this.pool.connect({ dn: entry.dn, password })
      await c.unbind().catch(() => {})
      return 'ok'
    } catch (err) {
      if (err instanceof InvalidCredentialsError) return 'bad'
      throw err
    }
  }

  async remove(entry: Entry): Promise<void> {
    await this.write(async (c) => {
      if (entry.kind === 'domain') {
        const rows = (await c.search(entry.dn, { scope: 'sub', filter: '(objectClass=*)', attributes: ['1.1'] })).searchEntries
        // Deepest first: children before their parents.
        rows.sort((a, b) => (parseDn(b.dn)?.length ?? 0) - (parseDn(a.dn)?.length ?? 0))
        for (const r of rows) await c.del(r.dn)
      } else {
        await c.del(entry.dn)
      }
    })
  }

  async close(): Promise<void> {
    await this.pool.close()
  }
}

function unavailable(err: unknown): Error {
  if (err instanceof DirectoryError) return err
  const e = err as { code?: unknown; message?: string }
  if (typeof e?.code === 'number') return err as Error
  return new DirectoryError('unavailable', `directory unavailable: ${e?.message ?? String(err)}`)
}

/** Attribute names Wren reads from LDAP for an entry kind (for documentation and ldapsearch examples). */
export function ldapAttributes(kind: EntryKind): string[] {
  return ['objectClass', ...attributeNames(kind)]
}
