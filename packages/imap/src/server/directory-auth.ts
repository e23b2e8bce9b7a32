/** Authenticator over the Wren directory (`@wren/directory`): LOGIN / AUTHENTICATE PLAIN → store user id. */
import type { Directory } from '@wren/directory/types'
import type { Authenticator, AuthResult } from './ports.js'

const DISABLED = new Set(['inactive', 'disabled', 'hold', 'deleted', 'removed'])

export function directoryAuthenticator(dir: Pick<Directory, 'authenticate' | 'findUser'>, service = 'imap'): Authenticator {
  return {
    async authenticate(login, password): Promise<AuthResult> {
      const r = await dir.authenticate(login, password, { service })
      if (r.ok) return { ok: true, userid: r.user.storeId, groups: r.user.attributes?.aclGroupAddr ?? [] }
      if (DISABLED.has(r.reason)) return { ok: false, reason: 'disabled', status: r.reason }
      return { ok: false, reason: r.reason === 'unknown-user' ? 'nouser' : 'badpassword' }
    },
    async lookup(login) {
      const u = await dir.findUser(login)
      return u ? { userid: u.storeId, groups: u.attributes?.aclGroupAddr ?? [] } : null
    },
  }
}
