// A minimal MtaPolicy (closed relay, spec 04 B.8) used by tests and as the fallback when the
// mapping/rewrite engine (policy.ts, H6) is not wired: local domains → ims-ms, everything else →
// tcp_local; INTERNAL_IP = loopback + given networks; relaying only for internal or authenticated
// senders ("530 5.7.1 Relaying not allowed: <addr>", as the manual's J record example shows).
import type { AccessVerdict, MtaPolicy, ProbeContext, RouteResult } from './ports.js'

export interface BasicPolicyOptions {
  localDomains: string[]
  /** Internal networks as IPv4 CIDRs (`127.0.0.1/32`); default loopback. */
  internalIps?: string[]
  /** Channels whose recipients are local (resolved in the directory). */
  localChannels?: string[]
  /** `mta.delivery_options` (default: the product's). */
  deliveryOptions?: string
}

function ipv4ToInt(ip: string): number | undefined {
  const m = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/i.exec(ip)
  if (!m) return undefined
  return ((+m[1] << 24) >>> 0) + (+m[2] << 16) + (+m[3] << 8) + +m[4]
}

export function ipInCidr(ip: string, cidr: string): boolean {
  const [net, bitsS] = cidr.split('/')
  const a = ipv4ToInt(ip), b = ipv4ToInt(net)
  if (a === undefined || b === undefined) return ip === net
  const bits = bitsS === undefined ? 32 : Number(bitsS)
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0
  return ((a & mask) >>> 0) === ((b & mask) >>> 0)
}

export function basicPolicy(opts: BasicPolicyOptions): MtaPolicy {
  const local = new Set(opts.localDomains.map((d) => d.toLowerCase()))
  const internal = opts.internalIps ?? ['127.0.0.1/32', '::1']
  const localChannels = new Set(opts.localChannels ?? ['ims-ms', 'l'])
  const isInternal = (ip: string) => internal.some((c) => ipInCidr(ip, c))
  return {
    async route(address): Promise<RouteResult> {
      const at = address.lastIndexOf('@')
      if (at < 0) return { channel: 'ims-ms', address }
      const domain = address.slice(at + 1).toLowerCase()
      if (local.has(domain)) return { channel: 'ims-ms', address }
      return { channel: 'tcp_local', address, host: domain }
    },
    isLocalChannel: (c) => localChannels.has(c),
    expansionSettings: () => ({ deliveryOptions: opts.deliveryOptions, defaultDomain: opts.localDomains[0] }),
    async portAccess(): Promise<AccessVerdict> { return { accept: true } },
    async sourceChannel(ctx: ProbeContext, listenerChannel: string) {
      if (listenerChannel === 'tcp_local' && isInternal(ctx.remoteIp)) return 'tcp_intranet'
      if (listenerChannel === 'tcp_local' && ctx.authenticated) return 'tcp_auth'
      return listenerChannel
    },
    async fromAccess(): Promise<AccessVerdict> { return { accept: true } },
    async recipientAccess(ctx, _sender, recipient, route, stage): Promise<AccessVerdict> {
      if (stage === 'expanded') return { accept: true } // (no SEND_ACCESS / MAIL_ACCESS tables here)
      // ORIG_SEND_ACCESS `tcp_local|*|tcp_local|* $NRelaying$ not$ permitted` (spec 01 §12)
      if (ctx.sourceChannel === 'tcp_local' && !ctx.authenticated && !isInternal(ctx.remoteIp) && !localChannels.has(route.channel)) {
        return { accept: false, code: 530, enhanced: '5.7.1', text: `Relaying not allowed: ${recipient}` }
      }
      return { accept: true }
    },
  }
}
