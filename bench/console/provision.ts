// Bench provisioning shared by run.ts and list-api.ts: N users cloned from one user the embedded
// directory created (its DirEntry row, with a new uid / mail / cn each, and the DirKey address key),
// in batches of 2,000 rows so a daemon sharing the file is not locked out for the whole run; and,
// for the quota views, a mailbox-list row with usage for each of them.
import type Database from 'better-sqlite3'

export const FIRST = ['Ada', 'Alan', 'Barbara', 'Brian', 'Claude', 'Dennis', 'Donald', 'Edsger', 'Frances', 'Grace', 'Guido', 'Hedy', 'Ivan', 'John', 'Ken', 'Leslie', 'Linus', 'Margaret', 'Niklaus', 'Radia', 'Rob', 'Shafi', 'Tim', 'Vint', 'Whitfield']
export const LAST = ['Abbott', 'Baker', 'Carter', 'Dawson', 'Ellis', 'Fischer', 'Garcia', 'Harrison', 'Ibarra', 'Jensen', 'Kowalski', 'Lindqvist', 'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Quinn', 'Rossi', 'Silva', 'Tanaka', 'Ueda', 'Vargas', 'Wagner', 'Xu', 'Young', 'Zimmer', 'Novak', 'Berg', 'Costa', 'Duval']

interface Row { kind: string; domain: string; name: string; attrs: string; passwordHash: string; status: string; search: string }

export const cloneUid = (i: number) => `u${String(i).padStart(6, '0')}`

/** Clones the user `template` of `domain` n times (uids u000000…). Yields between batches. */
export async function cloneUsersAsync(db: Database.Database, domain: string, n: number): Promise<void> {
  const batch = cloner(db, domain)
  for (let from = 0; from < n; from += 2000) {
    batch(from, Math.min(n, from + 2000))
    await new Promise((r) => setImmediate(r))
  }
}

export function cloneUsers(db: Database.Database, domain: string, n: number): void {
  const batch = cloner(db, domain)
  for (let from = 0; from < n; from += 2000) batch(from, Math.min(n, from + 2000))
}

function cloner(db: Database.Database, domain: string): (from: number, to: number) => void {
  db.pragma('journal_mode = WAL')
  const tpl = db.prepare("SELECT kind, domain, name, attrs, passwordHash, status, search FROM DirEntry WHERE kind = 'user' AND name = 'template' AND domain = ?").get(domain) as Row | undefined
  if (!tpl) throw new Error('the template user is not in the embedded directory')
  const attrs = JSON.parse(tpl.attrs) as Record<string, string[]>
  const insEntry = db.prepare('INSERT INTO DirEntry (kind, domain, name, attrs, passwordHash, status, search, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
  const insKey = db.prepare('INSERT INTO DirKey (key, entryId, attr) VALUES (?, ?, ?)')
  const now = Date.now()
  return db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const first = FIRST[i % FIRST.length]!
      const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!
      const uid = cloneUid(i)
      const mail = `${first.toLowerCase()}.${last.toLowerCase()}.${i}@${domain}`
      const cn = `${first} ${last}`
      const a = { ...attrs, uid: [uid], mail: [mail], cn: [cn], sn: [last], givenName: [first] }
      const search = [uid, cn, mail].join(' ').toLowerCase()
      const r = insEntry.run('user', domain, uid, JSON.stringify(a), tpl.passwordHash, tpl.status, search, now, now)
      insKey.run(`a:${mail}`, r.lastInsertRowid, 'mail')
    }
  })
}

/** A mailbox-list row (store/mboxlist) with some usage for each clone: what the store's cache holds. */
export function usageForAll(mboxlist: Database.Database, domain: string, n: number): void {
  const ins = mboxlist.prepare("INSERT OR REPLACE INTO users (userid, partition, created, disk_used, msg_used, updated) VALUES (?, 'primary', ?, ?, ?, ?)")
  const now = Date.now()
  mboxlist.transaction(() => {
    for (let i = 0; i < n; i++) ins.run(`${cloneUid(i)}@${domain}`, now, (i * 7919) % 5_000_000, (i * 31) % 900, now)
  })()
}
