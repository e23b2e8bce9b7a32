// The audit log: every administrative change from the console, the API or the CLI, with actor, role,
// action, target, time, source and a field-level before/after diff (pattern of dub's audit log).
import type { PrismaClient } from './generated/prisma/client.js'

export interface FieldChange {
  field: string
  before: unknown
  after: unknown
}

export interface AuditEntry {
  actor: string
  role?: string
  action: string
  target: string
  domain?: string
  /** Where the change came from: `cli`, `console`, `api`, `configure`. */
  source?: string
  sourceIp?: string
  diff?: FieldChange[]
}

/** Field names whose values are never stored or shown (passwords, secrets, tokens). */
const SECRET_FIELD = /(pass(word)?|secret|cred|token|userpassword)$/i

export function maskSecrets(diff: FieldChange[]): FieldChange[] {
  return diff.map((c) =>
    SECRET_FIELD.test(c.field)
      ? { field: c.field, before: c.before === undefined ? undefined : '********', after: c.after === undefined ? undefined : '********' }
      : c,
  )
}

/** Field-level difference of two flat records (undefined = absent). */
export function diffRecords(before: Record<string, unknown>, after: Record<string, unknown>): FieldChange[] {
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
  const out: FieldChange[] = []
  for (const field of fields) {
    const a = before[field], b = after[field]
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ field, before: a, after: b })
  }
  return out
}

export async function recordAudit(prisma: PrismaClient, entry: AuditEntry): Promise<void> {
  await prisma.auditEvent.create({
    data: {
      actor: entry.actor,
      role: entry.role ?? '',
      action: entry.action,
      target: entry.target,
      domain: entry.domain ?? '',
      source: entry.source ?? '',
      sourceIp: entry.sourceIp ?? '',
      diff: JSON.stringify(maskSecrets(entry.diff ?? [])),
    },
  })
}
