// SMTP / LMTP master program (tcp_local, tcp_intranet, tcp_lmtpcs): MX lookup with A fallback
// (RFC 5321 §5.1), STARTTLS per the channel's TLS keywords (opportunistic unless `musttls`/`notls`),
// per-recipient results (LMTP: one reply per recipient after DATA, RFC 2033 §4.2), one connection reused
// for all messages to the same host in a job, DSN parameters passed on when the peer offers DSN and a
// `relayed` notice owed when it does not (RFC 3461 §5.2.2). Uses nodemailer's SMTPConnection.
import { messageStream } from '../queue/message-ref.js'
import { promises as dns } from 'node:dns'
import { isIP } from 'node:net'
import SMTPConnection from 'nodemailer/lib/smtp-connection'
import type { ChannelSettings } from '../jobs/channel-settings.js'
import type { DeliveryItem, MasterProgram, RecipientOutcome } from './types.js'
import { enhancedOf } from './types.js'
import type { TransportLog } from '../ports.js'
import type { ConfigView } from '@wren/kernel'

export interface SmtpOutOptions {
  hostname: string
  lmtp: boolean
  log?: TransportLog
  /** Resolver override for tests. */
  resolveMx?: (domain: string) => Promise<Array<{ exchange: string; priority: number }>>
  connectTimeout?: number
  /** For the channel's TLS keywords (`channel:<name>.musttls` …); without it, opportunistic TLS. */
  config?: ConfigView
}

export type ClientTls = 'may' | 'must' | 'none'

/**
 * Outbound TLS for a channel (the product's client-side keywords): `musttls`/`musttlsclient` require
 * STARTTLS, `notls`/`notlsclient` never use it, `maytls`/`maytlsclient` (and Wren's default) use it
 * when the peer offers it. Read from `channel:<name>.*`, then `channel:defaults.*`.
 */
export function clientTls(config: ConfigView | undefined, channel: string): ClientTls {
  if (!config) return 'may'
  for (const scope of [channel, 'defaults']) {
    const has = (kw: string) => { const v = config.find(`channel:${scope}.${kw}`); return v !== undefined && v !== false && v !== 0 && v !== '0' }
    if (has('musttls') || has('musttlsclient')) return 'must'
    if (has('notls') || has('notlsclient')) return 'none'
    if (has('maytls') || has('maytlsclient')) return 'may'
  }
  return 'may'
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

/** Each connection's 220 greeting, for the log's `(banner)` field (nodemailer does not keep it). */
const greetings = new WeakMap<Conn, string>()

/**
 * Where a delivery went, as the manual's outbound records show it (Admin Guide ch. 17, "A Local User
 * Sends An Outgoing Message"): `dns;host (TCP|local ip|port|remote ip|port) (banner)`.
 */
function peerOf(c: Conn, host: string): { transport: string; banner?: string } {
  const s = (c as unknown as { _socket?: { localAddress?: string; localPort?: number; remoteAddress?: string; remotePort?: number } })._socket
  const transport = `TCP|${s?.localAddress ?? ''}|${s?.localPort ?? ''}|${s?.remoteAddress ?? host}|${s?.remotePort ?? ''}`
  return { transport, banner: greetings.get(c)?.replace(/^220[ -]/, '').split('\r\n')[0] }
}

function connect(host: string, opts: SmtpOutOptions, ch: ChannelSettings): Promise<Conn> {
  const tls = clientTls(opts.config, ch.name)
  return new Promise((resolve, reject) => {
    const c = new SMTPConnection({
      host, port: ch.port, name: opts.hostname, lmtp: opts.lmtp,
      opportunisticTLS: tls === 'may', requireTLS: tls === 'must', ignoreTLS: tls === 'none', tls: { rejectUnauthorized: false },
      connectionTimeout: opts.connectTimeout ?? 30_000, greetingTimeout: 30_000, socketTimeout: 120_000,
    } as ConstructorParameters<typeof SMTPConnection>[0])
    const inner = c as unknown as { _actionGreeting: (str: string) => void }
    const onGreeting = inner._actionGreeting
    inner._actionGreeting = function (this: unknown, str: string) { greetings.set(c, str); return onGreeting.call(this, str) }
    c.once('error', reject)
    c.connect(() => { c.removeListener('error', reject); c.on('error', () => {}); resolve(c) })
  })
}

type SendResult = { info?: { accepted: string[]; rejected: string[]; rejectedErrors?: SmtpErr[]; response: string }; err?: SmtpErr }

/**
 * Recipients that can share one transaction: nodemailer sends one NOTIFY/ORCPT for all RCPTs, so
 * recipients with different DSN parameters (RFC 3461 §4.1, §4.2) go in transactions of their own.
 */
export function dsnGroups(item: DeliveryItem): number[][] {
  const groups = new Map<string, number[]>()
  for (const idx of item.pending) {
    const r = item.env.recipients[idx]
    const k = `${(r.notify ?? []).join(',').toUpperCase()}|${r.orcpt ?? ''}`
    groups.set(k, [...(groups.get(k) ?? []), idx])
  }
  return [...groups.values()]
}

function sendOne(c: Conn, item: DeliveryItem, idxs: number[]): Promise<SendResult> {
  const env = item.env
  const rcpts = idxs.map((i) => env.recipients[i])
  const { notify, orcpt } = rcpts[0]
  const envelope = {
    from: env.from, to: rcpts.map((r) => r.to), size: env.size,
    use8BitMime: env.bodyType === '8bitmime',
    dsn: { ret: env.ret, envid: env.envid, notify: notify?.length ? notify : undefined, orcpt },
  }
  return new Promise((resolve) => {
    const stream = messageStream(item.path, env.size)
    c.send(envelope as Parameters<Conn['send']>[0], stream, (err, info) => {
      if (err) resolve({ err: err as SmtpErr })
      else resolve({ info: info as never })
    })
  })
}

export function smtpOutProgram(opts: SmtpOutOptions): MasterProgram {
  return {
    async deliver(items, ch, hooks) {
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
        if (!conn) {
          opts.log?.connection({ action: 'Y', direction: '-', channel: ch.name, transport: `TCP|${hosts[0]}|${ch.port}`, application: `SMTP/${domain}/${hosts[0]}`, diagnostic: lastErr })
          // `musttls` and the peer offered no STARTTLS (or the handshake failed): RFC 3463 4.7.0.
          const tlsFail = clientTls(opts.config, ch.name) === 'must' && /TLS/i.test(lastErr)
          for (const i of idxs) {
            if (tlsFail) fail(i, 'temp', `4.7.0 TLS required by the channel and not available: ${lastErr} (${domain})`, '4.7.0')
            else fail(i, 'temp', `4.4.1 ${lastErr || 'connection failed'} (${domain})`, '4.4.1')
          }
          continue
        }
        const { transport, banner } = peerOf(conn, host)
        const remote = `dns;${host}`
        opts.log?.connection({ action: 'O', direction: '-', channel: ch.name, transport, application: `${opts.lmtp ? 'LMTP' : 'SMTP'}/${domain}/${host}` })
        const ext = (conn as unknown as { _supportedExtensions?: string[] })._supportedExtensions ?? []
        const peerDsn = ext.includes('DSN')
        const modifiers = `${opts.lmtp ? 'L' : 'E'}${conn.secure ? 'S' : ''}`
        const proto = opts.lmtp ? 'lmtp' : 'smtp'
        const result = (idx: number, status: RecipientOutcome['status'], resp: string, fallback: string): RecipientOutcome => ({
          idx, status, diagnostic: `${proto};${resp}`, statusCode: status === 'ok' ? '2.0.0' : enhancedOf(resp, fallback), remoteMta: remote, transport, banner, modifiers,
          ...(status === 'ok' && !peerDsn ? { dsnAction: opts.lmtp ? 'delivered' as const : 'relayed' as const } : {}),
        })
        let broken = false
        for (const i of idxs) {
          const it = items[i]
          if (broken) { fail(i, 'temp', '4.4.2 connection lost', '4.4.2', remote); continue }
          for (const group of dsnGroups(it)) {
            if (broken) { for (const idx of group) results[i].push({ idx, status: 'temp', diagnostic: '4.4.2 connection lost', statusCode: '4.4.2', remoteMta: remote }); continue }
            const { info, err } = await sendOne(conn, it, group)
            if (err) {
              const rejected = new Map<string, SmtpErr>()
              for (const r of err.rejectedErrors ?? []) if (r.recipient) rejected.set(r.recipient.toLowerCase(), r)
              for (const idx of group) {
                const r = rejected.get(it.env.recipients[idx].to.toLowerCase()) ?? err
                const resp = r.response ?? `${r.code ?? 'ERROR'} ${r.message}`
                const perm = (r.responseCode ?? 0) >= 500
                results[i].push(result(idx, perm ? 'perm' : 'temp', resp, perm ? '5.0.0' : '4.0.0'))
              }
              if (!err.responseCode) broken = true // connection-level failure: the rest of this host's messages wait
              continue
            }
            const rejected = new Map<string, SmtpErr>()
            for (const r of info!.rejectedErrors ?? []) if (r.recipient) rejected.set(r.recipient.toLowerCase(), r)
            // LMTP (RFC 2033 §4.2): nodemailer reads one reply per accepted recipient after DATA and
            // lists the failed ones in rejectedErrors; the others succeeded.
            for (const idx of group) {
              const r = rejected.get(it.env.recipients[idx].to.toLowerCase())
              if (!r) { results[i].push(result(idx, 'ok', info!.response, '2.0.0')); continue }
              const resp = r.response ?? r.message
              const perm = (r.responseCode ?? 0) >= 500
              results[i].push(result(idx, perm ? 'perm' : 'temp', resp, perm ? '5.0.0' : '4.0.0'))
            }
          }
        }
        const open = conn
        const close = () => {
          try { open.quit() } catch { /* closing */ }
          opts.log?.connection({ action: 'C', direction: '-', channel: ch.name, transport, application: `${opts.lmtp ? 'LMTP' : 'SMTP'}/${domain}/${host}` })
        }
        // spec 01 §22 (LOG_CONNECTION=3): `- O`, the `DE` records, then `- C`
        if (hooks) hooks.afterRecorded(close)
        else close()
      }
      return results
    },
  }
}
