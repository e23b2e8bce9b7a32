// Indexes that keep users.list fast at 100k embedded users (issue 6 "stay fast at 100k users"):
//  - an FTS5 trigram index over DirEntry.search (substring search of uid, cn and every address,
//    what the embedded provider's `search` column holds), kept in step by triggers so that every
//    writer — daemon, CLI tools, imports — updates it inside its own transaction;
//  - sort indexes on the user's uid, cn and mail (first value, lower case), globally and per domain,
//    so a first page in any order is an index range scan.
// They are derived data: created idempotently (and filled once) on first use. See docs/decisions.md.
import Database from 'better-sqlite3'

export const SEARCH_TABLE = 'DirEntrySearch'
export const CN_EXPR = "lower(coalesce(json_extract(attrs, '$.cn[0]'), ''))"
export const MAIL_EXPR = "lower(coalesce(json_extract(attrs, '$.mail[0]'), ''))"

const STATEMENTS = [
  `CREATE VIRTUAL TABLE IF NOT EXISTS ${SEARCH_TABLE} USING fts5(search, content='DirEntry', content_rowid='id', tokenize='trigram')`,
  `CREATE TRIGGER IF NOT EXISTS ${SEARCH_TABLE}_ai AFTER INSERT ON DirEntry BEGIN
     INSERT INTO ${SEARCH_TABLE}(rowid, search) VALUES (new.id, new.search); END`,
  `CREATE TRIGGER IF NOT EXISTS ${SEARCH_TABLE}_ad AFTER DELETE ON DirEntry BEGIN
     INSERT INTO ${SEARCH_TABLE}(${SEARCH_TABLE}, rowid, search) VALUES ('delete', old.id, old.search); END`,
  `CREATE TRIGGER IF NOT EXISTS ${SEARCH_TABLE}_au AFTER UPDATE OF search ON DirEntry BEGIN
     INSERT INTO ${SEARCH_TABLE}(${SEARCH_TABLE}, rowid, search) VALUES ('delete', old.id, old.search);
     INSERT INTO ${SEARCH_TABLE}(rowid, search) VALUES (new.id, new.search); END`,
  'CREATE INDEX IF NOT EXISTS DirEntry_sort_uid ON DirEntry(kind, name, domain)',
  `CREATE INDEX IF NOT EXISTS DirEntry_sort_cn ON DirEntry(kind, ${CN_EXPR}, domain, name)`,
  `CREATE INDEX IF NOT EXISTS DirEntry_sort_mail ON DirEntry(kind, ${MAIL_EXPR}, domain, name)`,
  `CREATE INDEX IF NOT EXISTS DirEntry_domain_cn ON DirEntry(kind, domain, ${CN_EXPR}, name)`,
  `CREATE INDEX IF NOT EXISTS DirEntry_domain_mail ON DirEntry(kind, domain, ${MAIL_EXPR}, name)`,
]

const ready = new Set<string>()

/** Creates the search table, its triggers and the sort indexes once per database file. */
export function ensureSearchIndex(dbPath: string): void {
  if (ready.has(dbPath)) return
  const db = new Database(dbPath, { timeout: 10_000 })
  try {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE name = ?").get(SEARCH_TABLE)
    db.transaction(() => {
      for (const s of STATEMENTS) db.exec(s)
      if (!exists) db.exec(`INSERT INTO ${SEARCH_TABLE}(${SEARCH_TABLE}) VALUES ('rebuild')`)
    }).immediate()
  } finally {
    db.close()
  }
  ready.add(dbPath)
}

/** An FTS5 phrase for a substring (trigram tokenizer: at least 3 characters). */
export function substringPhrase(text: string): string {
  return `"${text.replace(/"/g, '""')}"`
}
