// Recipient expansion at RCPT time (spec 01 §9, §16): rewrite rules pick the channel; local
// recipients are resolved in the directory — aliases, groups (with loop protection),
// `inetUserStatus`/`mailUserStatus` — and each `mailDeliveryOption` value is turned into a delivery
// address by `mta.delivery_options` (delivery/delivery-options.ts): mailbox → ims-ms, forward → the
// `mailForwardingAddress`es, hold → the hold channel, autoreply/nomail → bitbucket, members → the group.
import type { MtaPolicy, RecipientDirectory } from '../ports.js'
import {
  DEFAULT_DELIVERY_OPTIONS, entryApplies, parseDeliveryOptions, selectEntry, splitSourceRoute, substituteTemplate,
  type DeliveryOptionEntry,
} from '../delivery/delivery-options.js'

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

type Failure = Extract<ExpandResult, { ok: false }>

const MAX_DEPTH = 10

/** Channel tags the default configuration gives its internal channels (their `official_host_name`). */
const BUILTIN_TAGS: Record<string, string> = {
  'ims-ms-daemon': 'ims-ms', bitbucket: 'bitbucket', 'bitbucket-daemon': 'bitbucket', 'hold-daemon': 'hold',
}

function splitSubaddress(address: string): { base: string; folder?: string } {
  const at = address.lastIndexOf('@')
  const local = at < 0 ? address : address.slice(0, at)
  const plus = local.indexOf('+')
  if (plus <= 0) return { base: address }
  return { base: local.slice(0, plus) + (at < 0 ? '' : address.slice(at)), folder: local.slice(plus + 1) || undefined }
}

const cache = new Map<string, DeliveryOptionEntry[]>()
function entriesOf(value: string): DeliveryOptionEntry[] {
  let e = cache.get(value)
  if (!e) { e = parseDeliveryOptions(value); cache.set(value, e) }
  return e
}

/**
 * The channel a generated delivery address goes to: a source route's first host or the domain is the
 * channel tag. Undefined when no channel serves that tag (e.g. `native-daemon` with no native channel).
 */
async function channelOf(address: string, policy: MtaPolicy): Promise<{ channel: string; to: string; host?: string } | undefined> {
  const { route, rest } = splitSourceRoute(address)
  const at = rest.lastIndexOf('@')
  const tag = (route ?? (at < 0 ? '' : rest.slice(at + 1))).toLowerCase()
  const builtin = BUILTIN_TAGS[tag]
  if (builtin) return { channel: builtin, to: rest }
  try {
    const r = await policy.route(`${at < 0 ? rest : rest.slice(0, at)}@${tag}`)
    // A tag that only matched the catch-all rule is a remote domain, not a channel of ours.
    if (r.channel === 'tcp_local' || policy.isLocalChannel(r.channel)) return undefined
    return { channel: r.channel, to: rest, host: r.host }
  } catch { return undefined }
}

/** Store id `box` / `box@hosted.domain` back from `$M%$2I+$2S` (mailbox entries). */
function mailboxOf(local: string): { uid: string; folder?: string } {
  const plus = local.indexOf('+')
  const box = plus < 0 ? local : local.slice(0, plus)
  const folder = plus < 0 ? undefined : local.slice(plus + 1) || undefined
  const pct = box.lastIndexOf('%')
  return { uid: pct < 0 ? box : `${box.slice(0, pct)}@${box.slice(pct + 1)}`, folder }
}

export interface ExpandOptions {
  /** `mta.delivery_options`; default: the policy's setting, else the product's default. */
  deliveryOptions?: string
  now?: number
}

export async function expandRecipient(address: string, policy: MtaPolicy, directory: RecipientDirectory, opts: ExpandOptions = {}): Promise<ExpandResult> {
  const settings = policy.expansionSettings?.() ?? {}
  const entries = entriesOf(opts.deliveryOptions ?? settings.deliveryOptions ?? DEFAULT_DELIVERY_OPTIONS)
  const now = opts.now ?? Date.now()
  const out = new Map<string, Expansion>()
  const seen = new Set<string>()
  const add = (e: Expansion) => out.set(`${e.channel}|${e.to.toLowerCase()}|${e.folder ?? ''}`, e)
  const err = await walk(address, 0)
  if (err) return err
  return { ok: true, items: [...out.values()] }

  async function walk(addr: string, depth: number): Promise<Failure | undefined> {
    const key = addr.toLowerCase()
    if (seen.has(key)) return undefined // group/forwarding loop: each address once
    seen.add(key)
    if (depth > MAX_DEPTH) return { ok: false, code: 554, enhanced: '5.4.6', text: `Alias expansion too deep: ${address}` }
    const route = await policy.route(addr)
    if (!policy.isLocalChannel(route.channel)) {
      add({ channel: route.channel, to: route.address, host: route.host })
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
        add({ channel: 'hold', to: route.address })
        return undefined
      }
      return { ok: false, code: 550, enhanced: '5.1.1', text: `unknown or illegal alias: ${addr}` }
    }
    const status = (res.status ?? 'active').toLowerCase()
    if (status === 'deleted' || status === 'removed') return { ok: false, code: 550, enhanced: '5.1.1', text: `unknown or illegal alias: ${addr}` }
    if (status === 'inactive') return { ok: false, code: 450, enhanced: '4.2.1', text: `mailbox temporarily disabled: ${addr}` }
    if (res.kind === 'group') {
      const values = res.deliveryOptions?.length ? res.deliveryOptions : ['members']
      let members = false
      for (const v of values) {
        const e = selectEntry(entries, v, 'group')
        if (!e) continue
        if (e.template === '*') { members = true; continue }
        const target = substituteTemplate(e.template, { A: route.address, M: '', I: '' })
        const dest = target === undefined ? undefined : await channelOf(target, policy)
        if (dest) add({ ...dest, channel: e.held ? 'hold' : dest.channel })
      }
      if (members) {
        for (const m of res.members) { const e = await walk(m, depth + 1); if (e && depth === 0 && res.members.length === 1) return e }
      }
      return undefined
    }
    // mailUserStatus hold overrides every delivery option (spec 04: "sent to the hold queue").
    if (status === 'hold') { add({ channel: 'hold', to: route.address, uid: res.uid }); return undefined }
    const at = res.uid.indexOf('@')
    const vars = {
      A: route.address, M: at < 0 ? res.uid : res.uid.slice(0, at), I: at < 0 ? '' : res.uid.slice(at + 1),
      S: folder, H: res.mailHost, D: res.domain,
    }
    const values = res.deliveryOptions?.length ? res.deliveryOptions : ['mailbox']
    const unusable: string[] = []
    let produced = 0
    for (const v of values) {
      const e = selectEntry(entries, v, 'user')
      if (!e) { unusable.push(v); continue }
      if (!entryApplies(e, res.vacation, now)) continue
      if (e.template === '**') {
        // A forwarding address that fails does not fail the original recipient.
        for (const f of res.forwardingAddresses ?? []) { produced++; await walk(f, depth + 1) }
        continue
      }
      const target = substituteTemplate(e.template, vars)
      const dest = target === undefined ? undefined : await channelOf(target, policy)
      if (!dest) { unusable.push(v); continue }
      produced++
      if (e.held) { add({ channel: 'hold', to: dest.to, uid: res.uid }); continue }
      if (dest.channel === 'ims-ms') {
        const box = mailboxOf(dest.to.slice(0, dest.to.lastIndexOf('@')))
        add({ channel: 'ims-ms', to: dest.to, uid: box.uid, folder: box.folder })
      } else add({ ...dest, uid: res.uid })
    }
    if (!produced && unusable.length) {
      return { ok: false, code: 550, enhanced: '5.3.0', text: `no usable delivery option (${unusable.join(', ')}): ${addr}` }
    }
    // Every option was outside its time limits (e.g. only `autoreply` after the vacation): the message
    // is accepted and discarded, visibly (a bitbucket D record), as the product's nomail does.
    if (!produced) add({ channel: 'bitbucket', to: `${vars.M}+${vars.D ?? route.address.slice(route.address.lastIndexOf('@') + 1)}@bitbucket`, uid: res.uid })
    return undefined
  }
}
