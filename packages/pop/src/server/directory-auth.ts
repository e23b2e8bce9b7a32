// Adapts the Directory's authenticate (packages/directory) to the POP server's port.
import type { Directory } from '@wren/directory'
import type { PopAuthenticator, AuthResult } from './ports.js'

export function directoryAuthenticator(directory: Pick<Directory, 'authenticate'>): PopAuthenticator {
  return {
    async authenticate(login, password): Promise<AuthResult> {
      const r = await directory.authenticate(login, password, { service: 'pop' })
      if (r.ok) return { ok: true, userid: r.user.storeId }
      switch (r.reason) {
        case 'unavailable':
          return { ok: false, reason: 'unavailable', detail: r.message }
        case 'inactive': case 'disabled': case 'hold': case 'deleted': case 'removed':
          return { ok: false, reason: 'disabled', detail: r.reason }
        default:
          return { ok: false, reason: 'failed', detail: r.reason }
      }
    },
  }
}
