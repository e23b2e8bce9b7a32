// What the POP server needs from outside: authentication (the directory) and the message store.
// The store is `@wren/store`'s MailStore; authentication is a small port so the service can adapt
// whichever Directory provider runs (embedded or LDAP) without the protocol code knowing it.

export type AuthFailure =
  /** Unknown user or wrong password (logged as `authentication failure`; RFC 3206 [AUTH]). */
  | 'failed'
  /** inetUserStatus / mailUserStatus inactive, hold, deleted… (logged `account disabled (<status>)`). */
  | 'disabled'
  /** The directory could not be reached (RFC 3206 [SYS/TEMP]). */
  | 'unavailable'

export type AuthResult =
  | { ok: true; /** Store user id: `uid`, or `uid@domain` in a hosted domain (spec 03 §1). */ userid: string }
  | { ok: false; reason: AuthFailure; /** e.g. the status that disabled the account. */ detail?: string }

export interface PopAuthenticator {
  /** `login` as the client typed it (`joe`, `joe@example.com`, `joe+example.com`). */
  authenticate(login: string, password: string): Promise<AuthResult>
}
