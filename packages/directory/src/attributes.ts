// The attributes Wren reads and writes, by entry kind, with the product's LDAP names
// (spec 04 B.6, spec 01 §16, spec 03 §4; Communications Suite Schema Reference). Names compare
// case-insensitively, as LDAP attribute descriptions do; `attr;lang-xx` tagged variants are allowed
// for the language-sensitive ones.
import { DirectoryError, type Attributes } from './types.js'
import { validateAddress, validateGeneralizedTime, validateDomainName } from './validate.js'
import { validateQuota } from './quota.js'
import { STATUSES } from './types.js'

export type EntryKind = 'domain' | 'user' | 'group'

type Check = (value: string, attr: string) => string

const text: Check = (v) => v
const address: Check = (v, a) => validateAddress(v, a, a === 'mailAlternateAddress' || a === 'mailEquivalentAddress')
const status: Check = (v, a) => {
  const s = v.trim().toLowerCase()
  if (!(STATUSES as readonly string[]).includes(s)) throw new DirectoryError('invalid-value', `invalid ${a} "${v}": one of ${STATUSES.join(', ')}`, a)
  return s
}
const bytesQuota: Check = (v) => validateQuota(v, 'bytes')
const countQuota: Check = (v) => validateQuota(v, 'count')
const integer: Check = (v, a) => {
  if (!/^\d+$/.test(v.trim())) throw new DirectoryError('invalid-value', `invalid ${a} "${v}": expected a non-negative integer`, a)
  return v.trim()
}
const time: Check = (v, a) => validateGeneralizedTime(v, a)
const host: Check = (v, a) => {
  try { return validateDomainName(v) } catch { throw new DirectoryError('invalid-value', `invalid ${a} "${v}": expected a host name`, a) }
}
const oneOf = (values: string[]): Check => (v, a) => {
  const s = v.trim().toLowerCase()
  if (!values.includes(s)) throw new DirectoryError('invalid-value', `invalid ${a} "${v}": one of ${values.join(', ')}`, a)
  return s
}

interface AttrDef { name: string; check: Check; single?: boolean; lang?: boolean; readonly?: boolean }
const def = (name: string, check: Check = text, opts: Partial<AttrDef> = {}): AttrDef => ({ name, check, ...opts })

// `mailDeliveryOption` values (Schema Reference): users mailbox|native|unix|autoreply|program|forward|hold|nomail; groups members|members_offline|file.
const USER_DELIVERY = ['mailbox', 'native', 'unix', 'autoreply', 'program', 'forward', 'hold', 'nomail']
const GROUP_DELIVERY = ['members', 'members_offline', 'file', 'forward', 'program', 'hold']

const COMMON = [def('description'), def('preferredLanguage', text, { single: true })]

const DEFS: Record<EntryKind, AttrDef[]> = {
  domain: [
    ...COMMON,
    def('o', text, { readonly: true }),
    def('sunPreferredDomain', text, { single: true, readonly: true }),
    def('associatedDomain', (v) => validateDomainName(v)),
    def('sunOrganizationAlias', (v) => validateDomainName(v)),
    def('inetDomainStatus', status, { single: true }),
    def('mailDomainStatus', status, { single: true }),
    def('mailDomainDiskQuota', bytesQuota, { single: true }),
    def('mailDomainMsgQuota', countQuota, { single: true }),
    def('preferredMailHost', host, { single: true }),
    def('mailDomainWelcomeMessage', text, { single: true, lang: true }),
    def('mailDomainCatchallAddress', (v, a) => validateAddress(v, a), { single: true }),
  ],
  user: [
    ...COMMON,
    def('uid', text, { single: true, readonly: true }),
    def('cn', text, { lang: true }),
    def('sn', text, { lang: true }),
    def('givenName', text, { lang: true }),
    def('displayName', text, { single: true }),
    def('telephoneNumber'),
    def('mail', (v, a) => validateAddress(v, a), { single: true }),
    def('mailAlternateAddress', address),
    def('mailEquivalentAddress', address),
    def('mailHost', host, { single: true }),
    def('mailDeliveryOption', oneOf(USER_DELIVERY)),
    def('mailForwardingAddress', (v, a) => validateAddress(v, a)),
    def('mailProgramDeliveryInfo'),
    def('mailQuota', bytesQuota, { single: true }),
    def('mailMsgQuota', countQuota, { single: true }),
    def('mailMessageStore', (v, a) => {
      if (!/^[a-z0-9]+$/.test(v)) throw new DirectoryError('invalid-value', `invalid ${a} "${v}": partition nicknames are lower-case alphanumeric`, a)
      return v
    }, { single: true }),
    def('inetUserStatus', status, { single: true }),
    def('mailUserStatus', status, { single: true }),
    def('mailAllowedServiceAccess', text, { single: true }),
    def('aclGroupAddr', (v, a) => validateAddress(v, a)),
    def('vacationStartDate', time, { single: true }),
    def('vacationEndDate', time, { single: true }),
    def('mailAutoReplyMode', oneOf(['echo', 'reply']), { single: true }),
    def('mailAutoReplySubject', text, { single: true, lang: true }),
    def('mailAutoReplyText', text, { single: true, lang: true }),
    def('mailAutoReplyTextInternal', text, { single: true, lang: true }),
    def('mailAutoReplyTimeOut', integer, { single: true }),
    def('mailSieveRuleSource'),
  ],
  group: [
    ...COMMON,
    def('cn', text, { readonly: true }),
    def('mail', (v, a) => validateAddress(v, a), { single: true }),
    def('mailAlternateAddress', address),
    def('mailEquivalentAddress', address),
    def('mailHost', host, { single: true }),
    def('uniqueMember'),
    def('mgrpRFC822MailMember', (v, a) => validateAddress(v, a)),
    def('mailDeliveryOption', oneOf(GROUP_DELIVERY)),
    def('mgrpModerator', (v, a) => validateAddress(v, a)),
    def('mgrpAllowedBroadcaster', (v, a) => validateAddress(v, a)),
    def('mgrpAllowedDomain', (v) => validateDomainName(v)),
    def('mgrpErrorsTo', (v, a) => validateAddress(v, a), { single: true }),
    def('mgrpDeliverTo'),
    def('inetMailGroupStatus', status, { single: true }),
  ],
}

const INDEX: Record<EntryKind, Map<string, AttrDef>> = {
  domain: new Map(DEFS.domain.map((d) => [d.name.toLowerCase(), d])),
  user: new Map(DEFS.user.map((d) => [d.name.toLowerCase(), d])),
  group: new Map(DEFS.group.map((d) => [d.name.toLowerCase(), d])),
}

/** Attribute names Wren keeps for an entry kind (for LDAP reads). */
export function attributeNames(kind: EntryKind): string[] {
  return DEFS[kind].map((d) => d.name)
}

/** Canonical name of an attribute description (`MAILHOST` → `mailHost`, `cn;lang-fr` → `cn;lang-fr`); undefined if unknown. */
export function canonicalAttr(kind: EntryKind, name: string): string | undefined {
  const [base, ...opts] = name.split(';')
  const d = INDEX[kind].get(base!.toLowerCase())
  if (!d) return undefined
  if (opts.length === 0) return d.name
  if (!d.lang || opts.length !== 1 || !/^lang-[a-z]{1,8}(-[a-z0-9]{1,8})*$/i.test(opts[0]!)) return undefined
  return `${d.name};${opts[0]!.toLowerCase()}`
}

function defOf(kind: EntryKind, canonical: string): AttrDef {
  return INDEX[kind].get(canonical.split(';')[0]!.toLowerCase())!
}

/** Validates and normalises values of one attribute; throws DirectoryError. */
export function checkValues(kind: EntryKind, attr: string, values: string[], opts: { allowReadonly?: boolean } = {}): { attr: string; values: string[] } {
  const name = canonicalAttr(kind, attr)
  if (!name) throw new DirectoryError('invalid-attribute', `unknown ${kind} attribute "${attr}"`, attr)
  const d = defOf(kind, name)
  if (d.readonly && !opts.allowReadonly) throw new DirectoryError('invalid-attribute', `${name} cannot be changed`, name)
  const out: string[] = []
  for (const v of values) {
    if (typeof v !== 'string') throw new DirectoryError('invalid-value', `invalid ${name} value`, name)
    const n = d.check(v, name)
    if (!out.some((o) => o.toLowerCase() === n.toLowerCase())) out.push(n)
  }
  if (d.single && out.length > 1) throw new DirectoryError('invalid-value', `${name} is single-valued`, name)
  return { attr: name, values: out }
}

/** Case-insensitive attribute read. */
export function getAll(attrs: Attributes, name: string): string[] {
  const hit = attrs[name]
  if (hit) return hit
  const lower = name.toLowerCase()
  for (const [k, v] of Object.entries(attrs)) if (k.toLowerCase() === lower) return v
  return []
}

export function getOne(attrs: Attributes, name: string): string | undefined {
  return getAll(attrs, name)[0]
}

/** Builds a canonical attribute map from loose input (`{ mailQuota: '10M', mailAlternateAddress: [...] }`). */
export function attributesFrom(kind: EntryKind, input: Record<string, string | string[]> | undefined, opts: { allowReadonly?: boolean } = {}): Attributes {
  const out: Attributes = {}
  for (const [k, v] of Object.entries(input ?? {})) {
    const values = Array.isArray(v) ? v : [v]
    const r = checkValues(kind, k, values, opts)
    out[r.attr] = [...(out[r.attr] ?? []), ...r.values]
    if (defOf(kind, r.attr).single && out[r.attr]!.length > 1) throw new DirectoryError('invalid-value', `${r.attr} is single-valued`, r.attr)
  }
  return out
}

/** Drops empty attributes (an attribute with no values does not exist in LDAP). */
export function compact(attrs: Attributes): Attributes {
  const out: Attributes = {}
  for (const [k, v] of Object.entries(attrs)) if (v.length) out[k] = v
  return out
}
