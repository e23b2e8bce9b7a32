// Applies prisma/migrations/*/migration.sql to a SQLite file, recording them in `_prisma_migrations`
// exactly as `prisma migrate deploy` does (same table, sha256 checksum of the file), so that either
// tool can take over. Running the Prisma CLI costs seconds per database; this costs milliseconds,
// which matters for the daemon's start and for tests that make many databases.
import Database from 'better-sqlite3'
import { createHash, randomUUID } from 'node:crypto'
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "checksum" TEXT NOT NULL,
  "finished_at" DATETIME,
  "migration_name" TEXT NOT NULL,
  "logs" TEXT,
  "rolled_back_at" DATETIME,
  "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
  "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
)`

export interface MigrationResult {
  applied: string[]
}

export function applyMigrations(dbPath: string, migrationsDir: string): MigrationResult {
  const db = new Database(dbPath, { timeout: 10_000 })
  try {
    db.pragma('journal_mode = WAL')
    db.exec(MIGRATIONS_TABLE)
    const done = new Set(
      (db.prepare('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL').all() as Array<{ migration_name: string }>).map((r) => r.migration_name),
    )
    const names = existsSync(migrationsDir)
      ? readdirSync(migrationsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
      : []
    const applied: string[] = []
    for (const name of names) {
      if (done.has(name)) continue
      const sql = readFileSync(join(migrationsDir, name, 'migration.sql'), 'utf8')
      const checksum = createHash('sha256').update(sql).digest('hex')
      const apply = db.transaction(() => {
        db.exec(sql)
        db.prepare(
          'INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count) VALUES (?, ?, current_timestamp, ?, 1)',
        ).run(randomUUID(), checksum, name)
      })
      apply.immediate()
      applied.push(name)
    }
    return { applied }
  } finally {
    db.close()
  }
}
