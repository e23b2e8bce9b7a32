// The control-plane database of a data root: `<dataRoot>/db/wren.db` (spec: ARCHITECTURE "Where the data lives").
// Holds configuration versions, the audit log, console administrators and the embedded directory.
import { mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaClient } from './generated/prisma/client.js'
import { applyMigrations } from './migrate.js'

export type { PrismaClient }

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
export const MIGRATIONS_DIR = join(repoRoot, 'prisma', 'migrations')

export interface ControlDb {
  prisma: PrismaClient
  path: string
  close(): Promise<void>
}

export function controlDbPath(dataRoot: string): string {
  return join(resolve(dataRoot), 'db', 'wren.db')
}

/** Opens (creating and migrating when needed) the control-plane database of a data root. */
export async function openControlDb(dataRoot: string): Promise<ControlDb> {
  const path = controlDbPath(dataRoot)
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  applyMigrations(path, MIGRATIONS_DIR)
  // `timeout` is better-sqlite3's busy timeout: the daemon's services and the CLI share the file.
  const adapter = new PrismaBetterSQLite3({ url: `file:${path}`, timeout: 10_000 })
  const prisma = new PrismaClient({ adapter })
  return {
    prisma,
    path,
    close: () => prisma.$disconnect(),
  }
}
