// SMTP / LMTP master program (tcp_local, tcp_intranet, tcp_lmtpcs): MX lookup with A fallback
// (RFC 5321 §5.1), opportunistic STARTTLS, per-recipient results, one connection reused for all
// messages to the same host in a job. Uses nodemailer's SMTPConnection.
import { createReadStream } from 'node:fs'
import { promises as dns } from 'node:dns'
import { isIP } from 'node:net'
import SMTPConnection from 'nodemailer/lib/smtp-connection'
import type { ChannelSettings } from '../jobs/channel-settings.js'
import type { DeliveryItem, MasterProgram, RecipientOutcome } from './types.js'
import { enhancedOf } from './types.js'
import type { TransportLog } from '../ports.js'

export interface SmtpOutOptions {
  hostname: string
  lmtp: boolean
  log?: TransportLog
  /** Resolver override for tests. */
  resolveMx?: (domain: string) => Promise<Array<{ exchange: string; priority: number }>>
  connectTimeout?: number
}

type Conn = InstanceType<typeof SMTPConnection>
type SmtpErr = Error & { response?: string; responseCode?: number; recipient?: string; code?: string; rejectedErrors?: SmtpErr[] }

/** Candidate hosts for a domain: MX by preference, else the domain itself (implicit MX). */
export async function mxHosts(domain: string, ch: ChannelSettings, resolveMx = (d: string) => dns.resolveMx(d)): Promise<string[]> {
  if (ch.daemon) return [ch.daemon]
  const lit = /^\[(.+)\]$/.exec(domain)
  if (lit) return [lit[1]]
  if (isIP(domain) || !ch.mx) return [domain]
  try {
    const mx = await resolveMx(domain)
    if (mx.length) return mx.sort((a, b) => a.priority - b.priority).map((m) => m.exchange).filter(Boolean)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code !== 'ENODATA' && code !== 'ENOTFOUND') throw e
    if (code === 'ENOTFOUND') throw Object.assign(new Error(`Illegal host/domain name found: ${domain}`), { permanent: true })
  }
  return [domain]
}

function connect(host: string, opts: SmtpOutOptions, ch: ChannelSettings): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const c = new SMTPConnection({
      host, port: ch.port, name: opts.hostname, lmtp: opts.lmtp,
      opportunisticTLS: true, tls: { rejectUnauthorized: false },
      connectionTimeout: opts.connectTimeout ?? 30_000, greetingTimeout: 30_000, socketTimeout: 120_000,
    } as ConstructorParameters<typeof SMTPConnection>[0])
    c.once('error', reject)
    c.connect(() => { c.removeListener('error', reject); c.on('error', () => {}); resolve(c) })
  })
}

function sendOne(c: Conn, item: DeliveryItem): Promise<{ info?: { accepted: string[]; rejected: string[]; rejectedErrors?: SmtpErr[]; response: string }; err?: SmtpErr }> {
  const env = item.env
  const rcpts = item.pending.map((i) => env.recipients[i])
  const notify = rcpts[0]?.notify
  const sameNotify = rcpts.every((r) => (r.notify ?? []).join() === (notify ?? []).join())
  const envelope = {
    from: env.from, to: rcpts.map((r) => r.to), size: env.size,
    use8BitMime: env.bodyType === '8bitmime',
    dsn: { ret: env.ret, envid: env.envid, notify: sameNotify && notify ? notify : undefined, orcpt: rcpts.length === 1 ? rcpts[0].orcpt : undefined },
  }
  return new Promise((resolve) => {
    const stream = createReadStream(item.path, { start: 0, end: Math.max(0, env.size - 1) })
    c.send(envelope as Parameters<Conn['send']>[0], stream, (err, info) => {
      if (err) resolve({ err: err as SmtpErr })
      else resolve({ info: info as never })
    })
  })
}

export function smtpOutProgram(opts: SmtpOutOptions): MasterProgram {
  return {
    async deliver(items, ch) {
      const results: RecipientOutcome[][] = items.map(() => [])
      // Group by destination host (domain of the first pending recipient, or its explicit host).
      const byDomain = new Map<string, number[]>()
      items.forEach((it, i) => {
        const r = it.env.recipients[it.pending[0]]
        const d = (r.host ?? r.to.slice(r.to.lastIndexOf('@') + 1)).toLowerCase()
        byDomain.set(d, [...(byDomain.get(d) ?? []), i])
      })
      for (const [domain, idxs] of byDomain) {
        const fail = (i: number, status: 'temp' | 'perm', diag: string, code: string, remote?: string) => {
          for (const idx of items[i].pending) results[i].push({ idx, status, diagnostic: diag, statusCode: code, remoteMta: remote })
        }
        let hosts: string[]
        try { hosts = await mxHosts(domain, ch, opts.resolveMx) } catch (e) {
          const perm = Boolean((e as { permanent?: boolean }).permanent)
          for (const i of idxs) fail(i, perm ? 'perm' : 'temp', perm ? `5.1.2 ${(e as Error).message}` : `4.4.3 DNS lookup failed for ${domain}: ${(e as Error).message}`, perm ? '5.1.2' : '4.4.3')
          continue
        }
        let conn: Conn | undefined
        let host = ''
        let lastErr = ''
        for (const h of hosts) {
          try { conn = await connect(h, opts, ch); host = h; break } catch (e) { lastErr = (e as Error).message }
        }
        const transport = `TCP|${host}|${ch.port}`
        if (!conn) {
          opts.log?.connection({ action: 'Y', direction: '-', channel: ch.name, transport: `TCP|${hosts[0]}|${ch.port}`, application: `SMTP/${domain}/${hosts[0]}`, diagnostic: lastErr })
          for (const i of idxs) fail(i, 'temp', `4.4.1 ${lastErr || 'connection failed'} (${domain})`, '4.4.1')
          continue
        }
        opts.log?.connection({ action: 'O', direction: '-', channel: ch.name, transport, application: `${opts.lmtp ? 'LMTP' : 'SMTP'}/${domain}/${host}` })
        const remote = `dns;${host}`
        for (const i of idxs) {
          const it = items[i]
          const { info, err } = await sendOne(conn, it)
          const proto = opts.lmtp ? 'lmtp' : 'smtp'
          if (err) {
            const rejected = new Map<string, SmtpErr>()
            for (const r of err.rejectedErrors ?? []) if (r.recipient) rejected.set(r.recipient.toLowerCase(), r)
            for (const idx of it.pending) {
              const r = rejected.get(it.env.recipients[idx].to.toLowerCase()) ?? err
              const resp = r.response ?? `${r.code ?? 'ERROR'} ${r.message}`
              const code = r.responseCode ?? 0
              const perm = code >= 500
              results[i].push({ idx, status: perm ? 'perm' : 'temp', diagnostic: `${proto};${resp}`, statusCode: enhancedOf(resp, perm ? '5.0.0' : '4.0.0'), remoteMta: remote, transport })
            }
            if (!err.responseCode) { // connection-level failure: the rest of this host's messages wait
              for (const j of idxs.slice(idxs.indexOf(i) + 1)) fail(j, 'temp', `4.4.2 ${err.message}`, '4.4.2', remote)
              break
            }
            continue
          }
          const rejected = new Map<string, SmtpErr>()
          for (const r of info!.rejectedErrors ?? []) if (r.recipient) rejected.set(r.recipient.toLowerCase(), r)
          for (const idx of it.pending) {
            const r = rejected.get(it.env.recipients[idx].to.toLowerCase())
            if (!r) { results[i].push({ idx, status: 'ok', diagnostic: `${proto};${info!.response}`, statusCode: '2.0.0', remoteMta: remote, transport }); continue }
            const resp = r.response ?? r.message
            const perm = (r.responseCode ?? 0) >= 500
            results[i].push({ idx, status: perm ? 'perm' : 'temp', diagnostic: `${proto};${resp}`, statusCode: enhancedOf(resp, perm ? '5.0.0' : '4.0.0'), remoteMta: remote, transport })
          }
        }
        try { conn.quit() } catch { /* closing */ }
        opts.log?.connection({ action: 'C', direction: '-', channel: ch.name, transport, application: `${opts.lmtp ? 'LMTP' : 'SMTP'}/${domain}/${host}` })
      }
      return results
    },
  }
}
