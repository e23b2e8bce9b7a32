// The store-wide mailbox list (spec 02 §14 `store/mboxlist/`): users and their partitions, cached
// quota usage per user (for cross-user reports and domain totals; the exact figures live in each
// user's index), and the ACL index used to find mailboxes shared with a user (lright.db).
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  userid TEXT PRIMARY KEY,
  partition TEXT NOT NULL,
  created INTEGER NOT NULL,
  disk_used INTEGER NOT NULL DEFAULT 0,
  msg_used INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS acl_index (
  owner TEXT NOT NULL,
  mailbox_id INTEGER NOT NULL,
  identifier TEXT NOT NULL,
  PRIMARY KEY (owner, mailbox_id, identifier)
);
CREATE INDEX IF NOT EXISTS acl_index_identifier ON acl_index (identifier);
`

export interface UserRow { userid: string; partition: string; created: number; disk_used: number; msg_used: number; updated: number }

export class MboxList {
  readonly db: Database.Database
  private s: Record<string, Database.Statement>

  constructor(file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true })
    this.db = new Database(file)
    this.db.pragma('busy_timeout = 30000')
    this.db.pragma('journal_mode = WAL')
    // The list is rebuilt by reconstruct from the partitions; NORMAL is enough (no fsync per update).
    this.db.pragma('synchronous = NORMAL')
    this.db.exec(SCHEMA)
    const s = (sql: string) => this.db.prepare(sql)
    this.s = {
      user: s('SELECT * FROM users WHERE userid = ?'),
      users: s('SELECT * FROM users ORDER BY userid'),
      addUser: s('INSERT OR IGNORE INTO users (userid, partition, created) VALUES (?, ?, ?)'),
      setPartition: s('UPDATE users SET partition = ? WHERE userid = ?'),
      delUser: s('DELETE FROM users WHERE userid = ?'),
      delUserAcl: s('DELETE FROM acl_index WHERE owner = ?'),
      usage: s('UPDATE users SET disk_used = ?, msg_used = ?, updated = ? WHERE userid = ?'),
      domainUsage: s(`SELECT COUNT(*) AS users, COALESCE(SUM(disk_used), 0) AS bytes, COALESCE(SUM(msg_used), 0) AS messages
        FROM users WHERE userid LIKE ? ESCAPE '\\'`),
      aclAdd: s('INSERT OR IGNORE INTO acl_index (owner, mailbox_id, identifier) VALUES (?, ?, ?)'),
      aclDel: s('DELETE FROM acl_index WHERE owner = ? AND mailbox_id = ? AND identifier = ?'),
      aclDelMailbox: s('DELETE FROM acl_index WHERE owner = ? AND mailbox_id = ?'),
      sharedWith: s('SELECT DISTINCT owner, mailbox_id FROM acl_index WHERE identifier = ?'),
    }
  }

  user(userid: string): UserRow | undefined { return this.s.user.get(userid) as UserRow | undefined }
  users(): UserRow[] { return this.s.users.all() as UserRow[] }
  addUser(userid: string, partition: string): void { this.s.addUser.run(userid, partition, Date.now()) }
  setPartition(userid: string, partition: string): void { this.s.setPartition.run(partition, userid) }
  deleteUser(userid: string): void {
    this.db.transaction(() => { this.s.delUser.run(userid); this.s.delUserAcl.run(userid) })()
  }
  setUsage(userid: string, bytes: number, messages: number): void { this.s.usage.run(bytes, messages, Date.now(), userid) }
  domainUsage(domain: string): { users: number; bytes: number; messages: number } {
    const like = '%@' + domain.replace(/[\\%_]/g, '\\$&')
    return this.s.domainUsage.get(like) as { users: number; bytes: number; messages: number }
  }
  aclAdd(owner: string, mailboxId: number, identifier: string): void { this.s.aclAdd.run(owner, mailboxId, identifier) }
  aclDel(owner: string, mailboxId: number, identifier: string): void { this.s.aclDel.run(owner, mailboxId, identifier) }
  aclDelMailbox(owner: string, mailboxId: number): void { this.s.aclDelMailbox.run(owner, mailboxId) }
  /** Mailboxes with an ACL entry naming any of `identifiers`. */
  sharedWith(identifiers: string[]): Array<{ owner: string; mailbox_id: number }> {
    const seen = new Set<string>()
    const out: Array<{ owner: string; mailbox_id: number }> = []
    for (const id of identifiers) {
      for (const r of this.s.sharedWith.all(id) as Array<{ owner: string; mailbox_id: number }>) {
        const k = r.owner + '\0' + r.mailbox_id
        if (!seen.has(k)) { seen.add(k); out.push(r) }
      }
    }
    return out
  }
  close(): void { try { this.db.close() } catch { /* closed */ } }
}
