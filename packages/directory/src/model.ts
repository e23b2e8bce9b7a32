// Raw entries → the typed views consumers see (types.ts), with effective statuses.
import type { DirectoryDomain, DirectoryGroup, DirectoryUser } from './types.js'
import type { Entry } from './backend.js'
import { getAll, getOne } from './attributes.js'
import { combineStatus } from './status.js'

export function toDomain(e: Entry): DirectoryDomain {
  const a = e.attrs
  const name = e.domain
  return {
    name,
    aliases: getAll(a, 'associatedDomain').map((d) => d.toLowerCase()).filter((d) => d !== name),
    inetDomainStatus: getOne(a, 'inetDomainStatus'),
    mailDomainStatus: getOne(a, 'mailDomainStatus'),
    status: combineStatus(getOne(a, 'inetDomainStatus'), getOne(a, 'mailDomainStatus')),
    mailDomainDiskQuota: getOne(a, 'mailDomainDiskQuota'),
    mailDomainMsgQuota: getOne(a, 'mailDomainMsgQuota'),
    preferredMailHost: getOne(a, 'preferredMailHost'),
    preferredLanguage: getOne(a, 'preferredLanguage'),
    dn: e.dn,
    attributes: a,
  }
}

/** Store user id (spec 03 §1): uid in the default domain, uid@domain elsewhere. */
export function storeIdOf(uid: string, domain: string, defaultDomain: string): string {
  return domain === defaultDomain ? uid : `${uid}@${domain}`
}

export function toUser(e: Entry, domain: DirectoryDomain, defaultDomain: string): DirectoryUser {
  const a = e.attrs
  const timeout = getOne(a, 'mailAutoReplyTimeOut')
  return {
    uid: e.name,
    domain: e.domain,
    storeId: storeIdOf(e.name, e.domain, defaultDomain),
    mail: getOne(a, 'mail'),
    mailAlternateAddress: getAll(a, 'mailAlternateAddress'),
    mailEquivalentAddress: getAll(a, 'mailEquivalentAddress'),
    mailHost: getOne(a, 'mailHost'),
    mailDeliveryOption: getAll(a, 'mailDeliveryOption').map((v) => v.toLowerCase()),
    mailForwardingAddress: getAll(a, 'mailForwardingAddress'),
    mailQuota: getOne(a, 'mailQuota'),
    mailMsgQuota: getOne(a, 'mailMsgQuota'),
    mailMessageStore: getOne(a, 'mailMessageStore'),
    inetUserStatus: getOne(a, 'inetUserStatus'),
    mailUserStatus: getOne(a, 'mailUserStatus'),
    status: combineStatus(domain.inetDomainStatus, domain.mailDomainStatus, getOne(a, 'inetUserStatus'), getOne(a, 'mailUserStatus')),
    preferredLanguage: getOne(a, 'preferredLanguage'),
    cn: getOne(a, 'cn'),
    sn: getOne(a, 'sn'),
    givenName: getOne(a, 'givenName'),
    vacationStartDate: getOne(a, 'vacationStartDate'),
    vacationEndDate: getOne(a, 'vacationEndDate'),
    mailAutoReplyMode: getOne(a, 'mailAutoReplyMode'),
    mailAutoReplySubject: getOne(a, 'mailAutoReplySubject'),
    mailAutoReplyText: getOne(a, 'mailAutoReplyText'),
    mailAutoReplyTextInternal: getOne(a, 'mailAutoReplyTextInternal'),
    mailAutoReplyTimeOut: timeout !== undefined && /^\d+$/.test(timeout) ? Number(timeout) : undefined,
    mailSieveRuleSource: getAll(a, 'mailSieveRuleSource'),
    dn: e.dn,
    attributes: a,
  }
}

export function toGroup(e: Entry, domain: DirectoryDomain): DirectoryGroup {
  const a = e.attrs
  return {
    cn: e.name,
    domain: e.domain,
    mail: getOne(a, 'mail'),
    mailAlternateAddress: getAll(a, 'mailAlternateAddress'),
    mailEquivalentAddress: getAll(a, 'mailEquivalentAddress'),
    uniqueMember: getAll(a, 'uniqueMember'),
    mgrpRFC822MailMember: getAll(a, 'mgrpRFC822MailMember'),
    mailDeliveryOption: getAll(a, 'mailDeliveryOption').map((v) => v.toLowerCase()),
    mgrpModerator: getAll(a, 'mgrpModerator'),
    mgrpAllowedBroadcaster: getAll(a, 'mgrpAllowedBroadcaster'),
    mgrpErrorsTo: getOne(a, 'mgrpErrorsTo'),
    inetMailGroupStatus: getOne(a, 'inetMailGroupStatus'),
    status: combineStatus(domain.inetDomainStatus, domain.mailDomainStatus, getOne(a, 'inetMailGroupStatus')),
    dn: e.dn,
    attributes: a,
  }
}

/** Entry-level status (without the domain's), as the embedded index column keeps it. */
export function entryStatus(e: Pick<Entry, 'kind' | 'attrs'>): string {
  const a = e.attrs
  const s =
    e.kind === 'user' ? combineStatus(getOne(a, 'inetUserStatus'), getOne(a, 'mailUserStatus'))
    : e.kind === 'group' ? combineStatus(getOne(a, 'inetMailGroupStatus'))
    : combineStatus(getOne(a, 'inetDomainStatus'), getOne(a, 'mailDomainStatus'))
  return s === 'active' ? '' : s
}

/** Every address an entry answers to (lower case): mail, mailAlternateAddress, mailEquivalentAddress. */
export function addressesOf(attrs: Entry['attrs']): Array<{ address: string; attr: string }> {
  const out: Array<{ address: string; attr: string }> = []
  for (const attr of ['mail', 'mailAlternateAddress', 'mailEquivalentAddress']) {
    for (const v of getAll(attrs, attr)) {
      const address = v.trim().toLowerCase()
      if (!out.some((o) => o.address === address)) out.push({ address, attr })
    }
  }
  return out
}
