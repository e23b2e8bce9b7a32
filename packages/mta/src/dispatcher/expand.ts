// Recipient expansion at RCPT time (spec 01 §9, §16): rewrite rules pick the channel; local
// recipients are resolved in the directory — aliases, groups (with loop protection),
// `mailForwardingAddress`, `mailDeliveryOption`, `inetUserStatus`/`mailUserStatus`.
import type { MtaPolicy, RecipientDirectory } from '../ports.js'

export interface Expansion {
  channel: string
  to: string
  uid?: string
  folder?: string
  host?: string
}

export type ExpandResult =
  | { ok: true; items: Expansion[] }
  | { ok: false; code: number; enhanced: string; text: string }

const MAX_DEPTH = 10

function splitSubaddress(address: string): { base: string; folder?: string } {
  const at = address.lastIndexOf('@')
  const local = at < 0 ? address : address.slice(0, at)
  const plus = local.indexOf('+')
  if (plus <= 0) return { base: address }
  return { base: local.slice(0, plus) + (at < 0 ? '' : address.slice(at)), folder: local.slice(plus + 1) || undefined }
}

export async function expandRecipient(address: string, policy: MtaPolicy, directory: RecipientDirectory): Promise<ExpandResult> {
  const out = new Map<string, Expansion>()
  const seen = new Set<string>()
  const err = await walk(address, 0)
  if (err) return err
  return { ok: true, items: [...out.values()] }

  async function walk(addr: string, depth: number): Promise<Extract<ExpandResult, { ok: false }> | undefined> {
    const key = addr.toLowerCase()
    if (seen.has(key)) return undefined // group/forwarding loop: each address once
    seen.add(key)
    if (depth > MAX_DEPTH) return { ok: false, code: 554, enhanced: '5.4.6', text: `Alias expansion too deep: ${address}` }
    const route = await policy.route(addr)
    if (!policy.isLocalChannel(route.channel)) {
      const e: Expansion = { channel: route.channel, to: route.address, host: route.host }
      out.set(`${e.channel}|${e.to.toLowerCase()}`, e)
      return undefined
    }
    let res = await directory.resolveAddress(route.address)
    let folder: string | undefined = res.kind === 'user' ? res.detail : undefined
    if (res.kind === 'none') {
      const sub = splitSubaddress(route.address)
      if (sub.folder) { res = await directory.resolveAddress(sub.base); folder = sub.folder }
    }
    if (res.kind === 'none') {
      if (/^postmaster(@|$)/i.test(route.address) && depth === 0) {
        // RFC 5321 §4.5.1: postmaster is always accepted; with no postmaster account it waits on hold.
        out.set(`hold|${key}`, { channel: 'hold', to: route.address })
        return undefined
      }
      return { ok: false, code: 550, enhanced: '5.1.1', text: `unknown or illegal alias: ${addr}` }
    }
    const status = (res.status ?? 'active').toLowerCase()
    if (status === 'deleted' || status === 'removed') return { ok: false, code: 550, enhanced: '5.1.1', text: `unknown or illegal alias: ${addr}` }
    if (status === 'inactive') return { ok: false, code: 450, enhanced: '4.2.1', text: `mailbox temporarily disabled: ${addr}` }
    if (res.kind === 'group') {
      for (const m of res.members) { const e = await walk(m, depth + 1); if (e && depth === 0 && res.members.length === 1) return e }
      return undefined
    }
    if (status === 'hold') { out.set(`hold|${key}`, { channel: 'hold', to: route.address, uid: res.uid }); return undefined }
    const opts = (res.deliveryOptions?.length ? res.deliveryOptions : ['mailbox']).map((o) => o.toLowerCase())
    if (opts.includes('mailbox')) {
      const e: Expansion = { channel: route.channel === 'l' ? 'ims-ms' : route.channel, to: res.mail, uid: res.uid, folder }
      out.set(`${e.channel}|${res.uid}|${folder ?? ''}`, e)
    }
    if (opts.includes('forward')) for (const f of res.forwardingAddresses ?? []) {
      // A forwarding address that fails does not fail the original recipient.
      await walk(f, depth + 1)
    }
    if (!opts.includes('mailbox') && !opts.includes('forward')) out.set(`bitbucket|${key}`, { channel: 'bitbucket', to: route.address })
    return undefined
  }
}
