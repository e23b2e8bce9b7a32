// Listener definitions from `dispatcher.service:<NAME>.*` options (spec 01 §10). The product's services
// (install guide Table 12-4): SMTP (25, tcp_local), SMTP_SUBMIT (587 with 465 in `ssl_ports` as implicit
// TLS, tcp_submit, AUTH required), LMTP (225, tcp_lmtpss, disabled). Local-profile ports: 2525, 2587 +
// 2465, 2225 (docs/decisions.md D1).
import type { ConfigView } from '@wren/kernel'
import type { ListenerDef } from './smtp-listener.js'

interface Defaults { ports: number[]; sslPorts: number[]; channel: string; auth: boolean; enable: boolean; lmtp: boolean }

export const DEFAULT_SERVICES: Record<string, Defaults> = {
  SMTP: { ports: [2525], sslPorts: [], channel: 'tcp_local', auth: false, enable: true, lmtp: false },
  SMTP_SUBMIT: { ports: [2587, 2465], sslPorts: [2465], channel: 'tcp_submit', auth: true, enable: true, lmtp: false },
  LMTP: { ports: [2225], sslPorts: [], channel: 'tcp_lmtpss', auth: false, enable: false, lmtp: true },
}

const truthy = (v: unknown) => v === true || v === 1 || v === '1' || (typeof v === 'string' && /^(yes|true|on)$/i.test(v))

/** `mta.max_message_size` when it is not set (the registry's default): 100 MB. */
export const DEFAULT_MAX_MESSAGE_SIZE = 100 * 1024 * 1024

/**
 * The SIZE limit of a listener in octets (RFC 1870), 0 = no fixed maximum: `mta.max_message_size`
 * (100 MB when unset, 0 = no limit), lowered by the source channel's `blocklimit` (blocks of
 * `mta.block_size`). Without a limit the engine still streams the message to the queue file, so
 * memory stays bounded.
 */
export function messageSizeLimit(config: ConfigView, channel: string): number {
  const positive = (v: unknown) => { const n = Number(v ?? 0); return Number.isFinite(n) && n > 0 ? Math.trunc(n) : 0 }
  const blockSize = positive(config.find('mta.block_size')) || 1024
  const configured = config.find('mta.max_message_size')
  const max = configured === undefined || configured === '' ? DEFAULT_MAX_MESSAGE_SIZE : positive(configured)
  const limits = [max, positive(config.find(`channel:${channel}.blocklimit`)) * blockSize]
    .filter((n) => n > 0)
  return limits.length ? Math.min(...limits) : 0
}

export function listenerDefs(config: ConfigView): ListenerDef[] {
  const names = new Set(Object.keys(DEFAULT_SERVICES))
  for (const { name } of config.list('dispatcher.service:*')) {
    const m = /^dispatcher\.service:([^.]+)\./i.exec(name)
    if (m) names.add(m[1].toUpperCase())
  }
  const defs: ListenerDef[] = []
  for (const name of names) {
    const d = DEFAULT_SERVICES[name] ?? { ports: [], sslPorts: [], channel: 'tcp_local', auth: false, enable: true, lmtp: /LMTP/.test(name) }
    const opt = <T>(o: string) => config.find(`dispatcher.service:${name}.${o}`) as T | undefined
    // Only an explicitly set `enable` overrides the listener's default (LMTP is off unless enabled).
    const explicit = config.list(`dispatcher.service:${name}.enable`)[0]?.value
    if (explicit === undefined ? !d.enable : !truthy(explicit)) continue
    const portList = (v: unknown, fallback: number[]) =>
      v === undefined ? fallback : (Array.isArray(v) ? v.map(String) : String(v).split(/[\s,]+/)).filter(Boolean).map(Number)
    const ports = portList(opt('tcp_ports'), d.ports)
    const param = String(opt('parameter') ?? '')
    const channel = /CHANNEL=([\w-]+)/i.exec(param)?.[1] ?? d.channel
    // `ssl_ports` names the ports among tcp_ports that speak implicit TLS (SMTPS, RFC 8314).
    const tlsPorts = portList(opt('ssl_ports'), d.sslPorts)
    const image = String(opt('image') ?? '')
    const lmtp = d.lmtp || /lmtp/i.test(image)
    const submit = channel === 'tcp_submit' || d.auth
    for (const port of ports) {
      if (!Number.isFinite(port)) continue
      defs.push({
        name, channel, host: String(opt('interfaceaddress') ?? '0.0.0.0'), port,
        tls: lmtp ? 'none' : tlsPorts.includes(port) ? 'implicit' : 'starttls',
        authRequired: truthy(opt('auth_required') ?? submit),
        allowInsecureAuth: truthy(opt('allow_insecure_auth') ?? false),
        maxConns: Number(opt('max_conns') ?? 1000) * Number(opt('max_procs') ?? 1),
        idleTimeout: Number(opt('timeout') ?? 600) * 1000,
        banner: opt<string>('banner'),
        size: messageSizeLimit(config, channel),
        lmtp,
      })
    }
  }
  return defs
}
