// Installs npm dependencies and generates the Prisma client when a fresh clone lacks them.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' })
  if (r.status !== 0) { console.error(`wren: '${cmd} ${args.join(' ')}' failed`); process.exit(1) }
}

export function ensureInstalled() {
  if (!existsSync('node_modules/.package-lock.json') || !existsSync('node_modules/better-sqlite3/build')) {
    console.log('wren: installing dependencies (npm ci)…')
    run('npm', existsSync('package-lock.json') ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'])
  }
  if (!existsSync('packages/db/src/generated/prisma')) run('npx', ['prisma', 'generate'])
}
