// hashdir [-a] [-i] <userid>[@<domain>] (spec 03 §2, spec 04 A.1): prints the relative hash path of a
// user's store directory, e.g. `64/b1/`. `-a` appends the user id; `-i` reads ids interactively.
// The input is not validated and is case-sensitive, as in the product.
import { hashdir } from '@wren/store'
import type { CliIO } from '../io.js'
import { getopt, has, UsageError } from '../store-tools/getopt.js'

const USAGE = 'usage: hashdir [-a] [-i] <userid>[@<domain>]\n'

export async function run(argv: string[], io: CliIO): Promise<number> {
  let p
  try {
    p = getopt(argv, 'aih')
  } catch (e) {
    io.stderr(`hashdir: ${(e as UsageError).message}\n${USAGE}`)
    return 64
  }
  if (has(p, 'h')) { io.stdout(USAGE); return 0 }
  const line = (id: string) => `${hashdir(id)}${has(p, 'a') ? id : ''}\n`
  if (has(p, 'i')) {
    for (;;) {
      const id = await io.prompt('userid: ')
      if (id === null) break
      if (id.trim()) io.stdout(line(id.trim()))
    }
    return 0
  }
  if (p.operands.length !== 1) { io.stderr(USAGE); return 64 }
  io.stdout(line(p.operands[0]!))
  return 0
}
