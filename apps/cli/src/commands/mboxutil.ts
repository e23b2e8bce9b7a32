// mboxutil (spec 03 §3, spec 04 A.1): list, create, delete, rename, expunge mailboxes and check
// subscriptions, working on the data root's store directly.
//   mboxutil -l [-E enc] [-p pattern | -P regexp] [-x | -s]
//   mboxutil -c [-E enc] {mailbox | -f file}
//   mboxutil -d [-E enc] {-p pattern | -P regexp | -f file | mailbox}
//   mboxutil -r [-E enc] {old new | -f file} [partition]
//   mboxutil -e [-E enc] [-p pattern | -P regexp]
//   mboxutil -S [-n [-f file] | -u -f file]
//   mboxutil -R [-E enc] [-m dest] [-U uids] mailbox   restore expunged, not yet purged messages
//   mboxutil -C [-g num] [-E enc] [-p pattern | -P regexp]   clean up expunged messages now
import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { MailboxInfo, MailSession, MailStore } from '@wren/store'
import { folderDir } from '@wren/store/layout'
import type { CliIO } from '../io.js'
import { getopt, has, last, UsageError, type ParsedArgs } from '../store-tools/getopt.js'
import { openToolContext, parseMailboxName, fail } from '../store-tools/context.js'
import { checkEncoding, decodeName, encodeName, type NameEncoding } from '../store-tools/encoding.js'
import { mailboxTable, type MailboxRow } from '../store-tools/mailbox-list.js'

const USAGE = `usage: mboxutil -l [-E enc] [-p pattern | -P regexp] [-x | -s]
       mboxutil -c [-E enc] {mailbox | -f file}
       mboxutil -d [-E enc] {-p pattern | -P regexp | -f file | mailbox}
       mboxutil -r [-E enc] {old new | -f file} [partition]
       mboxutil -e [-E enc] [-p pattern | -P regexp]
       mboxutil -S [-n [-f file] | -u -f file]
       mboxutil -R [-E enc] [-m dest] [-U uids] mailbox
       mboxutil -C [-g num] [-E enc] [-p pattern | -P regexp]
`
const TOOL = 'mboxutil'

type Ctx = { store: MailStore; enc: NameEncoding; io: CliIO; sessions: Map<string, MailSession> }

function sessionFor(ctx: Ctx, owner: string): MailSession {
  let s = ctx.sessions.get(owner)
  if (!s) {
    s = ctx.store.session(owner)
    ctx.sessions.set(owner, s)
  }
  return s
}

/** Admin name as printed: `user/<owner>/<folder>` with the folder in the chosen encoding. */
function printable(info: Pick<MailboxInfo, 'owner' | 'folder'>, enc: NameEncoding): string {
  return `user/${info.owner}/${encodeName(info.folder, enc)}`
}

/** Mailboxes selected by -p (IMAP wildcards over full names) or -P (regular expression). */
function select(ctx: Ctx, p: ParsedArgs): MailboxInfo[] {
  const pattern = last(p, 'p')
  const regexp = last(p, 'P')
  let list = ctx.store.listAll(pattern === undefined ? '*' : decodeName(pattern, ctx.enc))
  if (regexp !== undefined) {
    const re = new RegExp(regexp)
    list = list.filter((m) => re.test(m.fullName) || re.test(printable(m, ctx.enc)))
  }
  // Per user: INBOX first, then the folders in name order (the product's listing order).
  return list.sort((a, b) =>
    a.owner !== b.owner ? (a.owner < b.owner ? -1 : 1)
      : a.folder === 'INBOX' ? -1 : b.folder === 'INBOX' ? 1
        : a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0)
}

function listRow(ctx: Ctx, m: MailboxInfo, extended: boolean): MailboxRow {
  const session = sessionFor(ctx, m.owner)
  const status = session.status({ owner: m.owner, folder: m.folder })
  let lastMessage: number | null = null
  let path: string | undefined
  if (status.messages > 0) {
    const view = session.open({ owner: m.owner, folder: m.folder }, { readOnly: true })
    try {
      const uids = view.uids()
      const meta = view.meta(uids[uids.length - 1]!)
      lastMessage = meta ? meta.internalDate : null
    } finally {
      view.close()
    }
  }
  // The mailbox is a quota root when a root is named after it (`user/joe` for INBOX, spec 03 §4).
  const rootName = m.folder === 'INBOX' ? `user/${m.owner}` : `user/${m.owner}/${m.folder}`
  const root = session.quotaRoots({ owner: m.owner, folder: m.folder }).find((r) => r.root === rootName)
  if (extended) path = folderDir(ctx.store.userPath(m.owner), m.id)
  const acl = extended
    ? session.getAcl({ owner: m.owner, folder: m.folder }).map((e) => `${e.identifier}:${e.rights}`).join(',') || '-'
    : undefined
  return {
    messages: status.messages,
    bytes: status.size,
    lastMessage,
    partition: m.partition,
    quotaRoot: root ? root.storageLimit : null,
    name: printable(m, ctx.enc),
    path,
    acl,
  }
}

function readLines(io: CliIO, file: string): string[] {
  return readFileSync(resolve(io.cwd, file), 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '')
}

async function forEachName(ctx: Ctx, names: string[], act: (owner: string, folder: string, raw: string) => Promise<void> | void): Promise<number> {
  let failed = 0
  for (const raw of names) {
    const parsed = parseMailboxName(decodeName(raw, ctx.enc))
    if (!parsed) {
      ctx.io.stderr(`${TOOL}: invalid mailbox name ${raw} (expected user/<userid>/<folder>)\n`)
      failed++
      continue
    }
    try {
      await act(parsed.owner, parsed.folder, raw)
    } catch (e) {
      ctx.io.stderr(`${TOOL}: ${raw}: ${e instanceof Error ? e.message : String(e)}\n`)
      failed++
    }
  }
  return failed ? 1 : 0
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  let p: ParsedArgs
  try {
    p = getopt(argv, 'lcdreSohRCB:E:p:P:xsDzf:nuw:t:g:m:U:X:')
  } catch (e) {
    io.stderr(`${TOOL}: ${(e as UsageError).message}\n${USAGE}`)
    return 64
  }
  if (has(p, 'h')) { io.stdout(USAGE); return 0 }
  const modes = ['l', 'c', 'd', 'r', 'e', 'S', 'o', 'R', 'C'].filter((m) => has(p, m))
  if (modes.length !== 1) { io.stderr(USAGE); return 64 }
  const mode = modes[0]!
  for (const unsupported of ['o']) {
    if (mode === unsupported) return fail(io, TOOL, `-${unsupported} is not supported by this store`, 64)
  }
  for (const flag of ['B', 'D', 'z']) if (has(p, flag)) return fail(io, TOOL, `-${flag} is not supported`, 64)
  if (has(p, 'x') && has(p, 's')) { io.stderr(USAGE); return 64 }
  if (has(p, 'p') && has(p, 'P')) { io.stderr(USAGE); return 64 }
  if (has(p, 'P') && has(p, 'E')) return fail(io, TOOL, '-P cannot be used with -E', 64)
  const enc = checkEncoding(last(p, 'E'))
  if (!enc.ok) return fail(io, TOOL, enc.error, 64)

  // The quotaroot column needs the users' quota attributes from the directory.
  const tc = await openToolContext(io, TOOL, { directory: mode === 'l' && !has(p, 's') })
  const ctx: Ctx = { store: tc.store, enc: enc.encoding, io, sessions: new Map() }
  try {
    switch (mode) {
      case 'l': {
        const list = select(ctx, p)
        if (has(p, 's')) {
          io.stdout(list.map((m) => printable(m, ctx.enc) + '\n').join(''))
          return 0
        }
        // Quota limits come from the directory asynchronously; load them before the synchronous
        // quota-root lookups of the rows.
        for (const owner of new Set(list.map((m) => m.owner))) await ctx.store.quotaReport(owner)
        io.stdout(mailboxTable(list.map((m) => listRow(ctx, m, has(p, 'x'))), has(p, 'x')))
        return 0
      }
      case 'c': {
        const names = has(p, 'f') ? readLines(io, last(p, 'f')!) : p.operands
        if (names.length === 0) { io.stderr(USAGE); return 64 }
        return await forEachName(ctx, names, (owner, folder) => {
          if (folder === 'INBOX') {
            if (ctx.store.userExists(owner) && ctx.store.session(owner).get('INBOX')) throw new Error('Mailbox already exists')
            ctx.store.ensureUser(owner)
            return
          }
          ctx.store.session(owner, { autoCreate: true }).create(folder)
        })
      }
      case 'd': {
        let names: string[]
        if (has(p, 'p') || has(p, 'P')) names = select(ctx, p).map((m) => printable(m, ctx.enc))
        else if (has(p, 'f')) names = readLines(io, last(p, 'f')!)
        else names = p.operands
        if (names.length === 0 && !has(p, 'p') && !has(p, 'P')) { io.stderr(USAGE); return 64 }
        // Deleting user/<id>/INBOX removes every folder of the account (spec 03 §1).
        const inboxes = new Set(names.map((n) => parseMailboxName(decodeName(n, ctx.enc))).filter((x) => x && x.folder === 'INBOX').map((x) => x!.owner))
        return await forEachName(ctx, names, async (owner, folder) => {
          if (folder === 'INBOX') {
            if (!ctx.store.userExists(owner)) throw new Error('Mailbox does not exist')
            ctx.sessions.get(owner)?.close()
            ctx.sessions.delete(owner)
            await ctx.store.deleteUser(owner)
            return
          }
          if (inboxes.has(owner)) return // removed with the account
          await sessionFor(ctx, owner).delete(folder)
        })
      }
      case 'r': {
        const pairs: Array<[string, string]> = []
        let partition: string | undefined
        if (has(p, 'f')) {
          const lines = readLines(io, last(p, 'f')!)
          if (lines.length % 2 !== 0) return fail(io, TOOL, `${last(p, 'f')}: expected pairs of lines (old, new)`, 64)
          for (let i = 0; i < lines.length; i += 2) pairs.push([lines[i]!, lines[i + 1]!])
          partition = p.operands[0]
        } else {
          if (p.operands.length < 2 || p.operands.length > 3) { io.stderr(USAGE); return 64 }
          pairs.push([p.operands[0]!, p.operands[1]!])
          partition = p.operands[2]
        }
        if (partition !== undefined) return fail(io, TOOL, `moving mailboxes to partition ${partition} is not supported by this store`)
        let failed = 0
        for (const [from, to] of pairs) {
          if (has(p, 'f')) io.stdout(`rename ${from} to ${to}\n`)
          const a = parseMailboxName(decodeName(from, ctx.enc))
          const b = parseMailboxName(decodeName(to, ctx.enc))
          if (!a || !b) { io.stderr(`${TOOL}: invalid mailbox name in ${from} ${to}\n`); failed++; continue }
          if (a.owner !== b.owner) { io.stderr(`${TOOL}: ${from}: cannot rename into another user's account\n`); failed++; continue }
          try {
            await sessionFor(ctx, a.owner).rename(a.folder, b.folder)
          } catch (e) {
            io.stderr(`${TOOL}: ${from}: ${e instanceof Error ? e.message : String(e)}\n`)
            failed++
          }
        }
        return failed ? 1 : 0
      }
      case 'e': {
        let failed = 0
        for (const m of select(ctx, p)) {
          const view = sessionFor(ctx, m.owner).open({ owner: m.owner, folder: m.folder })
          try {
            await view.expunge()
          } catch (e) {
            io.stderr(`${TOOL}: ${printable(m, ctx.enc)}: ${e instanceof Error ? e.message : String(e)}\n`)
            failed++
          } finally {
            view.close()
          }
        }
        return failed ? 1 : 0
      }
      case 'S': return subscriptions(ctx, p)
      case 'R': return restore(ctx, p)
      case 'C': {
        // spec 04 A.1 `mboxutil -C -g 50`: mailboxes with at least -g expunged messages (default
        // store.cleanupsize) are cleaned now; files go once store.cleanupage has passed.
        const g = last(p, 'g')
        const min = g === undefined ? Number(tc.config.find('store.cleanupsize') ?? 100) : Number(g)
        if (!Number.isInteger(min) || min < 0) return fail(io, TOOL, `invalid -g ${g}`, 64)
        const boxes = has(p, 'p') || has(p, 'P') ? select(ctx, p).map((m) => ({ owner: m.owner, folder: m.folder })) : undefined
        const n = await ctx.store.cleanup({ mailboxes: boxes, minExpunged: min })
        io.stdout(`${n} expunged message file${n === 1 ? '' : 's'} removed\n`)
        return 0
      }
    }
    return 64
  } catch (e) {
    return fail(io, TOOL, e instanceof Error ? e.message : String(e))
  } finally {
    for (const s of ctx.sessions.values()) s.close()
    await tc.close()
  }
}

/** -S: every subscription; -n only those naming no existing mailbox (to -f file); -u -f file removes them. */
function subscriptions(ctx: Ctx, p: ParsedArgs): number {
  const io = ctx.io
  if (has(p, 'u')) {
    const file = last(p, 'f')
    if (file === undefined) { io.stderr(USAGE); return 64 }
    let failed = 0
    for (const raw of readLines(io, file)) {
      const parsed = parseMailboxName(decodeName(raw, ctx.enc))
      if (!parsed) { io.stderr(`${TOOL}: invalid mailbox name ${raw}\n`); failed++; continue }
      try {
        sessionFor(ctx, parsed.owner).unsubscribe(parsed.folder)
      } catch (e) {
        io.stderr(`${TOOL}: ${raw}: ${e instanceof Error ? e.message : String(e)}\n`)
        failed++
      }
    }
    return failed ? 1 : 0
  }
  const out: string[] = []
  for (const user of ctx.store.listUsers()) {
    const subs = sessionFor(ctx, user).list({ pattern: '*', subscribedOnly: true })
    for (const s of subs) {
      if (s.owner !== user) continue
      const missing = s.nonExistent || !ctx.store.listAll(`user/${s.owner}/${s.folder}`).length
      if (has(p, 'n') && !missing) continue
      out.push(printable(s, ctx.enc))
    }
  }
  const file = last(p, 'f')
  if (has(p, 'n') && file !== undefined) writeFileSync(resolve(io.cwd, file), out.map((l) => l + '\n').join(''))
  else io.stdout(out.map((l) => l + '\n').join(''))
  return 0
}

/** `1:3,7` → [1, 2, 3, 7] (a UID list for `-U`). */
export function parseUidList(text: string): number[] | null {
  const out: number[] = []
  for (const part of text.split(',')) {
    const m = /^(\d+)(?::(\d+))?$/.exec(part.trim())
    if (!m) return null
    const a = Number(m[1]), b = m[2] === undefined ? a : Number(m[2])
    const [lo, hi] = a <= b ? [a, b] : [b, a]
    if (lo < 1 || hi - lo > 10_000_000) return null
    for (let u = lo; u <= hi; u++) out.push(u)
  }
  return out
}

/**
 * `mboxutil -R [-m dest] [-U uids] mailbox` (spec 04 A.1; manual: `mboxutil -R -m user/joe/Trash -U 1:3
 * user/joe/INBOX`): restores expunged messages whose files are not purged yet into the mailbox, or into
 * `-m` (a folder of the same user), with new UIDs.
 */
async function restore(ctx: Ctx, p: ParsedArgs): Promise<number> {
  const { io } = ctx
  if (p.operands.length !== 1) { io.stderr(USAGE); return 64 }
  const raw = p.operands[0]!
  const src = parseMailboxName(decodeName(raw, ctx.enc))
  if (!src) return fail(io, TOOL, `invalid mailbox name ${raw} (expected user/<userid>/<folder>)`, 64)
  let dest: string | undefined
  const m = last(p, 'm')
  if (m !== undefined) {
    const d = parseMailboxName(decodeName(m, ctx.enc))
    if (!d) return fail(io, TOOL, `invalid mailbox name ${m} (expected user/<userid>/<folder>)`, 64)
    if (d.owner !== src.owner) return fail(io, TOOL, `${m}: expunged messages are restored into a folder of the same user`, 64)
    dest = d.folder
  }
  let uids: number[] | undefined
  const u = last(p, 'U')
  if (u !== undefined) {
    const list = parseUidList(u)
    if (!list) return fail(io, TOOL, `invalid UID list ${u}`, 64)
    uids = list
  }
  if (!ctx.store.userExists(src.owner)) return fail(io, TOOL, `Mailbox does not exist: ${raw}`)
  const restored = ctx.store.restoreExpunged({ owner: src.owner, folder: src.folder }, { uids, dest })
  io.stdout(`${restored.length} message${restored.length === 1 ? '' : 's'} restored to ${m ?? raw}\n`)
  return 0
}
