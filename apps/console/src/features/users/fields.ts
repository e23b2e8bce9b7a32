// Directory attribute names (Schema Reference) → the console's form field names, so a server
// field error on `mailAlternateAddress` lands under the "Alias addresses" box.
export const USER_FIELD_ALIASES: Record<string, string> = {
  mailAlternateAddress: 'aliases',
  mailEquivalentAddress: 'equivalentAddresses',
  mailForwardingAddress: 'forwarding',
  mailDeliveryOption: 'deliveryOptions',
  userPassword: 'password',
  givenname: 'givenName',
  mailAutoReplyMode: 'vacationMode',
  mailAutoReplySubject: 'vacationSubject',
  mailAutoReplyText: 'vacationText',
  vacationStartDate: 'vacationStart',
  vacationEndDate: 'vacationEnd',
  // the API's names for the vacation sub-object
  'vacation.mode': 'vacationMode',
  'vacation.subject': 'vacationSubject',
  'vacation.text': 'vacationText',
  'vacation.start': 'vacationStart',
  'vacation.end': 'vacationEnd',
}

export const USER_FIELDS = [
  'uid',
  'domain',
  'password',
  'cn',
  'sn',
  'givenName',
  'mail',
  'aliases',
  'equivalentAddresses',
  'mailQuota',
  'mailMsgQuota',
  'forwarding',
  'deliveryOptions',
  'vacationMode',
  'vacationSubject',
  'vacationText',
  'vacationStart',
  'vacationEnd',
] as const

export const USER_FIELD_LABELS: Record<string, string> = {
  uid: 'User ID',
  domain: 'Domain',
  password: 'Password',
  cn: 'Full name',
  sn: 'Surname',
  givenName: 'Given name',
  mail: 'Primary address',
  aliases: 'Alias addresses',
  equivalentAddresses: 'Equivalent addresses',
  mailQuota: 'Disk quota',
  mailMsgQuota: 'Message quota',
  forwarding: 'Forwarding addresses',
  deliveryOptions: 'Delivery options',
  vacationMode: 'Auto-reply mode',
  vacationSubject: 'Auto-reply subject',
  vacationText: 'Auto-reply text',
  vacationStart: 'Starts',
  vacationEnd: 'Ends',
}

/** mailDeliveryOption values for users (Schema Reference; spec 04 §B.6). */
export const DELIVERY_OPTIONS = [
  { value: 'mailbox', label: 'mailbox — deliver to the message store' },
  { value: 'native', label: 'native — deliver to the host mail spool' },
  { value: 'unix', label: 'unix — same as native' },
  { value: 'forward', label: 'forward — send to the forwarding addresses' },
  { value: 'autoreply', label: 'autoreply — vacation / auto-reply' },
  { value: 'program', label: 'program — pipe to a program' },
  { value: 'hold', label: 'hold — hold mail (e.g. during a migration)' },
  { value: 'file', label: 'file — append to a file' },
] as const

export const USER_STATUSES = ['active', 'inactive', 'hold', 'disabled'] as const

export const STATUS_FILTER = [
  { value: '', label: 'Any status' },
  { value: 'active', label: 'Active' },
  { value: 'inactive', label: 'Inactive' },
  { value: 'hold', label: 'Hold' },
  { value: 'disabled', label: 'Disabled' },
  { value: 'deleted', label: 'Deleted' },
  { value: 'overquota', label: 'Over quota' },
]
