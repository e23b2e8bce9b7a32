// Short-lived control-plane database connections, one per configuration operation (docs/decisions.md
// D-config-3). With two SQLite libraries in one process (@wren/db's better-sqlite3 and a copy bundled
// by Prisma's adapter) a long-lived connection could be left on unlinked -wal/-shm files by another
// connection's close and silently read a stale snapshot; a connection opened per operation always
// opens the current files, whatever else the process does. Migrations run once per process and root.
import { resolve } from 'node:path'
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3'
import { controlDbPath, openControlDb, type PrismaClient } from '@wren/db'
import { PrismaClient as Client } from '@wren/db/generated/prisma/client'

const migrated = new Map<string, Promise<void>>()

function ensureMigrated(dataRoot: string): Promise<void> {
  const key = resolve(dataRoot)
  let p = migrated.get(key)
  if (!p) {
    p = openControlDb(key).then((db) => db.close())
    migrated.set(key, p)
    p.catch(() => migrated.delete(key))
  }
  return p
}

/** Runs `fn` with a fresh Prisma client on the data root's control database, then disconnects. */
export async function withControlDb<T>(dataRoot: string, fn: (prisma: PrismaClient) => Promise<T>): Promise<T> {
  await ensureMigrated(dataRoot)
  const adapter = new PrismaBetterSQLite3({ url: `file:${controlDbPath(dataRoot)}`, timeout: 10_000 })
  const prisma = new Client({ adapter }) as unknown as PrismaClient
  try {
    return await fn(prisma)
  } finally {
    await prisma.$disconnect()
  }
}

const queues = new Map<string, Promise<unknown>>()

/**
 * Runs writers of one data root one at a time within this process. better-sqlite3 is synchronous: a
 * second in-process writer waiting on SQLite's busy timeout would block the event loop, and with it the
 * first writer's commit. Writers in other processes are handled by SQLite's locks and the retry.
 */
export function serializeWrites<T>(dataRoot: string, fn: () => Promise<T>): Promise<T> {
  const key = resolve(dataRoot)
  const prev = queues.get(key) ?? Promise.resolve()
  const run = prev.then(fn, fn)
  const tail = run.catch(() => undefined)
  queues.set(key, tail)
  void tail.then(() => { if (queues.get(key) === tail) queues.delete(key) })
  return run
}
