import { defineConfig } from 'prisma/config'
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3'

// Prisma 6.19.3 with the JS engine and the better-sqlite3 driver adapter works offline
// (STACK.md). DATABASE_URL points at the control-plane database of a data root.
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => new PrismaBetterSQLite3({ url: process.env.DATABASE_URL ?? 'file:./data/db/wren.db' }),
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
})
