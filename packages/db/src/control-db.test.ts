import { describe, it, expect, afterEach } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { openControlDb, controlDbPath, hashPassword, verifyPassword, recordAudit, diffRecords, generatePassword } from './index.js'

const dirs: string[] = []
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'wren-db-')); dirs.push(d); return d }
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

describe('control-plane database', () => {
  it('creates, migrates once, and records migrations as prisma migrate deploy does', async () => {
    const root = tmp()
    const a = await openControlDb(root)
    await a.prisma.adminAccount.create({ data: { username: 'admin', role: 'global' } })
    await a.close()
    const b = await openControlDb(root) // second open: no re-migration, data kept
    expect(await b.prisma.adminAccount.count()).toBe(1)
    await b.close()
    const raw = new Database(controlDbPath(root))
    const rows = raw.prepare('SELECT migration_name, checksum, finished_at FROM _prisma_migrations').all() as Array<{ migration_name: string; checksum: string; finished_at: string }>
    raw.close()
    expect(rows.map((r) => r.migration_name)).toEqual(['0001_init', '0002_directory_search'])
    for (const r of rows) {
      expect(r.checksum).toMatch(/^[0-9a-f]{64}$/)
      expect(r.finished_at).toBeTruthy()
    }
  })

  it('0002 keeps the directory search index in step with every write (triggers) and adds the sort indexes', async () => {
    const root = tmp()
    await (await openControlDb(root)).close()
    const raw = new Database(controlDbPath(root))
    const names = (raw.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'DirEntry%'").all() as Array<{ name: string }>).map((r) => r.name)
    expect(names).toEqual(expect.arrayContaining(['DirEntrySearch', 'DirEntry_sort_uid', 'DirEntry_sort_cn', 'DirEntry_sort_mail', 'DirEntry_domain_cn', 'DirEntry_domain_mail', 'DirEntry_quota_override']))
    const ins = raw.prepare("INSERT INTO DirEntry (kind, domain, name, attrs, passwordHash, status, search, createdAt, updatedAt) VALUES ('user', 'a.test', ?, '{}', '', '', ?, 0, 0)")
    const id = ins.run('joe', 'joe joe miller joe@a.test').lastInsertRowid
    const hits = (q: string) => (raw.prepare('SELECT rowid FROM DirEntrySearch WHERE DirEntrySearch MATCH ?').all(`"${q}"`) as Array<{ rowid: number }>).map((r) => r.rowid)
    expect(hits('mille')).toEqual([Number(id)])
    raw.prepare('UPDATE DirEntry SET search = ? WHERE id = ?').run('joe joe smith joe@a.test', id)
    expect(hits('mille')).toEqual([])
    expect(hits('smit')).toEqual([Number(id)])
    raw.prepare('DELETE FROM DirEntry WHERE id = ?').run(id)
    expect(hits('smit')).toEqual([])
    raw.close()
  })

  it('records audit events with secrets masked', async () => {
    const db = await openControlDb(tmp())
    await recordAudit(db.prisma, {
      actor: 'admin', role: 'global', action: 'user.modify', target: 'joe@example.com', domain: 'example.com', source: 'cli',
      diff: diffRecords({ cn: 'Joe', userPassword: 'old' }, { cn: 'Joe Smith', userPassword: 'new' }),
    })
    const [ev] = await db.prisma.auditEvent.findMany()
    expect(JSON.parse(ev!.diff)).toEqual([
      { field: 'cn', before: 'Joe', after: 'Joe Smith' },
      { field: 'userPassword', before: '********', after: '********' },
    ])
    await db.close()
  })
})

describe('passwords', () => {
  it('hashes with scrypt and verifies', async () => {
    const h = await hashPassword('s3cret')
    expect(h).toMatch(/^\$scrypt\$32768\$8\$1\$/)
    expect(await verifyPassword('s3cret', h)).toBe(true)
    expect(await verifyPassword('wrong', h)).toBe(false)
    expect(await verifyPassword('s3cret', 'garbage')).toBe(false)
    expect(generatePassword()).toMatch(/^[A-Za-z2-9]{20}$/)
  })
})

describe('several connections in one process', () => {
  // Regression: Prisma's adapter once bundled its own better-sqlite3 (a second SQLite library in the
  // process). Closing one connection then released the other's POSIX locks and unlinked the WAL under it.
  // package.json `overrides` pins one better-sqlite3 for everything; this proves the outcome.
  it('a connection stays correct after another one on the same file is opened and closed', async () => {
    const root = tmp()
    const a = await openControlDb(root)
    await a.prisma.adminAccount.create({ data: { username: 'first', role: 'global' } })
    const b = await openControlDb(root)
    await b.prisma.adminAccount.create({ data: { username: 'second', role: 'global' } })
    await b.close()
    const c = await openControlDb(root) // migration check opens and closes a raw connection
    await c.close()
    await a.prisma.adminAccount.create({ data: { username: 'third', role: 'global' } })
    expect((await a.prisma.adminAccount.findMany({ orderBy: { id: 'asc' } })).map((x) => x.username)).toEqual(['first', 'second', 'third'])
    await a.close()
    const d = await openControlDb(root)
    expect(await d.prisma.adminAccount.count()).toBe(3)
    await d.close()
  })
})
