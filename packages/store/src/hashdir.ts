// hashdir (spec 03 §2, spec 02 §14): a stable two-level hex path for a store user id, e.g. `64/b1/`.
// The product's algorithm is unspecified (spec 03 §0); ours is the first two bytes of the MD5 of the
// user id's bytes. Case-sensitive and not validated, like the product's tool.
import { createHash } from 'node:crypto'

export function hashdir(userid: string): string {
  const h = createHash('md5').update(userid, 'utf8').digest()
  return `${h.toString('hex', 0, 1)}/${h.toString('hex', 1, 2)}/`
}
