// deliver [-h] [-r address] [-m folder] [-E encoding] [-g flag] [-qcp] userid... | pattern
// (spec 03 §14, spec 04 A.1): puts the RFC 822 message on standard input straight into the store.
// -m folder (falls back to INBOX when missing, unless -c creates it), -g flag (repeatable), -q skips
// the quota, -p expands `*` / `%` patterns over the store's users, -r adds `Return-Path:`.
import type { DeliverRequest } from '@wren/store'
import type { CliIO } from '../io.js'
import { getopt, has, last, all, UsageError } from '../store-tools/getopt.js'
import { openToolContext, fail } from '../store-tools/context.js'
import { checkEncoding, decodeName } from '../store-tools/encoding.js'

const USAGE = 'usage: deliver [-h] [-r address] [-m folder] [-E encoding] [-g flag] [-qcp] userid... | pattern\n'

/** IMAP-style wildcard (`*` anything, `%` anything but `/`) as an anchored RegExp, case-sensitive ids. */
export function userPattern(pattern: string): RegExp {
  const body = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/%/g, '[^/]*')
  return new RegExp(`^${body}$`)
}

/** Prefixes `Return-Path: <addr>` (RFC 5321 §4.4). */
export function withReturnPath(message: Buffer, address: string): Buffer {
  const addr = address.startsWith('<') ? address : `<${address}>`
  return Buffer.concat([Buffer.from(`Return-Path: ${addr}\r\n`), message])
}

/**
 * A message file typed on a Unix system has bare LF line ends; the store holds RFC 5322 messages
 * (CRLF), so sizes match what IMAP and POP send. Bare LFs become CRLF; existing CRLFs stay.
 */
export function toCrlf(message: Buffer): Buffer {
  if (message.indexOf(0x0a) < 0) return message
  const parts: Buffer[] = []
  let start = 0
  for (let i = message.indexOf(0x0a); i >= 0; i = message.indexOf(0x0a, i + 1)) {
    if (i > 0 && message[i - 1] === 0x0d) continue
    parts.push(message.subarray(start, i), CRLF)
    start = i + 1
  }
  parts.push(message.subarray(start))
  return Buffer.concat(parts)
}

const CRLF = Buffer.from('\r\n')

export async function run(argv: string[], io: CliIO): Promise<number> {
  let p
  try {
    p = getopt(argv, 'hr:m:E:g:qcpt:')
  } catch (e) {
    io.stderr(`deliver: ${(e as UsageError).message}\n${USAGE}`)
    return 64
  }
  if (has(p, 'h')) { io.stdout(USAGE); return 0 }
  if (p.operands.length === 0) { io.stderr(USAGE); return 64 }
  if (has(p, 't')) return fail(io, 'deliver', 'the -t load test mode is not supported', 64)
  const enc = checkEncoding(last(p, 'E'))
  if (!enc.ok) return fail(io, 'deliver', enc.error, 64)
  let message = toCrlf(await io.readStdin())
  if (message.length === 0) return fail(io, 'deliver', 'no message on standard input')
  const rp = last(p, 'r')
  if (rp !== undefined) message = withReturnPath(message, rp)
  const folderArg = last(p, 'm')
  const folder = folderArg === undefined ? undefined : decodeName(folderArg, enc.encoding)

  const ctx = await openToolContext(io, 'deliver', { directory: true })
  try {
    let users: string[] = []
    if (has(p, 'p')) {
      const known = ctx.store.listUsers()
      const defaultDomain = ctx.directory?.defaultDomain ?? String(ctx.config.find('base.defaultdomain') ?? '')
      for (const pat of p.operands) {
        const re = userPattern(pat)
        // A default-domain user's store id is the bare uid; `*@example.com` still names them.
        const hits = known.filter((u) => re.test(u) || (!u.includes('@') && defaultDomain !== '' && re.test(`${u}@${defaultDomain}`)))
        if (hits.length === 0) io.stderr(`deliver: no users match ${pat}\n`)
        users.push(...hits)
      }
      users = [...new Set(users)]
      if (users.length === 0) return 1
    } else {
      users = p.operands
    }
    const reqs: DeliverRequest[] = users.map((userid) => ({
      userid,
      folder,
      createFolder: has(p, 'c'),
      flags: all(p, 'g'),
      bypassQuota: has(p, 'q'),
    }))
    const outcomes = await ctx.store.deliverMany(reqs, message)
    let failed = 0
    for (const o of outcomes) {
      if (o.ok) continue
      failed++
      io.stderr(`deliver: ${o.userid}: ${o.text} (${o.enhancedStatus})\n`)
    }
    return failed ? 1 : 0
  } finally {
    await ctx.close()
  }
}
