// A Directory seen through an administrator's scope, for bulk import: rows that name a domain the
// administrator does not manage fail (FORBIDDEN-style row error, nothing changed); rows naming no
// domain go to the import's domain. `dryRun` checks each row against the directory's rules
// (uid syntax, domain exists, no duplicate entry or address, quota syntax) without writing.
import { DirectoryError, splitAddress, validateAddress, validateDomainName, validateQuota, validateUid } from '@wren/directory'
import type { Actor, Directory, DomainInput, GroupInput, Modification, UserInput } from '@wren/directory'

export interface ScopeOptions {
  /** Domains writes may touch; `null` = any. */
  allowed: string[] | null
  /** Domain for rows that name none (else the directory's default domain). */
  defaultDomain?: string
  dryRun: boolean
}

export function scopedDirectory(dir: Directory, opts: ScopeOptions): Directory {
  const defaultDomain = opts.defaultDomain ?? dir.defaultDomain
  const check = async (domain: string | undefined): Promise<string> => {
    const name = (domain || defaultDomain).toLowerCase()
    const d = await dir.getDomain(name)
    const canonical = d?.name ?? name
    if (opts.allowed && !opts.allowed.includes(canonical)) throw new DirectoryError('unknown-domain', `you do not administer the domain ${name}`, 'domain')
    if (!d && opts.dryRun) throw new DirectoryError('unknown-domain', `no domain ${name}`, 'domain')
    return canonical
  }
  const domainOfId = (id: string) => splitAddress(id)?.domain ?? defaultDomain
  const attrValues = (a: Record<string, string | string[]> | undefined, name: string) => {
    const v = a?.[name]
    return v === undefined ? [] : Array.isArray(v) ? v : [v]
  }
  const assertFree = async (addresses: string[]) => {
    for (const address of addresses) {
      validateAddress(address)
      const r = await dir.resolveAddress(address)
      if (r.kind !== 'none') throw new DirectoryError('address-taken', `the address ${address} is already used by another entry`, 'mail')
    }
  }
  const dryQuota = (a: Record<string, string | string[]> | undefined) => {
    for (const v of attrValues(a, 'mailQuota')) validateQuota(v, 'bytes')
    for (const v of attrValues(a, 'mailMsgQuota')) validateQuota(v, 'count')
  }

  const overrides: Partial<Directory> = {
    async createUser(input: UserInput, actor: Actor) {
      const domain = await check(input.domain)
      if (!opts.dryRun) return dir.createUser({ ...input, domain }, actor)
      validateUid(input.uid)
      if (await dir.findUser(domain === dir.defaultDomain ? input.uid : `${input.uid}@${domain}`)) throw new DirectoryError('user-exists', `user ${input.uid} already exists in ${domain}`, 'uid')
      dryQuota(input.attributes)
      const mail = attrValues(input.attributes, 'mail')
      await assertFree([...(mail.length ? mail : [`${input.uid}@${domain}`]), ...attrValues(input.attributes, 'mailAlternateAddress'), ...attrValues(input.attributes, 'mailEquivalentAddress')])
      return {} as Awaited<ReturnType<Directory['createUser']>>
    },
    async createGroup(input: GroupInput, actor: Actor) {
      const domain = await check(input.domain)
      if (!opts.dryRun) return dir.createGroup({ ...input, domain }, actor)
      if (await dir.findGroup(`${input.cn}@${domain}`)) throw new DirectoryError('group-exists', `group ${input.cn} already exists in ${domain}`, 'cn')
      const mail = attrValues(input.attributes, 'mail')
      await assertFree(mail.length ? mail : [`${input.cn}@${domain}`])
      return {} as Awaited<ReturnType<Directory['createGroup']>>
    },
    async createDomain(input: DomainInput, actor: Actor) {
      if (opts.allowed) throw new DirectoryError('invalid-domain', 'only a global administrator can create domains', 'domain')
      if (!opts.dryRun) return dir.createDomain(input, actor)
      validateDomainName(input.name)
      if (await dir.getDomain(input.name)) throw new DirectoryError('domain-exists', `domain ${input.name} already exists`, 'domain')
      return {} as Awaited<ReturnType<Directory['createDomain']>>
    },
    async modifyUser(storeId: string, mods: Modification[], actor: Actor) {
      await check(domainOfId(storeId))
      const u = await dir.findUser(storeId)
      if (opts.dryRun) {
        if (!u) throw new DirectoryError('not-found', `no user ${storeId}`)
        return u
      }
      return dir.modifyUser(storeId, mods, actor)
    },
    async deleteUser(storeId: string, actor: Actor) {
      await check(domainOfId(storeId))
      if (opts.dryRun) {
        const u = await dir.findUser(storeId)
        if (!u) throw new DirectoryError('not-found', `no user ${storeId}`)
        return u
      }
      return dir.deleteUser(storeId, actor)
    },
    async modifyGroup(address: string, mods: Modification[], actor: Actor) {
      const g = await dir.findGroup(address)
      await check(g?.domain ?? domainOfId(address))
      if (opts.dryRun) {
        if (!g) throw new DirectoryError('not-found', `no group ${address}`)
        return g
      }
      return dir.modifyGroup(address, mods, actor)
    },
    async deleteGroup(address: string, actor: Actor) {
      const g = await dir.findGroup(address)
      await check(g?.domain ?? domainOfId(address))
      if (opts.dryRun) {
        if (!g) throw new DirectoryError('not-found', `no group ${address}`)
        return g
      }
      return dir.deleteGroup(address, actor)
    },
    async modifyDomain(name: string, mods: Modification[], actor: Actor) {
      if (opts.allowed) throw new DirectoryError('invalid-domain', 'only a global administrator can change domains', 'domain')
      if (opts.dryRun) {
        const d = await dir.getDomain(name)
        if (!d) throw new DirectoryError('not-found', `no domain ${name}`)
        return d
      }
      return dir.modifyDomain(name, mods, actor)
    },
    async deleteDomain(name: string, actor: Actor) {
      if (opts.allowed) throw new DirectoryError('invalid-domain', 'only a global administrator can delete domains', 'domain')
      if (opts.dryRun) {
        const d = await dir.getDomain(name)
        if (!d) throw new DirectoryError('not-found', `no domain ${name}`)
        return d
      }
      return dir.deleteDomain(name, actor)
    },
  }
  return new Proxy(dir, {
    get(target, prop, receiver) {
      if (prop === 'defaultDomain') return defaultDomain
      if (typeof prop === 'string' && prop in overrides) return overrides[prop as keyof Directory]
      const v = Reflect.get(target, prop, receiver) as unknown
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    },
  })
}
