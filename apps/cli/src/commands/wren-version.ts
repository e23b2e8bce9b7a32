// `wren-version`: prints Wren's version (the product's `imsimta version` analogue for the whole server).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { CliIO } from '../io.js'

export async function run(argv: string[], io: CliIO): Promise<number> {
  if (argv.length) { io.stderr('usage: wren-version\n'); return 64 }
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../../../package.json', import.meta.url)), 'utf8')) as { version: string }
  io.stdout(`Wren Messaging Server ${pkg.version} (Node.js ${process.version})\n`)
  return 0
}
