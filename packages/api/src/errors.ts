// Error mapping: directory and configuration failures become TRPCError codes the console understands
// (contract: UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT, BAD_REQUEST), with field-level messages
// carried in `cause` so the error formatter can publish `data.fieldErrors`.
import { TRPCError } from '@trpc/server'
import { DirectoryError, type DirectoryErrorCode } from '@wren/directory'
import { ConfigError } from '@wren/config'

/** A cause that carries `field → message` for forms. */
export class FieldErrors extends Error {
  constructor(message: string, readonly fieldErrors: Record<string, string>) {
    super(message)
    this.name = 'FieldErrors'
  }
}

type Code = ConstructorParameters<typeof TRPCError>[0]['code']

export function apiError(code: Code, message: string, fieldErrors?: Record<string, string>): TRPCError {
  return new TRPCError({ code, message, cause: fieldErrors ? new FieldErrors(message, fieldErrors) : undefined })
}

export const STALE_MESSAGE = 'changed by someone else since you opened it; reload and apply your change again'

const DIRECTORY_CODES: Record<DirectoryErrorCode, Code> = {
  'invalid-uid': 'BAD_REQUEST',
  'invalid-address': 'BAD_REQUEST',
  'invalid-domain': 'BAD_REQUEST',
  'invalid-value': 'BAD_REQUEST',
  'invalid-quota': 'BAD_REQUEST',
  'invalid-attribute': 'BAD_REQUEST',
  'unknown-domain': 'BAD_REQUEST',
  'address-taken': 'CONFLICT',
  'domain-exists': 'CONFLICT',
  'user-exists': 'CONFLICT',
  'group-exists': 'CONFLICT',
  'not-found': 'NOT_FOUND',
  'not-deleted': 'CONFLICT',
  'domain-not-empty': 'CONFLICT',
  unavailable: 'SERVICE_UNAVAILABLE',
}

/** Directory attribute → the API's form field name. */
const FIELD_NAMES: Record<string, string> = {
  mailAlternateAddress: 'aliases',
  mailEquivalentAddress: 'equivalentAddresses',
  mailForwardingAddress: 'forwarding',
  mailDeliveryOption: 'deliveryOptions',
  associatedDomain: 'aliases',
  mailDomainDiskQuota: 'diskQuota',
  mailDomainMsgQuota: 'msgQuota',
  mailAutoReplyMode: 'vacation.mode',
  mailAutoReplySubject: 'vacation.subject',
  mailAutoReplyText: 'vacation.text',
  vacationStartDate: 'vacation.start',
  vacationEndDate: 'vacation.end',
  uniqueMember: 'members',
  mgrpRFC822MailMember: 'members',
  userPassword: 'password',
  inetUserStatus: 'status',
  inetDomainStatus: 'status',
}

export function fieldName(attr: string): string {
  return FIELD_NAMES[attr] ?? attr
}

/** Runs `fn`, turning DirectoryError / ConfigError into TRPCError with field errors. */
export async function mapErrors<T>(fn: () => Promise<T>, defaultField?: string): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    throw toTrpcError(err, defaultField)
  }
}

export function toTrpcError(err: unknown, defaultField?: string): unknown {
  if (err instanceof TRPCError) return err
  if (err instanceof DirectoryError) {
    const field = err.field ? fieldName(err.field) : defaultField ?? fieldForCode(err.code)
    return apiError(DIRECTORY_CODES[err.code] ?? 'BAD_REQUEST', err.message, field ? { [field]: err.message } : undefined)
  }
  if (err instanceof ConfigError) return apiError('BAD_REQUEST', err.message, defaultField ? { [defaultField]: err.message } : undefined)
  return err
}

function fieldForCode(code: DirectoryErrorCode): string | undefined {
  switch (code) {
    case 'invalid-uid': case 'user-exists': return 'uid'
    case 'invalid-domain': case 'domain-exists': case 'unknown-domain': return 'domain'
    case 'group-exists': return 'cn'
    case 'invalid-quota': return 'mailQuota'
    default: return undefined
  }
}
