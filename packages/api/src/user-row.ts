import type { DirectoryUser } from '@wren/directory'
import type { UserRow } from './types.js'

export function userRowOf(u: DirectoryUser): UserRow {
  return {
    uid: u.uid,
    domain: u.domain,
    mail: u.mail ?? '',
    cn: u.cn ?? '',
    status: u.status,
    ...(u.mailQuota !== undefined ? { mailQuota: u.mailQuota } : {}),
    ...(u.mailMsgQuota !== undefined ? { mailMsgQuota: u.mailMsgQuota } : {}),
  }
}
