/**
 * SETQUOTA (RFC 9208 §4.1.3; RFC 2087 §4.1): quota limits live in the directory (spec 03 §4
 * `mailQuota` / `mailMsgQuota`, `default;#type%q;folder%q`). A store administrator (`store.admins`)
 * sets the limits of `user/<uid>` (the default part) or of a folder root `user/<uid>/<folder>` (its
 * `folder%q` part) through @wren/directory with an Actor, so the change is audited like any other.
 * "Any previous resource limits for the named quota root are discarded": a resource not named becomes
 * unlimited (-1) on the user root and is removed from a folder root. STORAGE is in units of 1024 octets.
 */
import type { Actor, DirectoryUser, Modification } from '@wren/directory/types'
import { parseQuota } from '@wren/directory/quota'

/** What SETQUOTA needs from the directory (its public API). */
export interface QuotaDirectory {
  findUser(idOrAddress: string): Promise<DirectoryUser | undefined>
  modifyUser(storeId: string, mods: Modification[], actor: Actor): Promise<DirectoryUser>
}

export const SUPPORTED_RESOURCES = new Set(['STORAGE', 'MESSAGE'])

/** Quota root name → owner and folder root ('' = the user root). */
export function parseQuotaRoot(root: string): { owner: string; folder: string } | null {
  const m = /^user\/([^/]+)(?:\/(.+))?$/.exec(root)
  return m ? { owner: m[1]!, folder: m[2] ?? '' } : null
}

/** Rewrite one root's part of a quota attribute value; '' when nothing is left (delete the attribute). */
export function rewriteQuota(value: string | undefined, folder: string, amount: number | undefined, kind: 'bytes' | 'count'): string {
  const spec = parseQuota(value ?? null, kind)
  if (!folder) spec.limit = amount ?? -1
  else if (amount === undefined) delete spec.folders[folder]
  else spec.folders[folder] = amount
  const parts = [spec.limit === undefined ? '' : String(spec.limit)]
  for (const [t, n] of Object.entries(spec.types)) parts.push(`#${t}%${n}`)
  for (const [f, n] of Object.entries(spec.folders)) parts.push(`${f}%${n}`)
  return parts.length === 1 ? parts[0]! : parts.join(';')
}

/** Apply SETQUOTA limits to the directory entry. Returns false when the user is unknown. */
export async function setQuotaLimits(dir: QuotaDirectory, owner: string, folder: string,
  limits: Array<{ resource: string; limit: number }>, actor: Actor): Promise<boolean> {
  const user = await dir.findUser(owner)
  if (!user || user.storeId !== owner) return false
  const storage = limits.find((l) => l.resource === 'STORAGE')
  const messages = limits.find((l) => l.resource === 'MESSAGE')
  const mods: Modification[] = []
  for (const [attr, cur, amount, kind] of [
    ['mailQuota', user.mailQuota, storage ? storage.limit * 1024 : undefined, 'bytes'],
    ['mailMsgQuota', user.mailMsgQuota, messages?.limit, 'count'],
  ] as const) {
    const next = rewriteQuota(cur, folder, amount, kind)
    if (next === (cur ?? '')) continue
    mods.push(next === '' ? { op: 'delete', attr, values: [] } : { op: 'replace', attr, values: [next] })
  }
  if (mods.length) await dir.modifyUser(user.storeId, mods, actor)
  return true
}
