/**
 * The two ports the IMAP server needs from the rest of Wren: authentication (the directory) and the
 * message store. The store port is the real `@wren/store` contract; the authenticator is a small
 * interface so that the directory provider (embedded or LDAP) plugs in without the IMAP code knowing.
 */
import type { MailSession, MailStore } from '@wren/store'

export type AuthResult =
  | { ok: true; userid: string; groups?: string[] }
  /** nouser / badpassword → "authentication failure" in the log; disabled → "account disabled (<status>)". */
  | { ok: false; reason: 'nouser' | 'badpassword' | 'disabled'; status?: string }

export interface Authenticator {
  /** Check a login name + password; resolves the store user id. */
  authenticate(login: string, password: string): Promise<AuthResult>
  /** Resolve a user id for proxy authorization (AUTHENTICATE PLAIN authzid by a store admin, spec 03 §12). */
  lookup?(login: string): Promise<{ userid: string; groups?: string[] } | null>
}

/** What the IMAP server uses of the store: opening per-user sessions. */
export type StorePort = Pick<MailStore, 'session'>

export type { MailSession }
