// Status semantics (Communications Suite Schema Reference: inetDomainStatus, mailDomainStatus,
// inetUserStatus, mailUserStatus, inetMailGroupStatus). "There are four status attributes that mail
// services look at … evaluated in this order: inetDomainStatus, mailDomainStatus, inetUserStatus, and
// mailUserStatus. The first of these attributes that is set to something other than active takes
// precedence over all the others." A missing value means active; an illegal value is treated as inactive.
import { STATUSES, type AuthFailure, type DeliveryDisposition, type Status } from './types.js'

const KNOWN = new Set<string>(STATUSES)

/** One status attribute value → its meaning (absent = active, illegal = inactive). */
export function normalizeStatus(value: string | undefined | null): Status {
  if (value === undefined || value === null || value.trim() === '') return 'active'
  const v = value.trim().toLowerCase()
  return KNOWN.has(v) ? (v as Status) : 'inactive'
}

/** The first non-active status in precedence order. */
export function combineStatus(...values: Array<string | undefined | null>): Status {
  for (const v of values) {
    const s = normalizeStatus(v)
    if (s !== 'active') return s
  }
  return 'active'
}

/** What the MTA does with mail for a recipient in this status (Schema Reference status tables). */
export function deliveryDisposition(status: Status): DeliveryDisposition {
  switch (status) {
    case 'active': return 'deliver'
    case 'inactive': return 'tempfail' // "A transient failure is returned to the sending MTA."
    case 'hold': return 'hold' // "Messages … are redirected to the hold channel."
    case 'overquota': return 'overquota' // store quota policy decides (spec 03 §4)
    case 'disabled': // "user disabled; cannot receive new mail"
    case 'deleted':
    case 'removed':
      return 'reject'
  }
}

/** Login refusal for a status; undefined when login is allowed (active, overquota: the user may clean up). */
export function loginDenial(status: Status): AuthFailure | undefined {
  switch (status) {
    case 'active':
    case 'overquota':
      return undefined
    default:
      return status
  }
}

/** ERROR_TEST_DISABLED_USER default texts and similar wording for the other statuses. */
export function statusMessage(status: Status, kind: 'user' | 'group' = 'user'): string {
  switch (status) {
    case 'disabled': return `${kind} disabled; cannot receive new mail`
    case 'inactive': return `${kind} account is inactive`
    case 'deleted': return `${kind} account is deleted`
    case 'removed': return `${kind} account is removed`
    case 'hold': return `${kind} account is on hold`
    case 'overquota': return `${kind} is over quota`
    case 'active': return `${kind} account is active`
  }
}
