// The Directory implementation shared by both providers: lookups with a TTL cache, authentication,
// group expansion, provisioning with validation and audit. Storage is a Backend (embedded or ldap).
import type { Logger } from '@wren/kernel'
import type { AuditEntry } from '@wren/db'
import { diffRecords } from '@wren/db'
import {
  DirectoryError,
  type Actor, type Attributes, type AuthContext, type AuthResult, type Directory, type DirectoryDomain,
  type DirectoryGroup, type DirectoryUser, type DomainInput, type GroupExpansion, type GroupInput,
  type Modification, type Page, type Resolution, type SearchQuery, type UserInput, type UserQuotaSource,
} from './types.js'
import type { Backend, Entry } from './backend.js'
import { TtlCache } from './cache.js'
import { attributesFrom, checkValues, canonicalAttr, compact, getAll, getOne, type EntryKind } from './attributes.js'
import { addressesOf, toDomain, toGroup, toUser } from './model.js'
import { loginDenial, statusMessage } from './status.js'
import { splitAddress, validateAddress, validateDomainName, validateUid } from './validate.js'
import { normalizeDn } from './dn.js'

export interface DirectoryOptions {
  backend: Backend
  defaultDomain: string
  hostname: string
  /** Records an audit event (the control-plane audit log). */
  audit?: (entry: AuditEntry) => Promise<void>
  cacheTtlMs?: number
  cacheSize?: number
  logger?: Logger
  /** Sub-address separator (`+detail`). */
  subaddressChar?: string
}

type Resolved = Exclude<Resolution, { kind: 'none' }>

const DELETED = new Set(['deleted', 'removed'])
/** How long "no such address / domain" stays cached. */
const NEGATIVE_TTL_MS = 5_000

export class DirectoryService implements Directory {
  readonly provider: 'embedded' | 'ldap'
  readonly defaultDomain: string
  readonly hostname: string
  private readonly backend: Backend
  private readonly resolveCache: TtlCache<Promise<Resolution>>
  private readonly domainCache: TtlCache<Promise<DirectoryDomain | undefined>>
  private readonly entryCache: TtlCache<Promise<Entry | undefined>>
  private readonly preferredHost = new WeakMap<DirectoryUser, string | undefined>()
  private readonly sub: string

  constructor(private readonly opts: DirectoryOptions) {
    this.backend = opts.backend
    this.provider = opts.backend.name
    this.defaultDomain = opts.defaultDomain.toLowerCase()
    this.hostname = opts.hostname.toLowerCase()
    const ttl = opts.cacheTtlMs ?? 60_000
    const size = opts.cacheSize ?? 200_000
    this.resolveCache = new TtlCache(ttl, size)
    this.domainCache = new TtlCache(ttl, 10_000)
    this.entryCache = new TtlCache(ttl, size)
    this.sub = opts.subaddressChar ?? '+'
  }

  /** Cache statistics (the benchmark reports them). */
  cacheStats(): { hits: number; misses: number; size: number } {
    return { hits: this.resolveCache.hits, misses: this.resolveCache.misses, size: this.resolveCache.size }
  }

  invalidate(): void {
    this.resolveCache.clear()
    this.domainCache.clear()
    this.entryCache.clear()
  }

  async close(): Promise<void> {
    this.invalidate()
    await this.backend.close()
  }

  // ---------------------------------------------------------------- lookups

  getDomain(name: string): Promise<DirectoryDomain | undefined> {
    const key = name.trim().toLowerCase().replace(/\.$/, '')
    const hit = this.domainCache.get(key)
    if (hit) return hit
    const p = this.backend.domain(key).then((e) => (e ? toDomain(e) : undefined))
    this.domainCache.set(key, p)
    p.then((d) => { if (!d) this.domainCache.set(key, p, NEGATIVE_TTL_MS) }, () => this.domainCache.delete(key))
    return p
  }

  private async domainOf(e: Entry): Promise<DirectoryDomain> {
    const d = await this.getDomain(e.domain)
    // An entry whose domain node is gone (possible in an outside LDAP directory) is treated as inactive.
    return d ?? { name: e.domain, aliases: [], status: 'inactive', inetDomainStatus: 'inactive', dn: '', attributes: {} }
  }

  private async userView(e: Entry): Promise<DirectoryUser> {
    const d = await this.domainOf(e)
    const u = toUser(e, d, this.defaultDomain)
    this.preferredHost.set(u, d.preferredMailHost)
    return u
  }

  private async groupView(e: Entry): Promise<DirectoryGroup> {
    return toGroup(e, await this.domainOf(e))
  }

  resolveAddress(address: string): Promise<Resolution> {
    const key = address.trim().toLowerCase()
    const hit = this.resolveCache.get(key)
    if (hit) return hit
    const p = this.doResolve(address)
    this.resolveCache.set(key, p)
    // Negative answers live shorter, so that a recipient provisioned elsewhere is seen soon.
    p.then((r) => { if (r.kind === 'none') this.resolveCache.set(key, p, NEGATIVE_TTL_MS) }, () => this.resolveCache.delete(key))
    return p
  }

  private async doResolve(raw: string): Promise<Resolution> {
    let address = raw.trim()
    if (address.startsWith('<') && address.endsWith('>')) address = address.slice(1, -1).trim()
    if (address === '') return { kind: 'none', reason: 'invalid' }
    const at = address.lastIndexOf('@')
    if (at === -1) {
      // A bare user id names a user of the default domain.
      return this.resolveLocal(address, this.defaultDomain, true)
    }
    const parts = splitAddress(address)
    if (!parts) return { kind: 'none', reason: 'invalid' }
    return this.resolveLocal(parts.local, parts.domain, false)
  }

  private async resolveLocal(local: string, domainName: string, bare: boolean): Promise<Resolution> {
    const domain = await this.getDomain(domainName)
    if (!domain) return { kind: 'none', reason: 'unknown-domain' }
    const names = [...new Set([domainName, domain.name])]
    const tryLocal = async (lp: string): Promise<Resolved | undefined> => {
      if (bare) {
        // A bare user id is the uid of a default-domain user first (spec 03 §1 store ids).
        const e = await this.backend.user(domain.name, lp)
        if (e) {
          const user = await this.userView(e)
          return { kind: 'user', user, domain, matched: 'uid', status: user.status }
        }
      }
      for (const d of names) {
        const r = await this.byExactAddress(`${lp}@${d}`)
        if (r) return r
      }
      return undefined
    }
    const exact = await tryLocal(local)
    if (exact) return exact
    // RFC 5233 sub-addressing: `user+detail@domain` reaches `user@domain` with the detail kept.
    const plus = local.indexOf(this.sub)
    if (plus > 0) {
      const r = await tryLocal(local.slice(0, plus))
      if (r) return { ...r, detail: local.slice(plus + 1) }
    }
    // Domain catch-all: `mailAlternateAddress: @domain`.
    for (const d of names) {
      const r = await this.byExactAddress(`@${d}`)
      if (r) return { ...r, matched: 'catchall' } as Resolved
    }
    return { kind: 'none', reason: 'unknown-address', domain }
  }

  private async byExactAddress(address: string): Promise<Resolved | undefined> {
    const entries = await this.backend.byAddress(address)
    if (entries.length === 0) return undefined
    if (entries.length > 1) this.opts.logger?.warning('LDAP', `address ${address} is held by ${entries.length} entries; using ${entries[0]!.dn}`)
    const e = entries[0]!
    const matched = matchedAttr(e.attrs, address)
    if (e.kind === 'user') {
      const user = await this.userView(e)
      return { kind: 'user', user, domain: await this.domainOf(e), matched, status: user.status }
    }
    const group = await this.groupView(e)
    return { kind: 'group', group, domain: await this.domainOf(e), matched, status: group.status }
  }

  private async userEntry(idOrAddress: string): Promise<Entry | undefined> {
    const id = idOrAddress.trim()
    if (id === '') return undefined
    const at = id.lastIndexOf('@')
    if (at === -1) return this.backend.user(this.defaultDomain, id)
    const local = id.slice(0, at)
    const domain = await this.getDomain(id.slice(at + 1))
    if (domain && local) {
      const e = await this.backend.user(domain.name, local)
      if (e) return e
    }
    const entries = await this.backend.byAddress(id.toLowerCase())
    return entries.find((e) => e.kind === 'user')
  }

  async findUser(idOrAddress: string): Promise<DirectoryUser | undefined> {
    const e = await this.userEntry(idOrAddress)
    return e ? this.userView(e) : undefined
  }

  private async groupEntry(addressOrCn: string): Promise<Entry | undefined> {
    const a = addressOrCn.trim()
    const at = a.lastIndexOf('@')
    if (at <= 0) return undefined
    const entries = await this.backend.byAddress(a.toLowerCase())
    const hit = entries.find((e) => e.kind === 'group')
    if (hit) return hit
    const domain = await this.getDomain(a.slice(at + 1))
    return domain ? this.backend.group(domain.name, a.slice(0, at)) : undefined
  }

  async findGroup(addressOrCn: string): Promise<DirectoryGroup | undefined> {
    const e = await this.groupEntry(addressOrCn)
    return e ? this.groupView(e) : undefined
  }

  isLocalMailHost(user: DirectoryUser): boolean {
    const host = (user.mailHost ?? this.preferredHost.get(user) ?? '').toLowerCase()
    return host !== '' && host === this.hostname
  }

  async quotaSource(storeId: string): Promise<UserQuotaSource | undefined> {
    const user = await this.findUser(storeId)
    if (!user) return undefined
    const domain = await this.getDomain(user.domain)
    return {
      mailQuota: user.mailQuota ?? null,
      mailMsgQuota: user.mailMsgQuota ?? null,
      status: user.status,
      domain: user.domain,
      domainDiskQuota: domain?.mailDomainDiskQuota ?? null,
      domainMsgQuota: domain?.mailDomainMsgQuota ?? null,
      aclGroupAddr: getAll(user.attributes, 'aclGroupAddr'),
    }
  }

  async authenticate(login: string, password: string, _ctx: AuthContext): Promise<AuthResult> {
    const name = login.trim()
    if (name === '' || /[\s\0]/.test(name) || password === '') {
      return { ok: false, reason: 'invalid-login', message: 'empty or malformed login' }
    }
    let entry: Entry | undefined
    try {
      entry = await this.userEntry(name)
    } catch (err) {
      return { ok: false, reason: 'unavailable', message: `directory unavailable: ${(err as Error).message}` }
    }
    if (!entry) return { ok: false, reason: 'unknown-user', message: `no such user ${name}` }
    const user = await this.userView(entry)
    let check
    try {
      check = await this.backend.checkPassword(entry, password)
    } catch (err) {
      return { ok: false, reason: 'unavailable', user, message: `directory unavailable: ${(err as Error).message}` }
    }
    if (check === 'none') return { ok: false, reason: 'no-password', user, message: `user ${user.storeId} has no password` }
    if (check === 'bad') return { ok: false, reason: 'bad-password', user, message: `bad password for ${user.storeId}` }
    const denial = loginDenial(user.status)
    if (denial) return { ok: false, reason: denial, user, message: statusMessage(user.status) }
    return { ok: true, user, domain: await this.domainOf(entry) }
  }

  private entryByDn(dn: string): Promise<Entry | undefined> {
    const key = normalizeDn(dn)
    const hit = this.entryCache.get(key)
    if (hit) return hit
    const p = this.backend.byDn(dn)
    this.entryCache.set(key, p)
    p.catch(() => this.entryCache.delete(key))
    return p
  }

  async expandGroup(group: DirectoryGroup, opts: { maxDepth?: number } = {}): Promise<GroupExpansion> {
    const maxDepth = opts.maxDepth ?? 20
    const out: GroupExpansion = { users: [], addresses: [], problems: [] }
    const seenUsers = new Set<string>()
    const seenAddrs = new Set<string>()
    const expanded = new Set<string>()
    const walk = async (g: DirectoryGroup, path: string[], pathDns: Set<string>): Promise<void> => {
      expanded.add(normalizeDn(g.dn))
      const via = [...path, g.mail ?? `${g.cn}@${g.domain}`]
      for (const dn of g.uniqueMember) {
        const key = normalizeDn(dn)
        if (pathDns.has(key)) { out.problems.push({ member: dn, reason: 'loop', via }); continue }
        const e = await this.entryByDn(dn)
        if (!e || e.kind === 'domain') { out.problems.push({ member: dn, reason: 'unknown', via }); continue }
        if (e.kind === 'user') {
          if (seenUsers.has(key)) continue
          seenUsers.add(key)
          out.users.push({ user: await this.userView(e), via })
          continue
        }
        if (expanded.has(key)) continue // reached twice without a loop (a diamond): expand once
        if (via.length >= maxDepth) { out.problems.push({ member: dn, reason: 'depth', via }); continue }
        const sub = await this.groupView(e)
        if (sub.status !== 'active') { out.problems.push({ member: dn, reason: 'status', via }); continue }
        await walk(sub, via, new Set([...pathDns, key]))
      }
      for (const a of g.mgrpRFC822MailMember) {
        const k = a.toLowerCase()
        if (seenAddrs.has(k)) continue
        seenAddrs.add(k)
        out.addresses.push({ address: a, via })
      }
    }
    await walk(group, [], new Set([normalizeDn(group.dn)]))
    return out
  }

  // ---------------------------------------------------------------- provisioning helpers

  private async audit(actor: Actor, action: string, target: string, domain: string, before: Record<string, unknown>, after: Record<string, unknown>): Promise<void> {
    this.invalidate()
    this.opts.logger?.notice('General', `directory ${action} ${target} by ${actor.actor}`)
    if (!this.opts.audit) return
    await this.opts.audit({
      actor: actor.actor, role: actor.role, source: actor.source, sourceIp: actor.sourceIp,
      action, target, domain, diff: diffRecords(before, after),
    })
  }

  private applyMods(kind: EntryKind, attrs: Attributes, mods: Modification[]): Attributes {
    const next: Attributes = structuredClone(attrs)
    for (const m of mods) {
      if (m.op === 'delete') {
        const name = canonicalAttr(kind, m.attr)
        if (!name) throw new DirectoryError('invalid-attribute', `unknown ${kind} attribute "${m.attr}"`, m.attr)
        checkValues(kind, name, [])
        if (m.values.length === 0) { delete next[name]; continue }
        const cur = next[name] ?? []
        for (const v of m.values) {
          const i = cur.findIndex((c) => c.toLowerCase() === v.trim().toLowerCase())
          if (i === -1) throw new DirectoryError('invalid-value', `${name} has no value "${v}"`, name)
          cur.splice(i, 1)
        }
        next[name] = cur
        continue
      }
      const r = checkValues(kind, m.attr, m.values)
      if (m.op === 'replace') next[r.attr] = r.values
      else {
        const cur = next[r.attr] ?? []
        for (const v of r.values) if (!cur.some((c) => c.toLowerCase() === v.toLowerCase())) cur.push(v)
        next[r.attr] = cur
      }
      checkValues(kind, r.attr, next[r.attr]!)
    }
    return compact(next)
  }

  /** Addresses must be in a hosted domain and not held by another entry (users, groups, aliases). */
  private async checkAddresses(attrs: Attributes, selfDn?: string): Promise<void> {
    for (const { address, attr } of addressesOf(attrs)) {
      const at = address.lastIndexOf('@')
      const local = address.slice(0, at)
      const domainName = address.slice(at + 1)
      const domain = await this.getDomain(domainName)
      if (!domain) {
        throw new DirectoryError('unknown-domain', `${attr} "${address}": domain ${domainName} is not a hosted domain`, attr)
      }
      // The same local part in any name of the domain is the same mailbox (domain aliases).
      for (const d of new Set([domainName, domain.name, ...domain.aliases])) {
        const form = `${local}@${d}`
        const holders = (await this.backend.byAddress(form)).filter((e) => !selfDn || normalizeDn(e.dn) !== normalizeDn(selfDn))
        if (holders.length) {
          const h = holders[0]!
          throw new DirectoryError('address-taken', `address ${address} is already used by ${h.kind} ${h.name}@${h.domain}${form !== address ? ` (as ${form})` : ''}`, attr)
        }
      }
    }
  }

  private async liveDomain(name: string | undefined): Promise<Entry> {
    const domainName = name === undefined || name === '' ? this.defaultDomain : validateDomainName(name)
    const d = await this.backend.domain(domainName)
    if (!d) throw new DirectoryError('unknown-domain', `domain ${domainName} does not exist`, 'domain')
    if (DELETED.has(toDomain(d).status)) throw new DirectoryError('unknown-domain', `domain ${d.domain} is marked ${toDomain(d).status}`, 'domain')
    return d
  }

  // ---------------------------------------------------------------- domains

  async createDomain(input: DomainInput, actor: Actor): Promise<DirectoryDomain> {
    const name = validateDomainName(input.name)
    const attrs = attributesFrom('domain', input.attributes)
    const aliases = [...new Set([...(input.aliases ?? []).map(validateDomainName), ...(attrs.associatedDomain ?? [])].filter((a) => a !== name))]
    for (const n of [name, ...aliases]) {
      const other = await this.backend.domain(n)
      if (other) {
        throw new DirectoryError('domain-exists', n === other.domain ? `domain ${n} already exists` : `domain name ${n} is already an alias of ${other.domain}`, 'domain')
      }
    }
    attrs.o = [name]
    attrs.sunPreferredDomain = [name]
    attrs.associatedDomain = [name, ...aliases]
    if (!attrs.preferredMailHost) attrs.preferredMailHost = [this.hostname]
    const entry = await this.backend.add({ kind: 'domain', domain: name, name, attrs })
    await this.audit(actor, 'domain.create', name, name, {}, flat(entry.attrs))
    return toDomain(entry)
  }

  private async domainEntry(name: string): Promise<Entry> {
    const e = await this.backend.domain(name.trim().toLowerCase())
    if (!e) throw new DirectoryError('not-found', `domain ${name} does not exist`, 'domain')
    return e
  }

  async modifyDomain(name: string, mods: Modification[], actor: Actor): Promise<DirectoryDomain> {
    const e = await this.domainEntry(name)
    const next = this.applyMods('domain', e.attrs, mods)
    const assoc = new Set((next.associatedDomain ?? []).map((d) => d.toLowerCase()))
    if (!assoc.has(e.domain)) next.associatedDomain = [e.domain, ...(next.associatedDomain ?? [])]
    for (const alias of next.associatedDomain!) {
      const other = await this.backend.domain(alias)
      if (other && other.domain !== e.domain) throw new DirectoryError('domain-exists', `domain name ${alias} already belongs to ${other.domain}`, 'associatedDomain')
    }
    const saved = await this.backend.replace(e, next)
    await this.audit(actor, 'domain.modify', e.domain, e.domain, flat(e.attrs), flat(saved.attrs))
    return toDomain(saved)
  }

  async deleteDomain(name: string, actor: Actor): Promise<DirectoryDomain> {
    const e = await this.domainEntry(name)
    if (e.domain === this.defaultDomain) throw new DirectoryError('invalid-value', `the default domain ${e.domain} cannot be deleted`, 'domain')
    return this.modifyDomainStatus(e, 'inetDomainStatus', 'deleted', actor, 'domain.delete')
  }

  private async modifyDomainStatus(e: Entry, attr: string, value: string, actor: Actor, action: string): Promise<DirectoryDomain> {
    const saved = await this.backend.replace(e, { ...e.attrs, [attr]: [value] })
    await this.audit(actor, action, e.domain, e.domain, flat(e.attrs), flat(saved.attrs))
    return toDomain(saved)
  }

  async purgeDomain(name: string, actor: Actor): Promise<void> {
    const e = await this.domainEntry(name)
    if (!DELETED.has(toDomain(e).status)) throw new DirectoryError('not-deleted', `domain ${e.domain} is not marked deleted; run domain delete first`, 'domain')
    await this.backend.remove(e)
    await this.audit(actor, 'domain.purge', e.domain, e.domain, flat(e.attrs), {})
  }

  async listDomains(query: { cursor?: string; limit?: number; text?: string } = {}): Promise<Page<DirectoryDomain>> {
    const limit = clampLimit(query.limit)
    const rows = await this.backend.list('domain', { text: query.text, after: decodeCursor(query.cursor), limit: limit + 1 })
    return page(rows.map(toDomain), rows, limit)
  }

  // ---------------------------------------------------------------- users

  async createUser(input: UserInput, actor: Actor): Promise<DirectoryUser> {
    const uid = validateUid(input.uid)
    const d = await this.liveDomain(input.domain)
    if (await this.backend.user(d.domain, uid)) throw new DirectoryError('user-exists', `user ${uid}@${d.domain} already exists`, 'uid')
    const attrs = attributesFrom('user', input.attributes)
    attrs.uid = [uid]
    if (!attrs.mail) attrs.mail = [validateAddress(`${uid}@${d.domain}`)]
    if (!attrs.mailHost) attrs.mailHost = [getOne(d.attrs, 'preferredMailHost') ?? this.hostname]
    if (!attrs.mailDeliveryOption) attrs.mailDeliveryOption = ['mailbox']
    if (!attrs.cn) attrs.cn = [[...(attrs.givenName ?? []), ...(attrs.sn ?? [])].join(' ') || uid]
    if (!attrs.sn) attrs.sn = [attrs.cn[0]!.split(' ').pop() || uid]
    await this.checkAddresses(attrs)
    if (input.password !== undefined && input.password === '') throw new DirectoryError('invalid-value', 'password must not be empty', 'userPassword')
    const entry = await this.backend.add({ kind: 'user', domain: d.domain, name: uid, attrs }, input.password)
    const after = { ...flat(entry.attrs), ...(input.password ? { userPassword: 'set' } : {}) }
    await this.audit(actor, 'user.create', `${uid}@${d.domain}`, d.domain, {}, after)
    return this.userView(entry)
  }

  private async existingUser(storeId: string): Promise<Entry> {
    const e = await this.userEntry(storeId)
    if (!e) throw new DirectoryError('not-found', `user ${storeId} does not exist`, 'uid')
    return e
  }

  async modifyUser(storeId: string, mods: Modification[], actor: Actor): Promise<DirectoryUser> {
    const e = await this.existingUser(storeId)
    const pw = mods.filter((m) => m.attr.toLowerCase() === 'userpassword')
    const rest = mods.filter((m) => m.attr.toLowerCase() !== 'userpassword')
    const next = this.applyMods('user', e.attrs, rest)
    await this.checkAddresses(next, e.dn)
    for (const m of pw) {
      if (m.op === 'delete' || m.values.length !== 1 || m.values[0] === '') throw new DirectoryError('invalid-value', 'userPassword takes exactly one new value', 'userPassword')
    }
    const saved = rest.length ? await this.backend.replace(e, next) : e
    if (pw.length) await this.backend.setPassword(saved, pw[pw.length - 1]!.values[0]!)
    const after = { ...flat(saved.attrs), ...(pw.length ? { userPassword: 'changed' } : {}) }
    await this.audit(actor, 'user.modify', `${e.name}@${e.domain}`, e.domain, flat(e.attrs), after)
    return this.userView(saved)
  }

  async setPassword(storeId: string, password: string, actor: Actor): Promise<void> {
    await this.modifyUser(storeId, [{ op: 'replace', attr: 'userPassword', values: [password] }], actor)
  }

  async deleteUser(storeId: string, actor: Actor): Promise<DirectoryUser> {
    const e = await this.existingUser(storeId)
    const saved = await this.backend.replace(e, { ...e.attrs, inetUserStatus: ['deleted'] })
    await this.audit(actor, 'user.delete', `${e.name}@${e.domain}`, e.domain, flat(e.attrs), flat(saved.attrs))
    return this.userView(saved)
  }

  async purgeUser(storeId: string, actor: Actor): Promise<void> {
    const e = await this.existingUser(storeId)
    const user = await this.userView(e)
    if (!DELETED.has(user.status)) throw new DirectoryError('not-deleted', `user ${user.storeId} is not marked deleted; run user delete first`, 'uid')
    await this.dropMember(e.dn, actor)
    await this.backend.remove(e)
    await this.audit(actor, 'user.purge', `${e.name}@${e.domain}`, e.domain, flat(e.attrs), {})
  }

  /** Removes a purged entry from every group that lists it (what a referential-integrity plug-in does). */
  private async dropMember(dn: string, actor: Actor): Promise<void> {
    const key = normalizeDn(dn)
    for (const g of await this.backend.groupsWithMember(dn)) {
      const members = getAll(g.attrs, 'uniqueMember').filter((m) => normalizeDn(m) !== key)
      const saved = await this.backend.replace(g, compact({ ...g.attrs, uniqueMember: members }))
      await this.audit(actor, 'group.modify', `${g.name}@${g.domain}`, g.domain, flat(g.attrs), flat(saved.attrs))
    }
  }

  async searchUsers(query: SearchQuery): Promise<Page<DirectoryUser>> {
    const limit = clampLimit(query.limit)
    const domain = query.domain ? (await this.getDomain(query.domain))?.name ?? query.domain.toLowerCase() : undefined
    const rows = await this.backend.list('user', { domain, text: query.text, status: query.status, after: decodeCursor(query.cursor), limit: limit + 1 })
    const items = await Promise.all(rows.slice(0, limit).map((e) => this.userView(e)))
    return page(items, rows, limit)
  }

  // ---------------------------------------------------------------- groups

  /** Members given as DNs or addresses → uniqueMember DNs (directory entries) and external addresses. */
  private async sortMembers(members: string[], selfDn?: string): Promise<{ dns: string[]; external: string[] }> {
    const dns: string[] = []
    const external: string[] = []
    for (const raw of members) {
      const m = raw.trim()
      if (m === '') continue
      let dn: string | undefined
      if (m.includes('=') && !m.includes('@')) {
        const e = await this.backend.byDn(m)
        if (!e || e.kind === 'domain') throw new DirectoryError('not-found', `member ${m} does not exist`, 'uniqueMember')
        dn = e.dn
      } else {
        const r = await this.resolveAddress(m)
        if (r.kind === 'user') dn = r.user.dn
        else if (r.kind === 'group') dn = r.group.dn
        else if (r.reason === 'unknown-address') throw new DirectoryError('not-found', `member ${m}: no such user or group in ${r.domain!.name}`, 'uniqueMember')
        else external.push(validateAddress(m, 'mgrpRFC822MailMember'))
      }
      if (dn) {
        if (selfDn && normalizeDn(dn) === normalizeDn(selfDn)) throw new DirectoryError('invalid-value', 'a group cannot be a member of itself', 'uniqueMember')
        dns.push(dn)
      }
    }
    return { dns, external }
  }

  async createGroup(input: GroupInput, actor: Actor): Promise<DirectoryGroup> {
    const cn = input.cn.trim()
    if (cn === '' || /[\x00-\x1f\x7f]/.test(cn) || cn.length > 128) throw new DirectoryError('invalid-value', `invalid group name "${input.cn}"`, 'cn')
    const d = await this.liveDomain(input.domain)
    if (await this.backend.group(d.domain, cn)) throw new DirectoryError('group-exists', `group ${cn}@${d.domain} already exists`, 'cn')
    const attrs = attributesFrom('group', input.attributes)
    attrs.cn = [cn]
    if (!attrs.mail) {
      if (!splitAddress(`${cn}@${d.domain}`)) throw new DirectoryError('invalid-address', `group name "${cn}" is not a valid address local part; give mail explicitly`, 'mail')
      attrs.mail = [`${cn}@${d.domain}`]
    }
    if (!attrs.mailHost) attrs.mailHost = [getOne(d.attrs, 'preferredMailHost') ?? this.hostname]
    if (!attrs.mailDeliveryOption) attrs.mailDeliveryOption = ['members']
    await this.checkAddresses(attrs)
    const { dns, external } = await this.sortMembers(input.members ?? [])
    if (dns.length) attrs.uniqueMember = dedupe([...(attrs.uniqueMember ?? []), ...dns])
    if (external.length) attrs.mgrpRFC822MailMember = dedupe([...(attrs.mgrpRFC822MailMember ?? []), ...external])
    const entry = await this.backend.add({ kind: 'group', domain: d.domain, name: cn, attrs })
    await this.audit(actor, 'group.create', `${cn}@${d.domain}`, d.domain, {}, flat(entry.attrs))
    return this.groupView(entry)
  }

  private async existingGroup(address: string): Promise<Entry> {
    const e = await this.groupEntry(address)
    if (!e) throw new DirectoryError('not-found', `group ${address} does not exist`, 'group')
    return e
  }

  async modifyGroup(address: string, mods: Modification[], actor: Actor): Promise<DirectoryGroup> {
    const e = await this.existingGroup(address)
    const next = this.applyMods('group', e.attrs, mods)
    await this.checkAddresses(next, e.dn)
    const saved = await this.backend.replace(e, next)
    await this.audit(actor, 'group.modify', `${e.name}@${e.domain}`, e.domain, flat(e.attrs), flat(saved.attrs))
    return this.groupView(saved)
  }

  async addGroupMembers(address: string, members: string[], actor: Actor): Promise<DirectoryGroup> {
    const e = await this.existingGroup(address)
    const { dns, external } = await this.sortMembers(members, e.dn)
    const next = compact({
      ...e.attrs,
      uniqueMember: dedupe([...getAll(e.attrs, 'uniqueMember'), ...dns]),
      mgrpRFC822MailMember: dedupe([...getAll(e.attrs, 'mgrpRFC822MailMember'), ...external]),
    })
    const saved = await this.backend.replace(e, next)
    await this.audit(actor, 'group.modify', `${e.name}@${e.domain}`, e.domain, flat(e.attrs), flat(saved.attrs))
    return this.groupView(saved)
  }

  async removeGroupMembers(address: string, members: string[], actor: Actor): Promise<DirectoryGroup> {
    const e = await this.existingGroup(address)
    let uniq = getAll(e.attrs, 'uniqueMember')
    let ext = getAll(e.attrs, 'mgrpRFC822MailMember')
    for (const raw of members) {
      const m = raw.trim()
      const before = uniq.length + ext.length
      if (m.includes('=') && !m.includes('@')) uniq = uniq.filter((u) => normalizeDn(u) !== normalizeDn(m))
      else {
        const r = await this.resolveAddress(m)
        const dn = r.kind === 'user' ? r.user.dn : r.kind === 'group' ? r.group.dn : undefined
        if (dn) uniq = uniq.filter((u) => normalizeDn(u) !== normalizeDn(dn))
        ext = ext.filter((x) => x.toLowerCase() !== m.toLowerCase())
      }
      if (uniq.length + ext.length === before) throw new DirectoryError('not-found', `${m} is not a member of ${e.name}@${e.domain}`, 'uniqueMember')
    }
    const saved = await this.backend.replace(e, compact({ ...e.attrs, uniqueMember: uniq, mgrpRFC822MailMember: ext }))
    await this.audit(actor, 'group.modify', `${e.name}@${e.domain}`, e.domain, flat(e.attrs), flat(saved.attrs))
    return this.groupView(saved)
  }

  async deleteGroup(address: string, actor: Actor): Promise<DirectoryGroup> {
    const e = await this.existingGroup(address)
    const saved = await this.backend.replace(e, { ...e.attrs, inetMailGroupStatus: ['deleted'] })
    await this.audit(actor, 'group.delete', `${e.name}@${e.domain}`, e.domain, flat(e.attrs), flat(saved.attrs))
    return this.groupView(saved)
  }

  async purgeGroup(address: string, actor: Actor): Promise<void> {
    const e = await this.existingGroup(address)
    const g = await this.groupView(e)
    if (!DELETED.has(g.status)) throw new DirectoryError('not-deleted', `group ${e.name}@${e.domain} is not marked deleted; run group delete first`, 'group')
    await this.dropMember(e.dn, actor)
    await this.backend.remove(e)
    await this.audit(actor, 'group.purge', `${e.name}@${e.domain}`, e.domain, flat(e.attrs), {})
  }

  async searchGroups(query: SearchQuery): Promise<Page<DirectoryGroup>> {
    const limit = clampLimit(query.limit)
    const domain = query.domain ? (await this.getDomain(query.domain))?.name ?? query.domain.toLowerCase() : undefined
    const rows = await this.backend.list('group', { domain, text: query.text, status: query.status, after: decodeCursor(query.cursor), limit: limit + 1 })
    const items = await Promise.all(rows.slice(0, limit).map((e) => this.groupView(e)))
    return page(items, rows, limit)
  }
}

function matchedAttr(attrs: Attributes, address: string): 'mail' | 'mailAlternateAddress' | 'mailEquivalentAddress' {
  const a = address.toLowerCase()
  if (getAll(attrs, 'mail').some((v) => v.toLowerCase() === a)) return 'mail'
  if (getAll(attrs, 'mailEquivalentAddress').some((v) => v.toLowerCase() === a)) return 'mailEquivalentAddress'
  return 'mailAlternateAddress'
}

function dedupe(values: string[]): string[] {
  const seen = new Set<string>()
  return values.filter((v) => {
    const k = v.includes('=') ? normalizeDn(v) : v.toLowerCase()
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

/** Audit diff view of an attribute map: single values as strings, multi-valued as arrays. */
function flat(attrs: Attributes): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(attrs)) out[k] = v.length === 1 ? v[0] : v
  return out
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined) return 100
  if (!Number.isInteger(limit) || limit < 1) throw new DirectoryError('invalid-value', 'limit must be a positive integer', 'limit')
  return Math.min(limit, 1000)
}

export function encodeCursor(e: { domain: string; name: string }): string {
  return Buffer.from(JSON.stringify([e.domain, e.name])).toString('base64url')
}

export function decodeCursor(cursor: string | undefined): { domain: string; name: string } | undefined {
  if (!cursor) return undefined
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return { domain: v[0], name: v[1] }
  } catch { /* fall through */ }
  throw new DirectoryError('invalid-value', 'invalid cursor', 'cursor')
}

function page<T>(items: T[], rows: Entry[], limit: number): Page<T> {
  const out: Page<T> = { items: items.slice(0, limit) }
  if (rows.length > limit) out.nextCursor = encodeCursor(rows[limit - 1]!)
  return out
}
