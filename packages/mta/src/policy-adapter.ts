// Adapts the policy engine (policy.ts: rewrite rules, channels, mapping-table probes — spec 01 §9, §12)
// to the transport's MtaPolicy port (ports.ts). One policy per MTA process; it rebuilds itself when
// `mapping:*`, `rewrite.rule` or `channel:*` options change.
import type { AccessDecision, Policy } from './policy.js'
import type { AccessVerdict, MtaPolicy, ProbeContext } from './ports.js'

function verdict(d: AccessDecision): AccessVerdict {
  if (d.accept) return { accept: true }
  return { accept: false, code: d.reply?.code, enhanced: d.reply?.enhanced, text: d.reply?.text }
}

const connection = (c: ProbeContext) => ({ localIp: c.localIp, localPort: c.localPort, remoteIp: c.remoteIp, remotePort: c.remotePort })

export function policyPort(policy: Policy): MtaPolicy {
  return {
    async route(address) {
      // The async path also runs rules that consult mapping tables (`${TABLE,arg}`).
      const r = await policy.rewriteAddressAsync(address)
      if (!r.ok) throw new Error(r.error ?? `illegal address ${address}`)
      return { channel: r.channel, address: r.address, host: r.host }
    },
    // `l` is the local channel of the rewrite rules; the directory expansion turns its recipients into ims-ms.
    isLocalChannel: (channel) => channel === 'l' || channel === 'ims-ms',
    // `mta.delivery_options` and the default domain for the RCPT-time expansion (spec 01 §16)
    expansionSettings: () => policy.expansionSettings(),
    portAccess: async (c) => verdict(await policy.portAccess({ ...connection(c), dispatcher: true })),
    sourceChannel: (c, listenerChannel) => policy.sourceChannel({ listenerChannel, remoteIp: c.remoteIp, authenticated: c.authenticated }),
    fromAccess: async (c, sender) =>
      verdict(await policy.fromAccess({ ...connection(c), sourceChannel: c.sourceChannel, sender, authenticated: c.authenticated, tls: c.tls })),
    recipientAccess: async (c, sender, recipient, route, stage) =>
      verdict(await policy.recipientAccess({
        ...connection(c), stage, sourceChannel: c.sourceChannel, sender, destinationChannel: route.channel, recipient,
        authenticated: c.authenticated, tls: c.tls,
        // 530 (authentication available) vs 550 for a relay denial (mapping/README.md)
        authAvailable: policy.channelConfig(c.sourceChannel)?.maysaslserver ?? false,
      })),
  }
}
