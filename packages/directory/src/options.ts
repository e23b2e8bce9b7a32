// Configuration options the directory reads (names registered with the configuration engineer):
//   base.directory.provider   embedded | ldap   (default: ldap when base.ugldaphost is set, else embedded)
//   base.defaultdomain        default domain for bare user ids (spec 01, configure prompt 5)
//   base.hostname             this host; users whose mailHost equals it are local
//   base.ugldaphost           space-separated `host[:port]` list, tried in order (spec 01 §5 failover)
//   base.ugldapport           default port (389)
//   base.ugldapusessl         1 = LDAPS (default 0)
//   base.ugldapbinddn / base.ugldapbindcred   bind identity and password
//   base.ugldapbasedn         user/group suffix (default o=usergroup), Schema 2 organisation nodes below it
//   base.ugldaptimeout        seconds for connect and per-operation timeout (default 5)
//   base.ugldappoolsize       pooled connections (default 4)
//   base.ugldapdomainfilter   domain search template, `%d` = domain (Schema 2)
//   base.ugldapuserfilter     user search template, `%u` = uid, `%d` = domain
//   base.ugldapgroupfilter    group search template, `%g` = cn, `%d` = domain
//   base.ugldapmailfilter     address search template, `%s` = address
//   base.directory.cachettl   seconds lookups stay cached (default 60)
//   base.directory.cachesize  cached lookups kept (default 200000)
import { hostname as osHostname } from 'node:os'
import type { ConfigView, OptionValue } from '@wren/kernel'

export const DEFAULTS = {
  basedn: 'o=usergroup',
  port: 389,
  timeoutSeconds: 5,
  poolSize: 4,
  cacheTtlSeconds: 60,
  cacheSize: 200_000,
  domainFilter: '(&(objectClass=mailDomain)(|(sunPreferredDomain=%d)(associatedDomain=%d)))',
  userFilter: '(&(objectClass=inetMailUser)(uid=%u))',
  groupFilter: '(&(objectClass=inetMailGroup)(cn=%g))',
  mailFilter: '(&(|(objectClass=inetMailUser)(objectClass=inetMailGroup))(|(mail=%s)(mailAlternateAddress=%s)(mailEquivalentAddress=%s)))',
}

function str(config: ConfigView, name: string): string | undefined {
  const v = config.find<OptionValue>(name)
  if (v === undefined || v === null) return undefined
  const s = Array.isArray(v) ? v.join(' ') : String(v)
  return s.trim() === '' ? undefined : s.trim()
}

function num(config: ConfigView, name: string, dflt: number): number {
  const v = config.find<OptionValue>(name)
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN
  return Number.isFinite(n) ? n : dflt
}

export interface DirectorySettings {
  provider: 'embedded' | 'ldap'
  defaultDomain: string
  hostname: string
  cacheTtlMs: number
  cacheSize: number
  ldap: {
    hosts: string[]
    port: number
    ssl: boolean
    bindDn?: string
    bindCred?: string
    basedn: string
    timeoutMs: number
    poolSize: number
    domainFilter: string
    userFilter: string
    groupFilter: string
    mailFilter: string
  }
}

export function readSettings(config: ConfigView, overrides: { hostname?: string } = {}): DirectorySettings {
  const hosts = (str(config, 'base.ugldaphost') ?? '').split(/[\s,]+/).filter(Boolean)
  const explicit = str(config, 'base.directory.provider')?.toLowerCase()
  if (explicit && explicit !== 'embedded' && explicit !== 'ldap') throw new Error(`base.directory.provider: "${explicit}" is not embedded or ldap`)
  const provider = (explicit as 'embedded' | 'ldap' | undefined) ?? (hosts.length ? 'ldap' : 'embedded')
  const hostname = (overrides.hostname ?? str(config, 'base.hostname') ?? osHostname()).toLowerCase()
  const defaultDomain = (str(config, 'base.defaultdomain') ?? (hostname.includes('.') ? hostname.slice(hostname.indexOf('.') + 1) : hostname)).toLowerCase()
  return {
    provider,
    defaultDomain,
    hostname,
    cacheTtlMs: num(config, 'base.directory.cachettl', DEFAULTS.cacheTtlSeconds) * 1000,
    cacheSize: num(config, 'base.directory.cachesize', DEFAULTS.cacheSize),
    ldap: {
      hosts,
      port: num(config, 'base.ugldapport', DEFAULTS.port),
      ssl: ['1', 'true', 'yes'].includes(String(config.find('base.ugldapusessl') ?? '0').toLowerCase()),
      bindDn: str(config, 'base.ugldapbinddn'),
      bindCred: str(config, 'base.ugldapbindcred'),
      basedn: str(config, 'base.ugldapbasedn') ?? DEFAULTS.basedn,
      timeoutMs: num(config, 'base.ugldaptimeout', DEFAULTS.timeoutSeconds) * 1000,
      poolSize: Math.max(1, num(config, 'base.ugldappoolsize', DEFAULTS.poolSize)),
      domainFilter: str(config, 'base.ugldapdomainfilter') ?? DEFAULTS.domainFilter,
      userFilter: str(config, 'base.ugldapuserfilter') ?? DEFAULTS.userFilter,
      groupFilter: str(config, 'base.ugldapgroupfilter') ?? DEFAULTS.groupFilter,
      mailFilter: str(config, 'base.ugldapmailfilter') ?? DEFAULTS.mailFilter,
    },
  }
}
