// imquotacheck (spec 03 §5, spec 02 §17, spec 04 A.1): quota usage report in the manual's stable format.
//   imquotacheck [-u user | -d domain [-p partition] | -p partition] [-e]
// With no selection it lists the users at or above the lowest rule threshold of `config/imq.rulefile`
// (every user when there is no rule file). `-e` adds per-folder usage under each user.
//   imquotacheck -f [-d domain]: domain quotas are not dynamic (spec 03 §4): compares each domain's
// usage with mailDomainDiskQuota / mailDomainMsgQuota and sets mailDomainStatus to overquota (halting
// delivery) or back to active once under quota, through the directory (audited).
//   imquotacheck -n [-e] [-d domain] [-r rulefile] [-t msgfile]: notifies users over the rule thresholds
// (spec 03 §5 "Notification algorithm"); the state lives in store/imquotacheck.state.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { UserQuotaReport } from '@wren/store'
import type { CliIO } from '../io.js'
import { getopt, has, last, UsageError, type ParsedArgs } from '../store-tools/getopt.js'
import { openToolContext, fail } from '../store-tools/context.js'
import { quotaReport } from '../store-tools/quota-report.js'
import { parseRuleFile } from '../store-tools/rulefile.js'
import { parseQuota } from '@wren/directory/quota'
import type { Directory, DirectoryDomain } from '@wren/directory/types'
import type { MailStore } from '@wren/store'

const TOOL = 'imquotacheck'
const USAGE = `usage: imquotacheck [-u user | -d domain [-p partition] | -p partition] [-e]
       imquotacheck -f [-d domain]
       imquotacheck -n [-e] [-d domain] [-r rulefile] [-t msgfile]
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
  if (has(p, 'f') && (has(p, 'u') || has(p, 'p') || has(p, 'e') || has(p, 'n'))) { io.stderr(USAGE); return 64 }
  if (has(p, 'n') && (has(p, 'u') || has(p, 'p'))) { io.stderr(USAGE); return 64 }
  for (const flag of ['a', 'l']) {
    if (has(p, flag)) return fail(io, TOOL, `-${flag} is not supported`, 64)
  }

  const ctx = await openToolContext(io, TOOL, { directory: true })
  try {
    const store = ctx.store
    if (has(p, 'f')) {
      if (!ctx.directory) return fail(io, TOOL, 'the directory is needed for -f')
      return await enforceDomainQuotas(ctx.directory, store, last(p, 'd')?.toLowerCase(), io)
    }
    if (has(p, 'n')) return await notify(ctx.dataRoot, store, p, ctx.directory?.defaultDomain ?? String(ctx.config.find('base.defaultdomain') ?? ''), io)
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

/** Store users of a domain: `uid` in the default domain, `uid@domain` in hosted ones (spec 03 §1). */
function usersOfDomain(store: MailStore, domain: string, defaultDomain: string): string[] {
  return store.listUsers().filter((u) => {
    const at = u.lastIndexOf('@')
    return at < 0 ? domain === defaultDomain : u.slice(at + 1).toLowerCase() === domain
  })
}

/** `imquotacheck -f [-d domain]` (spec 03 §4, spec 04 A.1). Prints one line per domain with a quota. */
async function enforceDomainQuotas(dir: Directory, store: MailStore, only: string | undefined, io: CliIO): Promise<number> {
  const domains: DirectoryDomain[] = []
  if (only !== undefined) {
    const d = await dir.getDomain(only)
    if (!d) return fail(io, TOOL, `domain ${only} not found in the directory`)
    domains.push(d)
  } else {
    let cursor: string | undefined
    do {
      const page = await dir.listDomains({ cursor, limit: 500 })
      domains.push(...page.items)
      cursor = page.nextCursor
    } while (cursor)
  }
  const defaultDomain = dir.defaultDomain.toLowerCase()
  for (const d of domains) {
    const disk = parseQuota(d.mailDomainDiskQuota ?? null, 'bytes').limit ?? -1
    const msgs = parseQuota(d.mailDomainMsgQuota ?? null, 'count').limit ?? -1
    const status = (d.mailDomainStatus ?? 'active').toLowerCase()
    if (disk < 0 && msgs < 0 && status !== 'overquota') continue
    let bytes = 0
    let count = 0
    for (const u of usersOfDomain(store, d.name, defaultDomain)) {
      const r = await store.quotaReport(u)
      bytes += r.diskUsed
      count += r.msgUsed
    }
    const over = (disk >= 0 && bytes > disk) || (msgs >= 0 && count > msgs)
    let next = status
    if (over && status === 'active') next = 'overquota'
    else if (!over && status === 'overquota') next = 'active'
    if (next !== status) {
      await dir.modifyDomain(d.name, [{ op: 'replace', attr: 'mailDomainStatus', values: [next] }], { actor: TOOL, source: 'cli' })
    }
    const k = (n: number) => (n < 0 ? '-' : String(Math.floor(n / 1024)))
    io.stdout(`${d.name}: usage ${k(bytes)}K of ${k(disk)}K, ${count} of ${msgs < 0 ? '-' : msgs} messages; mailDomainStatus ${next}${next !== status ? ` (was ${status})` : ''}\n`)
  }
  return 0
}

type NoticeState = Record<string, { trigger: number; at: number }>

/** Fill a message file (spec 03 §5): %U% user, %Q% percent, %R% per-folder detail (-e), %M% usage K, %C% quota K. */
function renderNotice(template: string, r: UserQuotaReport, pct: number, detail: boolean): Buffer {
  const k = (n: number) => (n < 0 ? 'unlimited' : String(Math.floor(n / 1024)))
  const vars: Record<string, string> = {
    U: r.userid, Q: String(Math.floor(pct)), M: String(Math.ceil(r.diskUsed / 1024)), C: k(r.diskLimit),
    R: detail ? r.folders.map((f) => `${f.folder}: ${Math.ceil(f.bytes / 1024)}K, ${f.messages} messages`).join('\n') : '',
  }
  const text = template.replace(/\\24/g, '$').replace(/%([UQRMC])%/g, (_, v: string) => vars[v]!).replace(/\\25/g, '%')
  const norm = text.replace(/\r?\n/g, '\n')
  const split = norm.indexOf('\n\n')
  const headers = (split < 0 ? norm : norm.slice(0, split)).split('\n').filter(Boolean)
  const body = split < 0 ? '' : norm.slice(split + 2)
  if (!headers.some((h) => /^date:/i.test(h))) headers.push(`Date: ${new Date().toUTCString().replace('GMT', '+0000')}`)
  if (!headers.some((h) => /^to:/i.test(h))) headers.push(`To: ${r.userid}`)
  if (!headers.some((h) => /^from:/i.test(h))) headers.push('From: postmaster')
  return Buffer.from(headers.join('\r\n') + '\r\n\r\n' + body.split('\n').join('\r\n'))
}

/**
 * `imquotacheck -n` (spec 03 §5): the highest applicable enabled rule is used and its time recorded;
 * rising to a higher threshold notifies at once; otherwise the rule's notificationInterval (hours)
 * runs from the last notice; falling below every threshold clears the record.
 */
async function notify(dataRoot: string, store: MailStore, p: ParsedArgs, defaultDomain: string, io: CliIO): Promise<number> {
  const ruleFile = last(p, 'r') ?? join(dataRoot, 'config', 'imq.rulefile')
  if (!existsSync(ruleFile)) return fail(io, TOOL, `rule file ${ruleFile} not found`)
  const rules = parseRuleFile(readFileSync(ruleFile, 'utf8')).filter((r) => r.enabled).sort((a, b) => b.trigger - a.trigger)
  const statePath = join(dataRoot, 'store', 'imquotacheck.state')
  const state: NoticeState = existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')) as NoticeState : {}
  const domain = last(p, 'd')?.toLowerCase()
  const users = domain === undefined ? store.listUsers() : usersOfDomain(store, domain, defaultDomain.toLowerCase())
  const now = Date.now()
  let failed = 0
  for (const u of users) {
    const r = await store.quotaReport(u)
    const pct = Math.max(percentOf(r.diskUsed, r.diskLimit), percentOf(r.msgUsed, r.msgLimit))
    const rule = rules.find((x) => x.trigger <= pct)
    if (!rule) { delete state[u]; continue }
    const prev = state[u]
    const due = !prev || rule.trigger > prev.trigger || now - prev.at >= rule.intervalHours * 3600_000
    if (!due) continue
    const file = last(p, 't') ?? rule.messageFile ?? join(dataRoot, 'config', 'imq.msgfile')
    const path = file.startsWith('/') ? file : join(dataRoot, 'config', file)
    if (!existsSync(path)) { io.stderr(`${TOOL}: message file ${path} not found; ${u} not notified\n`); failed++; continue }
    const out = await store.deliver({ userid: u, bypassQuota: true }, renderNotice(readFileSync(path, 'utf8'), r, pct, has(p, 'e')))
    if (!out.ok) { io.stderr(`${TOOL}: ${u}: notice not delivered: ${out.text}\n`); failed++; continue }
    state[u] = { trigger: rule.trigger, at: now }
    io.stdout(`${u}: ${Math.floor(pct)}% of quota, notified (rule ${rule.name}, ${rule.trigger}%)\n`)
  }
  mkdirSync(join(dataRoot, 'store'), { recursive: true })
  writeFileSync(statePath + '.tmp', JSON.stringify(state))
  renameSync(statePath + '.tmp', statePath)
  return failed ? 1 : 0
}
