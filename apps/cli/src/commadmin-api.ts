// commadmin through the admin API (issue 6: "the CLI uses the same API"), used whenever a daemon runs
// for the data root. Every subcommand is a tRPC call, so the API's rules apply exactly as in the
// console: the caller's role and domains (FORBIDDEN), field validation (`data.fieldErrors`),
// optimistic versions (modify reads the entry's version first) and the audit log.
// `-A attr:value` is translated to the API's fields (users.update, domains.update, groups.update);
// attributes the API does not edit are refused with a message naming them.
import { readFileSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import type { Modification } from '@wren/directory'
import type { DomainDetail, GroupDetail, UserDetail } from '@wren/api'
import type { ApiClient } from './api-client.js'
import type { CliIO } from './io.js'
import type { ParsedArgs } from './store-tools/getopt.js'
import {
  Usage, all, applyMods, count, createAttributes, ldif, nameMods, need, one, parseAttributeArgs, statusArg, userPassword,
} from './commadmin-args.js'

/** A refusal of this mode (exit 1), not a usage error. */
export class NotThroughApi extends Error {}

type Single = 'cn' | 'sn' | 'givenName' | 'mail' | 'mailQuota' | 'mailMsgQuota'
type List = 'aliases' | 'equivalentAddresses' | 'forwarding' | 'deliveryOptions'
type Vac = 'mode' | 'subject' | 'text' | 'start' | 'end'

/** Directory attribute (lower case) → users.create/update field. */
const USER_SINGLE: Record<string, Single> = { cn: 'cn', sn: 'sn', givenname: 'givenName', mail: 'mail', mailquota: 'mailQuota', mailmsgquota: 'mailMsgQuota' }
const USER_LIST: Record<string, List> = { mailalternateaddress: 'aliases', mailequivalentaddress: 'equivalentAddresses', mailforwardingaddress: 'forwarding', maildeliveryoption: 'deliveryOptions' }
const USER_VACATION: Record<string, Vac> = { mailautoreplymode: 'mode', mailautoreplysubject: 'subject', mailautoreplytext: 'text', vacationstartdate: 'start', vacationenddate: 'end' }
const USER_STATUS = 'inetuserstatus'
const USER_PASSWORD = 'userpassword'
/** Attribute names as commadmin shows them (LDIF). */
const SHOW_NAME: Record<string, string> = {
  givenname: 'givenName', mailquota: 'mailQuota', mailmsgquota: 'mailMsgQuota', mailalternateaddress: 'mailAlternateAddress',
  mailequivalentaddress: 'mailEquivalentAddress', mailforwardingaddress: 'mailForwardingAddress', maildeliveryoption: 'mailDeliveryOption',
  mailautoreplymode: 'mailAutoReplyMode', mailautoreplysubject: 'mailAutoReplySubject', mailautoreplytext: 'mailAutoReplyText',
  vacationstartdate: 'vacationStartDate', vacationenddate: 'vacationEndDate', inetuserstatus: 'inetUserStatus',
}

function refuse(kind: string, attrs: string[]): never {
  throw new NotThroughApi(`the admin API does not edit ${attrs.join(', ')} of a ${kind}; stop the daemon to change ${attrs.length > 1 ? 'them' : 'it'} in the directory directly`)
}

function userAttrs(u: UserDetail): Map<string, string[]> {
  const m = new Map<string, string[]>()
  const put = (k: string, v: string | string[] | undefined) => { const l = (Array.isArray(v) ? v : v ? [v] : []).filter((x) => x !== ''); if (l.length) m.set(k, l) }
  put('uid', u.uid); put('mail', u.mail); put('cn', u.cn); put('sn', u.sn); put('givenname', u.givenName)
  put('mailalternateaddress', u.aliases); put('mailequivalentaddress', u.equivalentAddresses)
  put('mailforwardingaddress', u.forwarding); put('maildeliveryoption', u.deliveryOptions)
  put('mailquota', u.mailQuota); put('mailmsgquota', u.mailMsgQuota); put(USER_STATUS, u.status)
  put('mailautoreplymode', u.vacation.mode); put('mailautoreplysubject', u.vacation.subject); put('mailautoreplytext', u.vacation.text)
  put('vacationstartdate', u.vacation.start); put('vacationenddate', u.vacation.end)
  return m
}

const same = (a: string[] | undefined, b: string[] | undefined) => JSON.stringify(a ?? []) === JSON.stringify(b ?? [])

/** The users.update fields, setStatus and setPassword that turn `before` into `after`. */
function userChanges(before: Map<string, string[]>, after: Map<string, string[]>) {
  const update: Record<string, unknown> = {}
  const vacation: Record<string, string> = {}
  let status: string | undefined
  let password: string | undefined
  const unknown: string[] = []
  for (const k of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(k), a = after.get(k)
    if (same(b, a)) continue
    if (USER_SINGLE[k]) update[USER_SINGLE[k]] = a?.[a.length - 1] ?? ''
    else if (USER_LIST[k]) update[USER_LIST[k]] = a ?? []
    else if (USER_VACATION[k]) vacation[USER_VACATION[k]] = a?.[0] ?? ''
    else if (k === USER_STATUS) status = a?.[0] ?? 'active'
    else if (k === USER_PASSWORD) password = a?.[0]
    else unknown.push(k)
  }
  if (unknown.length) refuse('user', unknown)
  if (Object.keys(vacation).length) update.vacation = vacation
  return { update, status, password }
}

export interface ApiRun {
  api: ApiClient
  io: CliIO
  /** The directory's default domain (base.defaultdomain): commadmin's `-d` default. */
  defaultDomain: string
}

const domainOf = (r: ApiRun, p: ParsedArgs) => (one(p, 'd') ?? r.defaultDomain).toLowerCase()

function showUser(u: UserDetail): string {
  const attrs: Record<string, string[]> = {}
  for (const [k, v] of userAttrs(u)) attrs[SHOW_NAME[k] ?? k] = v
  return ldif(undefined, attrs, { storeId: u.storeId, status: u.status, ...(u.groups.length ? { groups: u.groups.join(' ') } : {}) })
}

async function user(r: ApiRun, verb: string, p: ParsedArgs): Promise<number> {
  const { api, io } = r
  const key = () => ({ uid: need(p, 'l', 'uid'), domain: domainOf(r, p) })
  switch (verb) {
    case 'create': {
      const initial = new Map<string, string[]>()
      const attrs = applyMods(initial, [...Object.entries(createAttributes(all(p, 'A'))).map(([attr, values]): Modification => ({ op: 'replace', attr, values })), ...nameMods(p)])
      const { update, status, password } = userChanges(initial, attrs)
      if (password !== undefined) throw new Usage('give the password with -W or -j, not -A userPassword')
      const { vacation, ...fields } = update as Record<string, unknown> & { vacation?: Record<string, string> }
      const k = key()
      const created = await api.users.create.mutate({ ...k, password: (await userPassword(p, io)) ?? '', ...fields, cn: (fields.cn as string | undefined) || k.uid } as Parameters<typeof api.users.create.mutate>[0])
      if (vacation) await api.users.update.mutate({ ...k, version: created.version, vacation })
      if (status && status !== 'active') await api.users.setStatus.mutate({ ...k, status: status as 'active' })
      io.stdout(`OK user ${created.uid}@${created.domain} created\n`)
      return 0
    }
    case 'modify': {
      const k = key()
      const pw = await userPassword(p, io)
      const mods = [...nameMods(p), ...parseAttributeArgs(all(p, 'A'))]
      if (mods.length === 0 && pw === undefined) throw new Usage('nothing to modify: give -A, -W, -F, -L or -E')
      const u = await api.users.get.query(k)
      const before = userAttrs(u)
      const { update, status, password } = userChanges(before, applyMods(before, mods))
      if (Object.keys(update).length) await api.users.update.mutate({ ...k, version: u.version, ...update } as Parameters<typeof api.users.update.mutate>[0])
      if (status !== undefined) await api.users.setStatus.mutate({ ...k, status: status as 'active' })
      const newPassword = pw ?? password
      if (newPassword !== undefined) await api.users.setPassword.mutate({ ...k, password: newPassword })
      io.stdout(`OK user ${u.uid}@${u.domain} modified\n`)
      return 0
    }
    case 'delete': {
      const u = await api.users.delete.mutate(key())
      io.stdout(`OK user ${u.uid}@${u.domain} marked deleted\n`)
      return 0
    }
    case 'purge': {
      const k = key()
      await api.users.purge.mutate(k)
      io.stdout(`OK user ${one(p, 'd') ? `${k.uid}@${k.domain}` : k.uid} purged\n`)
      return 0
    }
    case 'show':
      io.stdout(showUser(await api.users.get.query(key())))
      return 0
    case 'search': {
      const page = await api.users.list.query({ domain: one(p, 'd'), search: one(p, 't'), status: statusArg(p) as 'active' | undefined, limit: count(p), cursor: one(p, 'c') })
      for (const u of page.items) io.stdout(`${u.uid}@${u.domain}\t${u.status}\t${u.mail ?? ''}\n`)
      if (page.nextCursor) io.stdout(`# next: -c ${page.nextCursor}\n`)
      return 0
    }
  }
  throw new Usage(`unknown user command "${verb}"`)
}

/** Directory attribute (lower case) → domains.create/update field. */
const DOMAIN_FIELDS: Record<string, 'aliases' | 'status' | 'diskQuota' | 'msgQuota'> = {
  associateddomain: 'aliases', inetdomainstatus: 'status', maildomaindiskquota: 'diskQuota', maildomainmsgquota: 'msgQuota',
}

function domainAttrs(d: DomainDetail): Map<string, string[]> {
  const m = new Map<string, string[]>()
  for (const [k, v] of Object.entries(d.attributes)) if (DOMAIN_FIELDS[k.toLowerCase()]) m.set(k.toLowerCase(), v)
  return m
}

function domainChanges(name: string, before: Map<string, string[]>, after: Map<string, string[]>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const unknown: string[] = []
  for (const k of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(k), a = after.get(k)
    if (same(b, a)) continue
    const f = DOMAIN_FIELDS[k]
    if (!f) { unknown.push(k); continue }
    if (f === 'aliases') out.aliases = (a ?? []).map((x) => x.toLowerCase()).filter((x) => x !== name)
    else if (f === 'status') out.status = a?.[0] ?? 'active'
    else out[f] = a?.[0] ?? ''
  }
  if (unknown.length) refuse('domain', unknown)
  return out
}

async function domain(r: ApiRun, verb: string, p: ParsedArgs): Promise<number> {
  const { api, io } = r
  const name = () => need(p, 'd', 'domain').toLowerCase()
  switch (verb) {
    case 'create': {
      const n = name()
      const fields = domainChanges(n, new Map(), new Map(Object.entries(createAttributes(all(p, 'A'))).map(([k, v]) => [k.toLowerCase(), v])))
      const d = await api.domains.create.mutate({ name: n, ...fields } as Parameters<typeof api.domains.create.mutate>[0])
      io.stdout(`OK domain ${d.name} created\n`)
      return 0
    }
    case 'modify': {
      const mods = parseAttributeArgs(all(p, 'A'))
      if (mods.length === 0) throw new Usage('nothing to modify: give -A')
      const d = await api.domains.get.query({ name: name() })
      const before = domainAttrs(d)
      const fields = domainChanges(d.name, before, applyMods(before, mods))
      if (Object.keys(fields).length) await api.domains.update.mutate({ name: d.name, version: d.version, ...fields } as Parameters<typeof api.domains.update.mutate>[0])
      io.stdout(`OK domain ${d.name} modified\n`)
      return 0
    }
    case 'delete': {
      const n = name()
      await api.domains.delete.mutate({ name: n })
      io.stdout(`OK domain ${n} marked deleted\n`)
      return 0
    }
    case 'purge': {
      const n = name()
      await api.domains.purge.mutate({ name: n })
      io.stdout(`OK domain ${n} purged\n`)
      return 0
    }
    case 'show': {
      const d = await api.domains.get.query({ name: name() })
      io.stdout(ldif(undefined, d.attributes, { status: d.status }))
      return 0
    }
    case 'list': {
      const page = await api.domains.list.query({ search: one(p, 't'), limit: count(p), cursor: one(p, 'c') })
      for (const d of page.items) io.stdout(`${d.name}\t${d.status}\t${d.aliases.join(' ')}\n`)
      if (page.nextCursor) io.stdout(`# next: -c ${page.nextCursor}\n`)
      return 0
    }
  }
  throw new Usage(`unknown domain command "${verb}"`)
}

function groupFields(before: Map<string, string[]>, after: Map<string, string[]>): { mail?: string; aliases?: string[] } {
  const out: { mail?: string; aliases?: string[] } = {}
  const unknown: string[] = []
  for (const k of new Set([...before.keys(), ...after.keys()])) {
    if (same(before.get(k), after.get(k))) continue
    if (k === 'mail') out.mail = after.get(k)?.[0] ?? ''
    else if (k === 'mailalternateaddress') out.aliases = after.get(k) ?? []
    else unknown.push(k)
  }
  if (unknown.length) refuse('group', unknown)
  return out
}

const groupLabel = (g: GroupDetail) => g.mail || g.cn

async function group(r: ApiRun, verb: string, p: ParsedArgs): Promise<number> {
  const { api, io } = r
  const key = () => ({ cn: need(p, 'G', 'group'), domain: domainOf(r, p) })
  const current = (g: GroupDetail) => new Map<string, string[]>([...(g.mail ? [['mail', [g.mail]] as [string, string[]]] : []), ...(g.aliases.length ? [['mailalternateaddress', g.aliases] as [string, string[]]] : [])])
  switch (verb) {
    case 'create': {
      const attrs = new Map(Object.entries(createAttributes(all(p, 'A'))).map(([k, v]) => [k.toLowerCase(), v]))
      const fields = groupFields(new Map(), attrs)
      const g = await api.groups.create.mutate({ ...key(), members: all(p, 'm'), ...(fields.mail ? { mail: fields.mail } : {}), ...(fields.aliases ? { aliases: fields.aliases } : {}) })
      io.stdout(`OK group ${groupLabel(g)} created\n`)
      return 0
    }
    case 'modify': {
      const mods = parseAttributeArgs(all(p, 'A'))
      if (mods.length === 0) throw new Usage('nothing to modify: give -A')
      const g = await api.groups.get.query(key())
      const before = current(g)
      const fields = groupFields(before, applyMods(before, mods))
      const after = Object.keys(fields).length ? await api.groups.update.mutate({ cn: g.cn, domain: g.domain, version: g.version, ...fields }) : g
      io.stdout(`OK group ${groupLabel(after)} modified\n`)
      return 0
    }
    case 'add-member':
    case 'remove-member': {
      const given = all(p, 'm')
      if (given.length === 0) throw new Usage('-m member is required')
      const g = await api.groups.get.query(key())
      const has = (m: string) => g.members.some((x) => x.toLowerCase() === m.toLowerCase())
      let members: string[]
      if (verb === 'add-member') members = [...g.members, ...given.filter((m) => !has(m))]
      else {
        const missing = given.filter((m) => !has(m))
        if (missing.length) throw new NotThroughApi(`members: ${missing.join(', ')} ${missing.length > 1 ? 'are not members' : 'is not a member'} of ${groupLabel(g)}`)
        members = g.members.filter((x) => !given.some((m) => m.toLowerCase() === x.toLowerCase()))
      }
      const after = await api.groups.update.mutate({ cn: g.cn, domain: g.domain, version: g.version, members })
      io.stdout(`OK group ${groupLabel(after)} has ${after.memberCount} members\n`)
      return 0
    }
    case 'delete': {
      const g = await api.groups.delete.mutate(key())
      io.stdout(`OK group ${g.mail || g.cn} marked deleted\n`)
      return 0
    }
    case 'purge': {
      const k = key()
      await api.groups.purge.mutate(k)
      io.stdout(`OK group ${k.domain ? `${k.cn}@${k.domain}` : k.cn} purged\n`)
      return 0
    }
    case 'show': {
      const g = await api.groups.get.query(key())
      const attrs: Record<string, string[]> = { cn: [g.cn], ...(g.mail ? { mail: [g.mail] } : {}), ...(g.aliases.length ? { mailAlternateAddress: g.aliases } : {}) }
      io.stdout(ldif(undefined, attrs, { status: g.status, ...(g.members.length ? { members: g.members.join(' ') } : {}) }))
      return 0
    }
    case 'search': {
      const status = statusArg(p)
      const page = await api.groups.list.query({ domain: one(p, 'd'), search: one(p, 't'), limit: count(p), cursor: one(p, 'c') })
      // groups.list has no status filter: -s filters the page (a page may then hold fewer than -n rows)
      for (const g of page.items) if (!status || g.status === status) io.stdout(`${g.cn}@${g.domain}\t${g.status}\t${g.mail}\n`)
      if (page.nextCursor) io.stdout(`# next: -c ${page.nextCursor}\n`)
      return 0
    }
  }
  throw new Usage(`unknown group command "${verb}"`)
}

async function importFile(r: ApiRun, p: ParsedArgs): Promise<number> {
  const { api, io } = r
  const file = need(p, 'f', 'file')
  const text = file === '-' ? (await io.readStdin()).toString('utf8') : readFileSync(resolve(io.cwd, file), 'utf8')
  const ext = extname(file).toLowerCase()
  const isLdif = ext === '.ldif' || (ext !== '.csv' && /^(version:|dn:)/im.test(text.trimStart()))
  const rep = await api.users.import.mutate({ format: isLdif ? 'ldif' : 'csv', text, ...(one(p, 'd') ? { domain: one(p, 'd') } : {}) })
  for (const row of rep.rows as Array<typeof rep.rows[number] & { action?: string }>) {
    if (row.ok) io.stdout(`row ${row.line}: OK ${row.action ?? 'done'} ${row.key}\n`)
    else io.stdout(`row ${row.line}: ERROR ${row.key}: ${row.error}\n`)
  }
  io.stdout(`${rep.rows.length - rep.failed} ok, ${rep.failed} failed\n`)
  return rep.failed ? 1 : 0
}

export async function runViaApi(r: ApiRun, object: string, verb: string, p: ParsedArgs): Promise<number> {
  if (object === 'user') return user(r, verb, p)
  if (object === 'domain') return domain(r, verb, p)
  if (object === 'group') return group(r, verb, p)
  return importFile(r, p)
}
