// Read-only view of the usage the store already caches per user in its mailbox list
// (`store/mboxlist/mboxlist.db`, table `users`: disk_used / msg_used, written by the store after every
// change of a user's mailboxes and by reconstruct — see mboxlist.ts). The admin API's quota views
// read it in one query instead of opening 100,000 user indexes (issue 6 "stay fast at 100k users").
// Figures are the cache's: exact per-user figures still come from `MailStore.quotaReport`.
// Never writes: the store's processes own the file; this opens its own read-only connection.
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'

export interface UserUsage {
  /** Store id: `uid` in the default domain, `uid@domain` otherwise. */
  userid: string
  bytes: number
  messages: number
}

export interface DomainUsage {
  /** Mailboxes (users with a mailbox in the store). */
  users: number
  bytes: number
  messages: number
}

/** `<dataRoot>/store/mboxlist/mboxlist.db` (layout.ts `mboxlistPath`). */
export function mboxlistPathOf(dataRoot: string): string {
  return path.join(dataRoot, 'store', 'mboxlist', 'mboxlist.db')
}

// Domain of a store id: after the last '@', the default domain for a bare uid (spec 03 §2 user ids).
const DOMAIN_EXPR = `CASE WHEN instr(userid, '@') = 0 THEN @def
  ELSE lower(substr(userid, length(rtrim(userid, replace(userid, '@', ''))) + 1)) END`

export class UsageSummary {
  private db: Database.Database | undefined

  constructor(readonly file: string) {}

  /** null while the store has no mailbox list yet (no user ever got a mailbox). */
  private conn(): Database.Database | null {
    if (this.db) return this.db
    if (!fs.existsSync(this.file)) return null
    const db = new Database(this.file, { readonly: true, fileMustExist: true })
    db.pragma('busy_timeout = 10000')
    // the mailbox list may be brand new (created by a store process after we looked): no table yet
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'users'").get()) { db.close(); return null }
    this.db = db
    return db
  }

  /** Every user with a mailbox and its cached usage. */
  users(): UserUsage[] {
    const db = this.conn()
    if (!db) return []
    return db.prepare('SELECT userid, disk_used AS bytes, msg_used AS messages FROM users').all() as UserUsage[]
  }

  /** Cached usage of the given users (those with no mailbox are left out). */
  usersById(ids: string[]): UserUsage[] {
    const db = this.conn()
    if (!db || ids.length === 0) return []
    const out: UserUsage[] = []
    const st = db.prepare('SELECT userid, disk_used AS bytes, msg_used AS messages FROM users WHERE userid = ?')
    for (const id of ids) {
      const r = st.get(id) as UserUsage | undefined
      if (r) out.push(r)
    }
    return out
  }

  /**
   * The `n` users highest in usage against one pair of limits (bytes, messages; -1 unlimited), in
   * `domains` (null = all): SQLite's top-n sort over the list, no row leaves the database but those.
   */
  topByUsage(n: number, limits: { disk: number; msgs: number }, domains: string[] | null, defaultDomain: string): UserUsage[] {
    const db = this.conn()
    if (!db || (limits.disk < 0 && limits.msgs < 0) || (domains && domains.length === 0)) return []
    const ratio = (col: string, lim: number) => (lim < 0 ? '0' : lim === 0 ? `(${col} > 0)` : `${col} * 1.0 / ${lim}`)
    const params: unknown[] = []
    let where = ''
    if (domains) {
      const def = defaultDomain.toLowerCase()
      const terms = domains.map((d) => {
        params.push('%@' + d.toLowerCase().replace(/[\\%_]/g, '\\$&'))
        return d.toLowerCase() === def ? "(userid LIKE ? ESCAPE '\\' OR instr(userid, '@') = 0)" : "userid LIKE ? ESCAPE '\\'"
      })
      where = `WHERE ${terms.join(' OR ')}`
    }
    return db.prepare(`SELECT userid, disk_used AS bytes, msg_used AS messages FROM users ${where}
      ORDER BY max(${ratio('disk_used', Math.floor(limits.disk))}, ${ratio('msg_used', Math.floor(limits.msgs))}) DESC LIMIT ?`).all(...params, n) as UserUsage[]
  }

  /** Totals per domain (lower case), every domain that has a mailbox. */
  byDomain(defaultDomain: string): Map<string, DomainUsage> {
    const out = new Map<string, DomainUsage>()
    const db = this.conn()
    if (!db) return out
    const rows = db.prepare(`SELECT ${DOMAIN_EXPR} AS domain, COUNT(*) AS users, COALESCE(SUM(disk_used), 0) AS bytes,
      COALESCE(SUM(msg_used), 0) AS messages FROM users GROUP BY 1`).all({ def: defaultDomain.toLowerCase() }) as Array<DomainUsage & { domain: string }>
    for (const r of rows) out.set(r.domain, { users: r.users, bytes: r.bytes, messages: r.messages })
    return out
  }

  /** Totals of one domain (`uid@domain` ids; bare uids too for the default domain). */
  domain(domain: string, defaultDomain: string): DomainUsage {
    const db = this.conn()
    if (!db) return { users: 0, bytes: 0, messages: 0 }
    const d = domain.toLowerCase()
    const like = '%@' + d.replace(/[\\%_]/g, '\\$&')
    const bare = d === defaultDomain.toLowerCase() ? "OR instr(userid, '@') = 0" : ''
    return db.prepare(`SELECT COUNT(*) AS users, COALESCE(SUM(disk_used), 0) AS bytes, COALESCE(SUM(msg_used), 0) AS messages
      FROM users WHERE userid LIKE ? ESCAPE '\\' ${bare}`).get(like) as DomainUsage
  }

  close(): void {
    try { this.db?.close() } catch { /* closed */ }
    this.db = undefined
  }
}
