// reconstruct (spec 03 §13, spec 04 A.1): checks mailboxes against their message files and repairs
// them; runs with the services up (the store is multi-process safe).
//   reconstruct [-r] [-f | -n | -x] [-E enc] [-p partition | mailbox...]
//   reconstruct -q [-p partition]        quota usage recomputed from the messages
//   reconstruct -m [-p partition]        folders found on disk put back in the mailbox list
// With no mailbox every user is checked (-r is the default then). -f rebuilds even when no problem
// is found; -n only reports (exit 1 when a problem is found); -x (recover partial deliveries) is
// always done: a delivery that never reached the index is removed, as it was never acknowledged.
import type { ReconstructReport } from '@wren/store'
import type { CliIO } from '../io.js'
import { getopt, has, last, UsageError, type ParsedArgs } from '../store-tools/getopt.js'
import { openToolContext, parseMailboxName, fail } from '../store-tools/context.js'
import { checkEncoding, decodeName } from '../store-tools/encoding.js'

const TOOL = 'reconstruct'
const USAGE = `usage: reconstruct [-r] [-f | -n | -x] [-E enc] [-p partition | mailbox...]
       reconstruct -q [-p partition]
       reconstruct -m [-p partition]
`

function problems(r: ReconstructReport): number {
  return r.missingFiles.length + r.orphanFiles.length + r.recoveredMailboxes.length + (r.quotaFixed ? 1 : 0) + r.messages.length
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  let p: ParsedArgs
  try {
    p = getopt(argv, 'rfnxE:p:qmslAcau:t:h')
  } catch (e) {
    io.stderr(`${TOOL}: ${(e as UsageError).message}\n${USAGE}`)
    return 64
  }
  if (has(p, 'h')) { io.stdout(USAGE); return 0 }
  for (const flag of ['s', 'l', 'A', 'c', 'a', 'u', 't']) {
    if (has(p, flag)) return fail(io, TOOL, `-${flag} is not supported by this store`, 64)
  }
  if (has(p, 'f') && has(p, 'n')) { io.stderr(USAGE); return 64 }
  if (has(p, 'p') && p.operands.length) { io.stderr(USAGE); return 64 }
  if ((has(p, 'q') || has(p, 'm')) && p.operands.length) { io.stderr(USAGE); return 64 }
  const enc = checkEncoding(last(p, 'E'))
  if (!enc.ok) return fail(io, TOOL, enc.error, 64)

  const targets: string[] = []
  for (const raw of p.operands) {
    const parsed = parseMailboxName(decodeName(raw, enc.encoding))
    if (!parsed) return fail(io, TOOL, `invalid mailbox name ${raw} (expected user/<userid>/<folder>)`, 64)
    // `user/joe` (the account) → every folder of joe; `user/joe/INBOX` with -r → the account too.
    const whole = raw.split('/').length === 2 || (has(p, 'r') && parsed.folder === 'INBOX')
    targets.push(whole ? `user/${parsed.owner}` : `user/${parsed.owner}/${parsed.folder}`)
  }

  const ctx = await openToolContext(io, TOOL)
  try {
    const partition = last(p, 'p')
    if (partition !== undefined) {
      for (const u of ctx.store.listUsers()) {
        if (ctx.store.listAll(`user/${u}/INBOX`)[0]?.partition === partition) targets.push(`user/${u}`)
      }
    } else if (targets.length === 0) {
      targets.push('*')
    }
    const opts = { rebuild: has(p, 'f'), reportOnly: has(p, 'n') }
    let found = 0
    let failed = 0
    for (const t of targets) {
      let r: ReconstructReport
      try {
        r = await ctx.store.reconstruct(t, opts)
      } catch (e) {
        io.stderr(`${TOOL}: ${t}: ${e instanceof Error ? e.message : String(e)}\n`)
        failed++
        continue
      }
      found += problems(r)
      const lines = [...r.messages]
      if (has(p, 'q') && r.quotaFixed) lines.push('quota usage corrected')
      for (const m of r.recoveredMailboxes) if (!lines.some((l) => l.includes(m))) lines.push(`${m}: recovered into the mailbox list`)
      for (const l of lines) io.stdout(`${opts.reportOnly ? 'reconstruct -n: ' : ''}${l}\n`)
      if (!has(p, 'q') && !has(p, 'm')) io.stdout(`${r.mailboxes.length} mailbox(es) checked${opts.reportOnly ? ', nothing changed' : ''}\n`)
    }
    if (failed) return 1
    return opts.reportOnly && found > 0 ? 1 : 0
  } catch (e) {
    return fail(io, TOOL, e instanceof Error ? e.message : String(e))
  } finally {
    await ctx.close()
  }
}
