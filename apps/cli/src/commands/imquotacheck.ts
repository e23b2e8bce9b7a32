// imquotacheck (spec 03 §5, spec 02 §17, spec 04 A.1): quota usage report in the manual's stable format.
//   imquotacheck [-u user | -d domain [-p partition] | -p partition] [-e]
// With no selection it lists the users at or above the lowest rule threshold of `config/imq.rulefile`
// (every user when there is no rule file). `-e` adds per-folder usage under each user.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { UserQuotaReport } from '@wren/store'
import type { CliIO } from '../io.js'
import { getopt, has, last, UsageError, type ParsedArgs } from '../store-tools/getopt.js'
import { openToolContext, fail } from '../store-tools/context.js'
import { quotaReport } from '../store-tools/quota-report.js'
import { parseRuleFile } from '../store-tools/rulefile.js'

const TOOL = 'imquotacheck'
const USAGE = `usage: imquotacheck [-u user | -d domain [-p partition] | -p partition] [-e]
       imquotacheck -f [-d domain]
       imquotacheck -n [-e] [-d domain] [-r rulefile] [-t msgfile] [-l]
`

function percentOf(used: number, limit: number): number {
  return limit > 0 ? (used * 100) / limit : limit === 0 && used > 0 ? 100 : 0
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  let p: ParsedArgs
  try {
    p = getopt(argv, 'u:d:p:aefnr:t:lh')
  } catch (e) {
    io.stderr(`${TOOL}: ${(e as UsageError).message}\n${USAGE}`)
    return 64
  }
  if (has(p, 'h')) { io.stdout(USAGE); return 0 }
  if (p.operands.length) { io.stderr(USAGE); return 64 }
  if (has(p, 'u') && (has(p, 'd') || has(p, 'p'))) { io.stderr(USAGE); return 64 }
  for (const flag of ['f', 'n', 'a', 'l']) {
    if (has(p, flag)) return fail(io, TOOL, `-${flag} is not supported`, 64)
  }

  const ctx = await openToolContext(io, TOOL, { directory: true })
  try {
    const store = ctx.store
    let users: string[]
    const user = last(p, 'u')
    const domain = last(p, 'd')?.toLowerCase()
    const partition = last(p, 'p')
    if (user !== undefined) {
      if (!store.userExists(user)) return fail(io, TOOL, `user ${user} not found in the message store`)
      users = [user]
    } else {
      users = store.listUsers()
      if (domain !== undefined) {
        const defaultDomain = (ctx.directory?.defaultDomain ?? String(ctx.config.find('base.defaultdomain') ?? '')).toLowerCase()
        users = users.filter((u) => {
          const at = u.lastIndexOf('@')
          return at < 0 ? domain === defaultDomain : u.slice(at + 1).toLowerCase() === domain
        })
      }
      if (partition !== undefined) {
        users = users.filter((u) => store.listAll(`user/${u}/INBOX`)[0]?.partition === partition)
      }
    }
    const reports: UserQuotaReport[] = []
    for (const u of users) reports.push(await store.quotaReport(u))

    let shown = reports
    if (user === undefined && domain === undefined && partition === undefined) {
      // spec 03 §5: "with no arguments it lists users above the lowest rule threshold".
      const ruleFile = last(p, 'r') ?? join(ctx.dataRoot, 'config', 'imq.rulefile')
      if (existsSync(ruleFile)) {
        const rules = parseRuleFile(readFileSync(ruleFile, 'utf8'))
        if (rules.length) {
          const lowest = Math.min(...rules.map((r) => r.trigger))
          shown = reports.filter((r) => Math.max(percentOf(r.diskUsed, r.diskLimit), percentOf(r.msgUsed, r.msgLimit)) >= lowest)
        }
      }
    }
    io.stdout(quotaReport(shown, { folders: has(p, 'e') }))
    return 0
  } catch (e) {
    return fail(io, TOOL, e instanceof Error ? e.message : String(e))
  } finally {
    await ctx.close()
  }
}
