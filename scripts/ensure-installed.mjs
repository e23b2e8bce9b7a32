// Installs npm dependencies and generates the Prisma client when a fresh clone lacks them.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env })
  if (r.status !== 0) { console.error(`wren: '${cmd} ${args.join(' ')}' failed`); process.exit(1) }
}

/**
 * better-sqlite3 compiles with node-gyp, which downloads Node's headers unless told where they are.
 * When the machine has headers for this exact Node version installed (Debian: /usr/include/node),
 * point node-gyp at them so a normal user can install offline from nodejs.org.
 */
function localNodedir() {
  if (process.env.npm_config_nodedir) return undefined
  for (const dir of ['/usr', '/usr/local']) {
    const h = `${dir}/include/node/node_version.h`
    if (!existsSync(h)) continue
    const text = readFileSync(h, 'utf8')
    const v = ['MAJOR', 'MINOR', 'PATCH'].map((k) => new RegExp(`#define NODE_${k}_VERSION (\\d+)`).exec(text)?.[1]).join('.')
    if (`v${v}` === process.version) return dir
  }
  return undefined
}

export function ensureInstalled() {
  if (!existsSync('node_modules/.package-lock.json') || !existsSync('node_modules/better-sqlite3/build')) {
    console.log('wren: installing dependencies (npm ci)…')
    const nodedir = localNodedir()
    const env = nodedir ? { ...process.env, npm_config_nodedir: nodedir } : process.env
    run('npm', existsSync('package-lock.json') ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'], env)
  }
  if (!existsSync('packages/db/src/generated/prisma')) run('npx', ['prisma', 'generate'])
}
