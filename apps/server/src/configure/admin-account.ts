// The `admin` account configure creates (spec 04 B.4 prompt 11, D.3): a global administrator in the
// control-plane database with a generated password, hashed (scrypt); the clear text is returned
// once to be printed and is never logged or stored.
import { generatePassword, hashPassword, openControlDb, recordAudit } from '@wren/db'

export const ADMIN_USERNAME = 'admin'

export interface AdminAccountResult {
  username: string
  /** Only when the account was created now. */
  password?: string
  created: boolean
}

/**
 * Creates `admin` unless it exists. An account left by a configure run that did not finish (no
 * state file yet: `resetExisting`) gets a new password, since the first one was never shown.
 */
export async function ensureAdminAccount(dataRoot: string, domain: string, resetExisting = false): Promise<AdminAccountResult> {
  const db = await openControlDb(dataRoot)
  try {
    const existing = await db.prisma.adminAccount.findUnique({ where: { username: ADMIN_USERNAME } })
    if (existing && !resetExisting) return { username: ADMIN_USERNAME, created: false }
    const password = generatePassword()
    if (existing) {
      await db.prisma.adminAccount.update({ where: { username: ADMIN_USERNAME }, data: { passwordHash: await hashPassword(password) } })
      await recordAudit(db.prisma, { actor: 'configure', role: 'global', action: 'admin.password', target: ADMIN_USERNAME, source: 'configure', diff: [{ field: 'password', before: 'set', after: 'set' }] })
      return { username: ADMIN_USERNAME, password, created: true }
    }
    await db.prisma.adminAccount.create({
      data: { username: ADMIN_USERNAME, role: 'global', domains: '[]', directoryUid: `${ADMIN_USERNAME}@${domain}`, passwordHash: await hashPassword(password) },
    })
    await recordAudit(db.prisma, {
      actor: 'configure',
      role: 'global',
      action: 'admin.create',
      target: ADMIN_USERNAME,
      source: 'configure',
      diff: [{ field: 'role', before: undefined, after: 'global' }, { field: 'password', before: undefined, after: 'set' }],
    })
    return { username: ADMIN_USERNAME, password, created: true }
  } finally {
    await db.close()
  }
}
