// Adapts @wren/directory's Directory (H3) to the transport's RecipientDirectory port.
import type { Directory } from '@wren/directory'
import { deliveryDisposition } from '@wren/directory'
import type { AddressResolution, RecipientDirectory, VacationAttributes } from './ports.js'

const VARIANT_FIELD: Record<string, 'subject' | 'text' | 'textInternal'> = {
  mailautoreplysubject: 'subject', mailautoreplytext: 'text', mailautoreplytextinternal: 'textInternal',
}

/** `mailAutoReplyText;lang-fr` and its siblings → `{ fr: { text } }` (spec 01 §16 language tags). */
export function vacationVariants(attributes: Record<string, string[]>): VacationAttributes['variants'] {
  let out: NonNullable<VacationAttributes['variants']> | undefined
  for (const [name, values] of Object.entries(attributes)) {
    const m = /^([a-z]+);lang-([a-z0-9-]+)$/i.exec(name)
    const field = m && VARIANT_FIELD[m[1].toLowerCase()]
    if (!field || !values.length) continue
    const tag = m[2].toLowerCase()
    out ??= {}
    out[tag] = { ...out[tag], [field]: values[0] }
  }
  return out
}

const STATUS: Record<string, string> = { deliver: 'active', tempfail: 'inactive', reject: 'deleted', hold: 'hold', overquota: 'active' }

export function directoryPort(dir: Directory): RecipientDirectory {
  return {
    async resolveAddress(address): Promise<AddressResolution> {
      const r = await dir.resolveAddress(address)
      if (r.kind === 'user') {
        const u = r.user
        return {
          kind: 'user', uid: u.storeId, mail: u.mail ?? `${u.uid}@${u.domain}`,
          status: STATUS[deliveryDisposition(r.status)] ?? 'deleted',
          deliveryOptions: u.mailDeliveryOption, forwardingAddresses: u.mailForwardingAddress, mailHost: u.mailHost, detail: r.detail,
          domain: u.domain, cn: u.cn, addresses: [...(u.mailAlternateAddress ?? []), ...(u.mailEquivalentAddress ?? [])],
          // vacation / autoreply attributes (spec 01 §16)
          vacation: {
            start: u.vacationStartDate, end: u.vacationEndDate, mode: u.mailAutoReplyMode, subject: u.mailAutoReplySubject,
            text: u.mailAutoReplyText, textInternal: u.mailAutoReplyTextInternal, timeout: u.mailAutoReplyTimeOut,
            variants: vacationVariants(u.attributes),
          },
          preferredLanguage: u.preferredLanguage,
        }
      }
      if (r.kind === 'group') {
        const exp = await dir.expandGroup(r.group)
        const members = [...exp.users.map((x) => x.user.mail ?? `${x.user.uid}@${x.user.domain}`), ...exp.addresses.map((a) => a.address)]
        return { kind: 'group', mail: r.group.mail ?? address, members, status: STATUS[deliveryDisposition(r.status)] ?? 'deleted', deliveryOptions: r.group.mailDeliveryOption }
      }
      return { kind: 'none' }
    },
    async authenticate(user, password) {
      const r = await dir.authenticate(user, password, { service: 'smtp' })
      return r.ok ? { uid: r.user.storeId, mail: r.user.mail } : null
    },
  }
}
