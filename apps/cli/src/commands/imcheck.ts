// imcheck -m mailbox [-H | -e] [-D [-S sep]] (spec 03 §13, spec 04 A.1): prints a mailbox's index
// summary and per-message table. The other forms (-x, -p, -f, -d, -s, -q, -c, -b) describe the
// classic store's Berkeley DB files and are not supported.
import { dirname } from 'node:path'
import { folderDir } from '@wren/store/layout'
import type { CliIO } from '../io.js'
import { getopt, has, last, UsageError, type ParsedArgs } from '../store-tools/getopt.js'
import { openToolContext, parseMailboxName, fail } from '../store-tools/context.js'
import { checkEncoding, decodeName, encodeName } from '../store-tools/encoding.js'
import { imcheckDump, imcheckReport, type ImcheckMailbox, type ImcheckMessage } from '../store-tools/imcheck-format.js'

const TOOL = 'imcheck'
const USAGE = 'usage: imcheck -m mailbox [-e | -H] [-D [-S sep]] [-E enc]\n'

export async function run(argv: string[], io: CliIO): Promise<number> {
  let p: ParsedArgs
  try {
    p = getopt(argv, 'm:x:p:f:d:c:b:eHDS:snqFE:h')
  } catch (e) {
    io.stderr(`${TOOL}: ${(e as UsageError).message}\n${USAGE}`)
    return 64
  }
  if (has(p, 'h')) { io.stdout(USAGE); return 0 }
  for (const flag of ['x', 'p', 'f', 'd', 's', 'q', 'c', 'b']) {
    if (has(p, flag)) return fail(io, TOOL, `-${flag} is not supported by this store`, 64)
  }
  const name = last(p, 'm')
  if (name === undefined || p.operands.length) { io.stderr(USAGE); return 64 }
  const enc = checkEncoding(last(p, 'E'))
  if (!enc.ok) return fail(io, TOOL, enc.error, 64)
  const parsed = parseMailboxName(decodeName(name, enc.encoding))
  if (!parsed) return fail(io, TOOL, `invalid mailbox name ${name} (expected user/<userid>/<folder>)`, 64)

  const ctx = await openToolContext(io, TOOL)
  try {
    if (!ctx.store.userExists(parsed.owner)) return fail(io, TOOL, `Mailbox does not exist: ${name}`)
    const session = ctx.store.session(parsed.owner, { autoCreate: false })
    try {
      const ref = { owner: parsed.owner, folder: parsed.folder }
      const info = session.get(ref)
      if (!info) return fail(io, TOOL, `Mailbox does not exist: ${name}`)
      const view = session.open(ref, { readOnly: true })
      try {
        const uids = Array.from(view.uids())
        const messages: ImcheckMessage[] = view.metas(uids).map((m) => ({
          uid: m.uid, internalDate: m.internalDate, date: m.envelope.date, size: m.size, headerSize: m.headerSize,
          saveDate: m.saveDate, flags: m.flags, recent: false, keywords: m.keywords, messageId: m.messageId,
        }))
        const userflags = [...new Set(messages.flatMap((m) => m.keywords))].sort()
        const status = session.status(ref)
        const subscribed = session.list({ pattern: info.folder, subscribedOnly: true }).some((e) => e.owner === info.owner && e.folder === info.folder)
        const acl = session.getAcl(ref)
        if (!acl.some((e) => e.identifier === info.owner)) acl.unshift({ identifier: info.owner, rights: session.myRights(ref) })
        const path = folderDir(ctx.store.userPath(info.owner), info.id)
        const mb: ImcheckMailbox = {
          // The manual prints an INBOX as the account: `imcheck -m user/jdoe/INBOX` → `Name: user/jdoe`.
          name: info.folder === 'INBOX' ? `user/${info.owner}` : `user/${info.owner}/${encodeName(info.folder, enc.encoding)}`,
          exists: status.messages,
          quotaUsed: status.size,
          uidValidity: info.uidValidity,
          lastUid: info.uidNext - 1,
          acl,
          userflags,
          subscribed,
          partition: info.partition,
          path,
          msgPath: uids.length ? dirname(dirname(view.filePath(uids[0]!))) : path,
        }
        if (has(p, 'D')) {
          io.stdout(imcheckDump(mb, messages, last(p, 'S') ?? '|'))
          return 0
        }
        let out = imcheckReport(mb, messages, { headerOnly: has(p, 'H') })
        if (has(p, 'e')) {
          const vanished = view.changesSince(0).vanished
          out += `\nExpunged Uids: ${vanished.length}\n${vanished.map((u) => `  ${u}\n`).join('')}`
        }
        io.stdout(out)
        return 0
      } finally {
        view.close()
      }
    } finally {
      session.close()
    }
  } catch (e) {
    return fail(io, TOOL, e instanceof Error ? e.message : String(e))
  } finally {
    await ctx.close()
  }
}
