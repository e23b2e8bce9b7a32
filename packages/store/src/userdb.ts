// The per-user index (better-sqlite3, WAL, synchronous=FULL): every folder of one user, their
// messages (compact flag rows + a separate cache of envelope/MIME tree), the expunge log (QRESYNC),
// ACLs, subscriptions, per-user \Seen for shared folders and the quota state. Several processes open
// the same file; writers serialize with BEGIN IMMEDIATE, so UIDs and modseqs are allocated exactly once.
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'

export const SCHEMA_VERSION = 1

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT);
CREATE TABLE IF NOT EXISTS mailboxes (
  id INTEGER PRIMARY KEY,
  folder TEXT NOT NULL UNIQUE,
  uidvalidity INTEGER NOT NULL,
  uidnext INTEGER NOT NULL DEFAULT 1,
  highestmodseq INTEGER NOT NULL DEFAULT 1,
  recent_uid INTEGER NOT NULL DEFAULT 0,
  exists_count INTEGER NOT NULL DEFAULT 0,
  total_size INTEGER NOT NULL DEFAULT 0,
  expunged_count INTEGER NOT NULL DEFAULT 0,
  seen_count INTEGER NOT NULL DEFAULT 0,
  deleted_count INTEGER NOT NULL DEFAULT 0,
  special_use TEXT,
  created INTEGER NOT NULL,
  last_append INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS messages (
  mailbox_id INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  modseq INTEGER NOT NULL,
  flags INTEGER NOT NULL,
  keywords TEXT,
  size INTEGER NOT NULL,
  header_size INTEGER NOT NULL,
  internal_date INTEGER NOT NULL,
  save_date INTEGER NOT NULL,
  -- 1 when the message is one text part in 7bit/8bit US-ASCII/UTF-8: SEARCH BODY scans its raw bytes.
  simple INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (mailbox_id, uid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS messages_modseq ON messages (mailbox_id, modseq);
CREATE TABLE IF NOT EXISTS cache (
  mailbox_id INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  message_id TEXT,
  envelope TEXT NOT NULL,
  structure TEXT NOT NULL,
  PRIMARY KEY (mailbox_id, uid)
);
-- Decoded text for SEARCH BODY/TEXT (spec 03 §25 substring semantics) without opening message files.
CREATE TABLE IF NOT EXISTS textcache (
  mailbox_id INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  hdr TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (mailbox_id, uid)
);
CREATE TABLE IF NOT EXISTS expunged (
  mailbox_id INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  modseq INTEGER NOT NULL,
  expunged_at INTEGER NOT NULL,
  size INTEGER NOT NULL DEFAULT 0,
  purged INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (mailbox_id, uid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS expunged_modseq ON expunged (mailbox_id, modseq);
CREATE TABLE IF NOT EXISTS acl (
  mailbox_id INTEGER NOT NULL,
  identifier TEXT NOT NULL,
  rights TEXT NOT NULL,
  PRIMARY KEY (mailbox_id, identifier)
);
CREATE TABLE IF NOT EXISTS subscriptions (owner TEXT NOT NULL, folder TEXT NOT NULL, PRIMARY KEY (owner, folder));
CREATE TABLE IF NOT EXISTS seen (
  mailbox_id INTEGER NOT NULL, userid TEXT NOT NULL, uid INTEGER NOT NULL,
  PRIMARY KEY (mailbox_id, userid, uid)
) WITHOUT ROWID;
-- Idempotent delivery: the MTA's id for one recipient of one queued message, written in the same
-- transaction as the message, so a delivery repeated after a crash (store committed, queue not yet
-- marked done) is recognised and not stored twice. Pruned after 14 days (longer than any queue life).
-- WITHOUT ROWID: one B-tree (not a table plus its key index), one page fewer per delivery commit.
-- (Indexes created before that keep their rowid table; both forms behave the same.)
CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, mailbox_id INTEGER NOT NULL, uid INTEGER NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS quota_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  over_since INTEGER, warn_since INTEGER, last_warn INTEGER, over_event INTEGER NOT NULL DEFAULT 0
);
`

export interface MailboxRow {
  id: number
  folder: string
  uidvalidity: number
  uidnext: number
  highestmodseq: number
  recent_uid: number
  exists_count: number
  total_size: number
  expunged_count: number
  seen_count: number
  deleted_count: number
  special_use: string | null
  created: number
  last_append: number
}

export interface MessageRow {
  uid: number
  modseq: number
  flags: number
  keywords: string | null
  size: number
  header_size: number
  internal_date: number
  save_date: number
  simple: number
}

type Stmt = Database.Statement

/** One open connection to a user's index, with prepared statements. */
export class UserDb {
  readonly db: Database.Database
  readonly s: Record<string, Stmt>
  refs = 0
  lastUsed = Date.now()
  /** Last prune of the `deliveries` table through this connection (commitAppends). */
  lastPrune = 0
  /**
   * INBOX's mailbox id once seen (delivery's hot path). INBOX is never deleted and keeps its id when
   * renamed (its messages move out); a user deleted or reconstructed elsewhere gets a new connection.
   */
  inboxId = 0
  private bellFd = -1
  /** Inode of store.idx when opened: another process deleting/replacing the user is detected by it. */
  readonly ino: number

  constructor(readonly userid: string, readonly dir: string, readonly partition: string) {
    this.db = new Database(path.join(dir, 'store.idx'))
    this.ino = fs.statSync(path.join(dir, 'store.idx')).ino
    this.db.pragma('busy_timeout = 30000')
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = FULL')
    this.db.pragma('cache_size = -512')
    this.db.exec(SCHEMA)
    const s = (sql: string) => this.db.prepare(sql)
    this.s = {
      mailboxById: s('SELECT * FROM mailboxes WHERE id = ?'),
      mailboxByFolder: s('SELECT * FROM mailboxes WHERE folder = ?'),
      mailboxes: s('SELECT * FROM mailboxes ORDER BY folder'),
      counters: s('SELECT highestmodseq, uidnext, exists_count FROM mailboxes WHERE id = ?'),
      insertMailbox: s(`INSERT INTO mailboxes (id, folder, uidvalidity, uidnext, highestmodseq, special_use, created)
        VALUES (@id, @folder, @uidvalidity, @uidnext, @highestmodseq, @special_use, @created)`),
      maxMailboxId: s('SELECT COALESCE(MAX(id), 0) AS m FROM mailboxes'),
      getMeta: s('SELECT v FROM meta WHERE k = ?'),
      setMeta: s('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v'),
      insertMessage: s(`INSERT INTO messages (mailbox_id, uid, modseq, flags, keywords, size, header_size, internal_date, save_date, simple)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      searchRows: s('SELECT uid, header_size, size, simple FROM messages WHERE mailbox_id = ? ORDER BY uid').raw(),
      insertCache: s('INSERT OR REPLACE INTO cache (mailbox_id, uid, message_id, envelope, structure) VALUES (?, ?, ?, ?, ?)'),
      bumpAppend: s(`UPDATE mailboxes SET uidnext = ?, highestmodseq = ?, exists_count = exists_count + ?,
        total_size = total_size + ?, last_append = ? WHERE id = ?`),
      uids: s('SELECT uid FROM messages WHERE mailbox_id = ? ORDER BY uid').pluck(),
      // The whole uid list as one BLOB of big-endian uint32s: one value crosses into JS instead of 100k rows.
      // (The primary-key scan yields ascending uids; `unpackUids` checks and sorts if a plan ever differs.)
      uidsPacked: s("SELECT unhex(group_concat(printf('%08x', uid), '')) FROM messages WHERE mailbox_id = ?").pluck(),
      uidsFrom: s('SELECT uid FROM messages WHERE mailbox_id = ? AND uid >= ? ORDER BY uid').pluck(),
      uidKey: s('SELECT uidnext, exists_count, expunged_count FROM mailboxes WHERE id = ?'),
      // Keyword-free rows of a flag scan as one BLOB of 16-byte big-endian records (uid, modseq hi, modseq lo,
      // flags): `UID FETCH 1:* (FLAGS)` on 100k messages moves one value into JS instead of 100k row arrays.
      flagPacked: s(`SELECT unhex(group_concat(printf('%08x%08x%08x%08x', uid, modseq >> 32, modseq & 4294967295, flags), ''))
        FROM messages WHERE mailbox_id = ? AND uid >= ? AND uid <= ? AND (keywords IS NULL OR keywords = '')`).pluck(),
      flagKeywordRows: s(`SELECT uid, modseq, flags, keywords FROM messages
        WHERE mailbox_id = ? AND uid >= ? AND uid <= ? AND keywords <> '' ORDER BY uid`).raw(),
      flagScan: s('SELECT uid, modseq, flags, keywords FROM messages WHERE mailbox_id = ? AND uid >= ? AND uid <= ? ORDER BY uid').raw(),
      message: s('SELECT * FROM messages WHERE mailbox_id = ? AND uid = ?'),
      summaries: s(`SELECT m.uid, m.modseq, m.flags, m.keywords, m.size, m.header_size, m.internal_date, m.save_date, c.message_id
        FROM messages m LEFT JOIN cache c ON c.mailbox_id = m.mailbox_id AND c.uid = m.uid
        WHERE m.mailbox_id = ? AND m.uid >= ? AND m.uid <= ? ORDER BY m.uid`).raw(),
      cacheRow: s('SELECT message_id, envelope, structure FROM cache WHERE mailbox_id = ? AND uid = ?'),
      setFlags: s('UPDATE messages SET flags = ?, keywords = ?, modseq = ? WHERE mailbox_id = ? AND uid = ?'),
      setModseq: s('UPDATE mailboxes SET highestmodseq = ? WHERE id = ?'),
      deletedUids: s('SELECT uid, size, flags FROM messages WHERE mailbox_id = ? AND (flags & 8) != 0 ORDER BY uid').raw(),
      adjustFlagCounts: s('UPDATE mailboxes SET seen_count = seen_count + ?, deleted_count = deleted_count + ? WHERE id = ?'),
      recountFlags: s(`UPDATE mailboxes SET
        seen_count = (SELECT COUNT(*) FROM messages WHERE mailbox_id = mailboxes.id AND (flags & 1) != 0),
        deleted_count = (SELECT COUNT(*) FROM messages WHERE mailbox_id = mailboxes.id AND (flags & 8) != 0) WHERE id = ?`),
      deleteMessage: s('DELETE FROM messages WHERE mailbox_id = ? AND uid = ?'),
      deleteCache: s('DELETE FROM cache WHERE mailbox_id = ? AND uid = ?'),
      insertText: s('INSERT OR REPLACE INTO textcache (mailbox_id, uid, hdr, body) VALUES (?, ?, ?, ?)'),
      textRow: s('SELECT hdr, body FROM textcache WHERE mailbox_id = ? AND uid = ?'),
      deleteText: s('DELETE FROM textcache WHERE mailbox_id = ? AND uid = ?'),
      likeBody: s("SELECT uid FROM textcache WHERE mailbox_id = ? AND body LIKE ? ESCAPE '\\'").pluck(),
      likeText: s("SELECT uid FROM textcache WHERE mailbox_id = ? AND (hdr LIKE ? ESCAPE '\\' OR body LIKE ? ESCAPE '\\')").pluck(),
      allText: s('SELECT uid, hdr, body FROM textcache WHERE mailbox_id = ?').raw(),
      uncachedText: s('SELECT m.uid FROM messages m WHERE m.mailbox_id = ? AND NOT EXISTS (SELECT 1 FROM textcache t WHERE t.mailbox_id = m.mailbox_id AND t.uid = m.uid)').pluck(),
      insertExpunged: s('INSERT OR REPLACE INTO expunged (mailbox_id, uid, modseq, expunged_at, size) VALUES (?, ?, ?, ?, ?)'),
      bumpExpunge: s(`UPDATE mailboxes SET highestmodseq = ?, exists_count = exists_count - ?, total_size = total_size - ?,
        expunged_count = expunged_count + ? WHERE id = ?`),
      changedSince: s('SELECT uid, modseq, flags, keywords FROM messages WHERE mailbox_id = ? AND modseq > ? ORDER BY uid').raw(),
      vanishedSince: s('SELECT uid FROM expunged WHERE mailbox_id = ? AND modseq > ? ORDER BY uid').pluck(),
      statusCounts: s(`SELECT COUNT(*) AS messages, COALESCE(SUM((flags & 1) = 0), 0) AS unseen,
        COALESCE(SUM((flags & 8) != 0), 0) AS deleted FROM messages WHERE mailbox_id = ?`),
      recentCount: s('SELECT COUNT(*) FROM messages WHERE mailbox_id = ? AND uid > ?').pluck(),
      recentUids: s('SELECT uid FROM messages WHERE mailbox_id = ? AND uid > ? ORDER BY uid').pluck(),
      setRecent: s('UPDATE mailboxes SET recent_uid = ? WHERE id = ?'),
      usage: s('SELECT COALESCE(SUM(total_size), 0) AS bytes, COALESCE(SUM(exists_count), 0) AS messages FROM mailboxes'),
      aclOf: s('SELECT identifier, rights FROM acl WHERE mailbox_id = ? ORDER BY identifier'),
      setAcl: s('INSERT INTO acl (mailbox_id, identifier, rights) VALUES (?, ?, ?) ON CONFLICT (mailbox_id, identifier) DO UPDATE SET rights = excluded.rights'),
      deleteAcl: s('DELETE FROM acl WHERE mailbox_id = ? AND identifier = ?'),
      subscriptions: s('SELECT owner, folder FROM subscriptions ORDER BY owner, folder'),
      subscribe: s('INSERT OR IGNORE INTO subscriptions (owner, folder) VALUES (?, ?)'),
      unsubscribe: s('DELETE FROM subscriptions WHERE owner = ? AND folder = ?'),
      firstUnseen: s('SELECT uid FROM messages WHERE mailbox_id = ? AND uid >= ? AND (flags & 1) = 0 ORDER BY uid LIMIT 1').pluck(),
      firstUnseenOf: s(`SELECT m.uid FROM messages m WHERE m.mailbox_id = ? AND m.uid >= ? AND NOT EXISTS
        (SELECT 1 FROM seen s WHERE s.mailbox_id = m.mailbox_id AND s.userid = ? AND s.uid = m.uid) ORDER BY m.uid LIMIT 1`).pluck(),
      seenOf: s('SELECT uid FROM seen WHERE mailbox_id = ? AND userid = ? AND uid >= ? AND uid <= ?').pluck(),
      seenHas: s('SELECT 1 FROM seen WHERE mailbox_id = ? AND userid = ? AND uid = ?').pluck(),
      seenAdd: s('INSERT OR IGNORE INTO seen (mailbox_id, userid, uid) VALUES (?, ?, ?)'),
      seenDel: s('DELETE FROM seen WHERE mailbox_id = ? AND userid = ? AND uid = ?'),
      quotaState: s('SELECT * FROM quota_state WHERE id = 1'),
      deliveryById: s('SELECT mailbox_id, uid FROM deliveries WHERE id = ?'),
      insertDelivery: s('INSERT INTO deliveries (id, mailbox_id, uid, at) VALUES (?, ?, ?, ?)'),
      pruneDeliveries: s('DELETE FROM deliveries WHERE at < ?'),
      setQuotaState: s(`INSERT INTO quota_state (id, over_since, warn_since, last_warn, over_event) VALUES (1, @over_since, @warn_since, @last_warn, @over_event)
        ON CONFLICT (id) DO UPDATE SET over_since = excluded.over_since, warn_since = excluded.warn_since,
        last_warn = excluded.last_warn, over_event = excluded.over_event`),
      purgeable: s('SELECT mailbox_id, uid FROM expunged WHERE purged = 0 AND expunged_at <= ?').raw(),
      markPurged: s('UPDATE expunged SET purged = 1 WHERE mailbox_id = ? AND uid = ?'),
      // Journaled delivery commits (journal.ts) run with NORMAL; everything else with FULL.
      syncNormal: s('PRAGMA synchronous = NORMAL'),
      syncFull: s('PRAGMA synchronous = FULL'),
    }
  }

  /** False when store.idx was removed or replaced since this connection opened it. */
  stillCurrent(): boolean {
    try { return fs.statSync(path.join(this.dir, 'store.idx')).ino === this.ino } catch { return false }
  }

  static exists(dir: string): boolean {
    return fs.existsSync(path.join(dir, 'store.idx'))
  }

  mailbox(id: number): MailboxRow | undefined {
    return this.s.mailboxById.get(id) as MailboxRow | undefined
  }

  mailboxByFolder(folder: string): MailboxRow | undefined {
    return this.s.mailboxByFolder.get(folder) as MailboxRow | undefined
  }

  allMailboxes(): MailboxRow[] {
    return this.s.mailboxes.all() as MailboxRow[]
  }

  meta(k: string): string | undefined {
    return (this.s.getMeta.get(k) as { v: string } | undefined)?.v
  }

  /** Run `fn` in a BEGIN IMMEDIATE transaction (cross-process writer lock). */
  write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate()
  }

  /** A fresh UIDVALIDITY: seconds since the epoch, strictly above any used before in this user. */
  nextUidValidity(): number {
    const last = Number(this.meta('last_uidvalidity') ?? 0)
    const v = Math.max(Math.floor(Date.now() / 1000), last + 1) >>> 0
    this.s.setMeta.run('last_uidvalidity', String(v))
    return v
  }

  /** The change doorbell (notify.ts `store.chg`) kept open while this connection is: one write per ring. */
  doorbellFd(): number {
    if (this.bellFd < 0) this.bellFd = fs.openSync(path.join(this.dir, 'store.chg'), fs.constants.O_WRONLY | fs.constants.O_CREAT, 0o600)
    return this.bellFd
  }

  close(): void {
    if (this.bellFd >= 0) { try { fs.closeSync(this.bellFd) } catch { /* closed */ } this.bellFd = -1 }
    try { this.db.close() } catch { /* already closed */ }
  }
}
