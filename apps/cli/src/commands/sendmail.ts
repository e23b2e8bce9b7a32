// sendmail-compatible submission for cron and scripts (spec 02 §11): `sendmail [-t] [-f from]
// [-i|-oi] [recipient…] < message`. The message is queued on the local channel `l` (durable before
// exit 0) and the running job controller delivers it on its next scan.
import { hostname as osHostname, userInfo } from 'node:os'
import { randomBytes } from 'node:crypto'
import { openConfig } from '@wren/config'
import { openDirectory } from '@wren/directory'
import { QueueStore } from '@wren/mta/queue/queue-store'
import type { QueueRecipient } from '@wren/mta/queue/format'
import { expandRecipient } from '@wren/mta/dispatcher/expand'
import { defaultPolicy } from '@wren/mta/runtime'
import { directoryPort } from '@wren/mta/directory-adapter'
import { staticDirectory } from '@wren/mta/ports'
import { openTransportLog } from '@wren/mta/maillog-adapter'
import type { CliIO } from '../io.js'
import { dataRootOf } from '../store-tools/context.js'

const USAGE = 'usage: sendmail [-t] [-f sender] [-i] [recipient ...] < message\n'

/** Addresses from an RFC 5322 address list (display names and groups tolerated). */
export function addressesIn(value: string): string[] {
  const out: string[] = []
  const cleaned = value.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\([^)]*\)/g, '')
  for (const part of cleaned.split(/[,;]/)) {
    const m = /<([^>]*)>/.exec(part)
    const a = (m ? m[1] : part.replace(/^[^:]*:/, '')).trim()
    if (/^[^@\s]+@[^@\s]+$/.test(a)) out.push(a)
  }
  return out
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  let from: string | undefined
  let useHeaders = false
  const rcpts: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '-t') useHeaders = true
    else if (a === '-f' || a === '-r') { from = argv[++i]; if (from === undefined) { io.stderr(USAGE); return 64 } }
    else if (a.startsWith('-f')) from = a.slice(2)
    else if (a === '-i' || a === '-oi' || a === '-bm' || a.startsWith('-o') || a === '--') continue
    else if (a.startsWith('-')) { io.stderr(`sendmail: unsupported option ${a}\n${USAGE}`); return 64 }
    else rcpts.push(a)
  }
  const raw = (await io.readStdin()).toString('latin1').replace(/\r?\n/g, '\r\n')
  const split = raw.indexOf('\r\n\r\n')
  let head = split >= 0 ? raw.slice(0, split + 2) : raw.endsWith('\r\n') ? raw : raw + '\r\n'
  const body = split >= 0 ? raw.slice(split + 4) : ''
  const headerValues = (name: string) => [...head.matchAll(new RegExp(`^${name}:[ \\t]*((?:.*)(?:\\r\\n[ \\t].*)*)`, 'gim'))].map((m) => m[1].replace(/\r\n[ \t]+/g, ' '))
  if (useHeaders) {
    for (const h of ['To', 'Cc', 'Bcc']) for (const v of headerValues(h)) rcpts.push(...addressesIn(v))
    head = head.replace(/^Bcc:.*\r\n(?:[ \t].*\r\n)*/gim, '') // RFC 5322 §3.6.3: Bcc is not transmitted
  }
  if (!rcpts.length) { io.stderr('sendmail: no recipients\n'); return 64 }
  const dataRoot = dataRootOf(io)
  const cfg = await openConfig(dataRoot)
  const config = cfg.view()
  const host = String(config.find('base.hostname') ?? osHostname())
  const domain = String(config.find('base.defaultdomain') ?? host)
  from ??= `${io.env.USER ?? userInfo().username}@${domain}`
  // RFC 6409 §8: complete a message missing Date, Message-ID, From
  if (!/^From:/im.test(head)) head = `From: ${from}\r\n` + head
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
    for (const r of [...new Set(rcpts)]) {
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
