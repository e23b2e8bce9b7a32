// sendmail-compatible submission for cron and scripts (spec 02 §11): `sendmail [-t] [-f from]
// [-i|-oi] [recipient…] < message`. The message is queued on the local channel `l` (durable before
// exit 0) and the running job controller delivers it on its next scan.
import { hostname as osHostname, userInfo } from 'node:os'
import { randomBytes } from 'node:crypto'
import { domainToUnicode } from 'node:url'
import { openConfig } from '@wren/config'
import { openDirectory } from '@wren/directory'
import { QueueStore } from '@wren/mta/queue/queue-store'
import type { QueueRecipient } from '@wren/mta/queue/format'
import { expandRecipient } from '@wren/mta/dispatcher/expand'
import { defaultPolicy, localDomains } from '@wren/mta/runtime'
import { parsePath } from '@wren/mta/dispatcher/smtp-engine/command'
import { directoryPort } from '@wren/mta/directory-adapter'
import { staticDirectory } from '@wren/mta/ports'
import { openTransportLog } from '@wren/mta/maillog-adapter'
import type { CliIO } from '../io.js'
import { dataRootOf } from '../store-tools/context.js'

const USAGE = 'usage: sendmail [-t] [-i|-oi] [-f sender] [recipient ...] < message\n'

/**
 * Addresses from an RFC 5322 address list (§3.4): display names, comments, angle brackets, groups
 * (`name: a, b;`) and quoted strings — a comma or `@` inside quotes stays part of its address. Each
 * element's address is returned as written (bare local parts and invalid addresses included), for the
 * caller to qualify and validate.
 */
export function addressesIn(value: string): string[] {
  const out: string[] = []
  let plain = '' // the element outside comments, angle brackets not yet seen
  let angle: string | undefined // the text inside <…>, once seen
  let inAngle = false
  const flush = () => {
    const a = (angle ?? plain).trim()
    // RFC 5321 §4.1.2 / RFC 5322 §4.4: an obsolete source route `@a,@b:` before the mailbox is dropped.
    const routed = angle !== undefined && a.startsWith('@') && a.includes(':') ? a.slice(a.indexOf(':') + 1) : a
    if (routed) out.push(routed)
    plain = ''
    angle = undefined
  }
  for (let i = 0; i < value.length; i++) {
    const c = value[i]
    if (c === '"') { // quoted string, with quoted-pairs
      let j = i + 1
      while (j < value.length && value[j] !== '"') j += value[j] === '\\' ? 2 : 1
      const q = value.slice(i, j + 1)
      if (inAngle) angle += q; else plain += q
      i = j
    } else if (c === '(' && !inAngle) { // comment, nested, with quoted-pairs
      let depth = 1, j = i + 1
      for (; j < value.length && depth; j++) {
        if (value[j] === '\\') j++
        else if (value[j] === '(') depth++
        else if (value[j] === ')') depth--
      }
      plain += ' '
      i = j - 1
    } else if (c === '[' && !inAngle) { // domain literal: `:` inside is not a group
      const j = value.indexOf(']', i)
      plain += j < 0 ? value.slice(i) : value.slice(i, j + 1)
      i = j < 0 ? value.length : j
    } else if (inAngle) {
      if (c === '>') inAngle = false; else angle += c
    } else if (c === '<') { inAngle = true; angle = '' }
    else if (c === ':') plain = '' // group display name
    else if (c === ',' || c === ';') flush()
    else plain += c
  }
  flush()
  return out
}

/**
 * True when `address` is an RFC 5321 §4.1.2 Mailbox (Local-part "@" ( Domain / address-literal ),
 * Local-part = Dot-string / Quoted-string, UTF-8 per RFC 6531), checked by the SMTP server's own path
 * parser (smtp-engine/command.ts parsePath) so that sendmail and RCPT TO agree. The whole string must
 * be the mailbox: no source route, no text after a `>`, no ESMTP parameters.
 */
export function isMailbox(address: string): boolean {
  if (!address || address.charCodeAt(0) === 64 /* @ */) return false
  let p
  try { p = parsePath(`TO:<${address}>`, 'TO') } catch { return false }
  if (Object.keys(p.params).length) return false
  if (p.address === address) return true
  // parsePath gives an IDNA A-label domain as its U-labels: the same mailbox.
  const at = address.lastIndexOf('@')
  return at > 0 && p.address === `${address.slice(0, at)}@${domainToUnicode(address.slice(at + 1))}`
}

/** A bare local part (no `@`) gets the default domain, as the product's sendmail does (`joe` → `joe@domain`). */
export function qualify(address: string, domain: string): string {
  return address && !address.includes('@') ? `${address}@${domain}` : address
}

/**
 * The message ends at end of input, or — unless `-i` / `-oi` — at a line holding only "." (the line
 * itself is not part of the message), as in sendmail(1) and Postfix sendmail(1). Lines are CRLF here.
 */
export function cutAtDotLine(raw: string): string {
  const m = /(?:^|\r\n)\.(?:\r\n|$)/.exec(raw)
  if (!m) return raw
  return raw.slice(0, m[0].startsWith('\r\n') ? m.index + 2 : m.index)
}

/** Header text (latin1, byte for byte) from a JS string, keeping non-ASCII characters as UTF-8. */
const octets = (s: string) => Buffer.from(s, 'utf8').toString('latin1')

export async function run(argv: string[], io: CliIO): Promise<number> {
  let from: string | undefined
  let useHeaders = false
  let dotEnds = true
  const rcpts: string[] = []
  // Options as in Postfix sendmail(1): single-letter flags may be grouped (`-ti`); `-f`, `-r` and
  // `-o` take their value attached or as the next argument; `--` ends the options. As before, options
  // may also follow recipients.
  let optionsDone = false
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (optionsDone || !a.startsWith('-') || a === '-') { rcpts.push(a); continue }
    if (a === '--') { optionsDone = true; continue }
    if (a === '-bm') continue
    for (let k = 1; k < a.length; k++) {
      const f = a[k]
      if (f === 't') useHeaders = true
      else if (f === 'i') dotEnds = false
      else if (f === 'm') continue // "me too": ignored, as in Postfix
      else if (f === 'f' || f === 'r' || f === 'o') {
        const v = k + 1 < a.length ? a.slice(k + 1) : argv[++i]
        if (v === undefined) { io.stderr(`sendmail: option -${f} requires a value\n${USAGE}`); return 64 }
        if (f === 'o') { if (v.startsWith('i')) dotEnds = false } // -oi = -i; other -o options are ignored
        else from = v
        break
      } else { io.stderr(`sendmail: unsupported option ${a}\n${USAGE}`); return 64 }
    }
  }
  let raw = (await io.readStdin()).toString('latin1').replace(/\r?\n/g, '\r\n')
  if (dotEnds) raw = cutAtDotLine(raw)
  const split = raw.indexOf('\r\n\r\n')
  let head = split >= 0 ? raw.slice(0, split + 2) : raw === '' || raw.endsWith('\r\n') ? raw : raw + '\r\n'
  const body = split >= 0 ? raw.slice(split + 4) : ''
  const headerValues = (name: string) => [...head.matchAll(new RegExp(`^${name}:[ \\t]*((?:.*)(?:\\r\\n[ \\t].*)*)`, 'gim'))].map((m) => m[1].replace(/\r\n[ \t]+/g, ' '))
  if (useHeaders) {
    for (const h of ['To', 'Cc', 'Bcc']) for (const v of headerValues(h)) rcpts.push(...addressesIn(Buffer.from(v, 'latin1').toString('utf8')))
    head = head.replace(/^Bcc:.*\r\n(?:[ \t].*\r\n)*/gim, '') // RFC 5322 §3.6.3: Bcc is not transmitted
  }
  if (!rcpts.length) { io.stderr('sendmail: no recipients\n'); return 64 }
  const dataRoot = dataRootOf(io)
  const cfg = await openConfig(dataRoot)
  const config = cfg.view()
  const host = String(config.find('base.hostname') ?? osHostname())
  // The default domain as the rest of the MTA finds it (runtime.ts localDomains: base.defaultdomain, else the host name).
  const domain = localDomains({ config, hostname: host })[0] ?? host
  // -f '' or -f '<>': the null reverse-path (RFC 5321 §4.5.5), for notifications; `<addr>` is addr.
  if (from !== undefined && /^<.*>$/.test(from.trim())) from = from.trim().slice(1, -1)
  from = qualify((from ?? String(io.env.USER ?? userInfo().username)).trim(), domain)
  const recipients = [...new Set(rcpts.map((r) => qualify(r.trim(), domain)))]
  // RFC 5321 §4.1.2: every address is checked before anything is queued; one bad address → EX_USAGE.
  const invalid = [...(from && !isMailbox(from) ? [`sender ${JSON.stringify(from)}`] : []), ...recipients.filter((r) => !isMailbox(r)).map((r) => `recipient ${JSON.stringify(r)}`)]
  if (invalid.length) {
    for (const what of invalid) io.stderr(`sendmail: invalid address: ${what} is not an RFC 5321 mailbox (local-part@domain)\n`)
    await cfg.close()
    return 64
  }
  // RFC 6409 §8: complete a message missing Date, Message-ID, From
  if (!/^From:/im.test(head)) head = octets(`From: ${from || `MAILER-DAEMON@${domain}`}\r\n`) + head
  if (!/^Date:/im.test(head)) head = `Date: ${new Date().toUTCString().replace('GMT', '+0000')}\r\n` + head
  let messageId = headerValues('Message-ID')[0]
  if (!messageId) { messageId = `<${randomBytes(8).toString('hex')}@${host}>`; head = `Message-ID: ${messageId}\r\n` + head }
  const received = `Received: from local by ${host} (Wren Messaging Server) with sendmail; ${new Date().toUTCString().replace('GMT', '+0000')}\r\n`
  const message = Buffer.from(received + head + '\r\n' + body, 'latin1')
  let closeDir: (() => Promise<void>) | undefined
  let directory = staticDirectory({})
  try { const d = await openDirectory({ dataRoot, config }); directory = directoryPort(d); closeDir = () => d.close() } catch (e) {
    io.stderr(`sendmail: directory unavailable (${(e as Error).message})\n`)
  }
  const queue = new QueueStore({ dataRoot, subdirs: (ch) => Number(config.find(`channel:${ch}.subdirs`) ?? 0) })
  const log = openTransportLog(dataRoot, config)
  try {
    const policy = defaultPolicy({ config, hostname: host })
    const byChannel = new Map<string, QueueRecipient[]>()
    let bad = 0
    for (const r of recipients) {
      const exp = await expandRecipient(r, policy, directory)
      if (!exp.ok) { io.stderr(`sendmail: ${r}: ${exp.code} ${exp.enhanced} ${exp.text}\n`); bad++; continue }
      for (const it of exp.items) byChannel.set(it.channel, [...(byChannel.get(it.channel) ?? []), { to: it.to, origTo: r, uid: it.uid, folder: it.folder, host: it.host }])
    }
    if (!byChannel.size) return 1
    const splits = [...byChannel].map(([channel, recipients]) => ({ channel, sourceChannel: 'l', from, created: Date.now(), messageId, recipients }))
    await queue.enqueueBuffer(message, splits)
    for (const s of splits) for (const r of s.recipients) log.message({ action: 'E', source: 'l', destination: s.channel, size: message.length, from, origTo: `rfc822;${r.origTo}`, to: r.to, messageId })
    return bad ? 1 : 0
  } finally {
    await log.close?.()
    queue.close()
    await closeDir?.()
    await cfg.close()
  }
}
