/**
 * Authenticated-state commands on mailboxes (RFC 3501 §6.3): SELECT/EXAMINE (+ CONDSTORE/QRESYNC,
 * RFC 7162 §3.2.5), CREATE (RFC 6154 USE), DELETE, RENAME, (UN)SUBSCRIBE, LIST (RFC 5258/5819/6154),
 * LSUB, STATUS, APPEND (RFC 4315 APPENDUID), QUOTA (RFC 9208), ACL (RFC 4314), CLOSE, UNSELECT (RFC 3691).
 */
import type { MailboxListEntry, MailboxName, MailboxStatus, SpecialUse } from '@wren/store'
import type { Command, StatusItem } from '../protocol/commands.js'
import { astr, mailboxOut } from '../protocol/encode.js'
import { headerValue } from '../protocol/sections.js'
import { flagList, SYSTEM_FLAGS } from './flags.js'
import { OTHER_PREFIX, PUBLIC_PREFIX, SHARED_ROOT, patternRegExp, toStoreName, toWire, visibleName } from './names.js'
import { optBool } from './options.js'
import { formatUids, SelectedMailbox } from './selected.js'
import { Reply, type ImapSession } from './session.js'
import { transactLog } from './transact-log.js'
import { parseQuotaRoot, setQuotaLimits, SUPPORTED_RESOURCES } from './setquota.js'

type C<N extends Command['name']> = Extract<Command, { name: N }>

export function publicUser(s: ImapSession): string {
  return String(s.config.find('store.publicsharedfolders.user') ?? '')
}

export function storeName(s: ImapSession, wire: string): MailboxName {
  return toStoreName(wire, publicUser(s))
}

export async function runMailboxCommand(s: ImapSession, cmd: Command): Promise<string | null> {
  const mail = s.mail!
  switch (cmd.name) {
    case 'SELECT': case 'EXAMINE': return select(s, cmd)
    case 'CLOSE': case 'UNSELECT': {
      const sel = s.selected!
      if (cmd.name === 'CLOSE' && !sel.readOnly && sel.view.rights.includes('e')) {
        // RFC 3501 §6.4.2: CLOSE expunges silently.
        try { await sel.view.expunge() } catch { /* still close */ }
      }
      sel.close()
      s.selected = undefined
      s.state = 'auth'
      return `${cmd.name} completed`
    }
    case 'CREATE': {
      let wire = cmd.mailbox
      if (wire.endsWith('/')) wire = wire.slice(0, -1) // RFC 3501 §6.3.3 trailing separator
      const name = storeName(s, wire)
      if (name === 'INBOX') throw new Reply('NO', 'INBOX already exists', 'ALREADYEXISTS')
      const specialUse = cmd.use[0] as SpecialUse | undefined
      if (specialUse && !['\\Sent', '\\Drafts', '\\Trash', '\\Junk', '\\Archive', '\\All', '\\Flagged'].includes(specialUse)) {
        throw new Reply('NO', `Unsupported special-use attribute ${specialUse}`, 'USEATTR')
      }
      mail.create(name, specialUse ? { specialUse } : undefined)
      transactLog(s, 'mc', { ma: wire })
      return 'CREATE completed'
    }
    case 'DELETE': {
      const name = storeName(s, cmd.mailbox)
      if (name === 'INBOX') throw new Reply('NO', 'INBOX cannot be deleted', 'CANNOT')
      await mail.delete(name)
      transactLog(s, 'md', { ma: cmd.mailbox })
      return 'DELETE completed'
    }
    case 'RENAME': {
      await mail.rename(storeName(s, cmd.mailbox), storeName(s, cmd.newName))
      transactLog(s, 'mr', { ma: cmd.newName, om: cmd.mailbox })
      return 'RENAME completed'
    }
    case 'SUBSCRIBE':
      mail.subscribe(storeName(s, cmd.mailbox))
      transactLog(s, 'ms', { ma: cmd.mailbox })
      return 'SUBSCRIBE completed'
    case 'UNSUBSCRIBE':
      mail.unsubscribe(storeName(s, cmd.mailbox))
      transactLog(s, 'mu', { ma: cmd.mailbox })
      return 'UNSUBSCRIBE completed'
    case 'LIST': return list(s, cmd)
    case 'LSUB': return lsub(s, cmd)
    case 'STATUS': {
      const st = mail.status(storeName(s, cmd.mailbox))
      s.sendLine(`* STATUS ${mailboxOut(cmd.mailbox)} (${statusItems(st, cmd.items)})`)
      if (cmd.items.includes('HIGHESTMODSEQ')) s.condstore = true
      return 'STATUS completed'
    }
    case 'APPEND': return append(s, cmd)
    case 'GETQUOTAROOT': {
      const roots = await mail.getQuotaRoots(storeName(s, cmd.mailbox)) // (the user's directory limits, resolved now: spec 03 §4)
      s.sendLine(`* QUOTAROOT ${mailboxOut(cmd.mailbox)}${roots.map((r) => ' ' + astr(r.root)).join('')}`)
      for (const r of roots) s.sendLine(`* QUOTA ${astr(r.root)} (${quotaResources(r)})`)
      return 'GETQUOTAROOT completed'
    }
    case 'GETQUOTA': {
      const m = /^user\/([^/]+)/.exec(cmd.root)
      if (!m) throw new Reply('NO', 'No such quota root', 'NONEXISTENT')
      const owner = m[1]
      const roots = await mail.getQuotaRoots(owner === s.userid ? 'INBOX' : { owner, folder: 'INBOX' })
      const r = roots.find((x) => x.root === cmd.root)
      if (!r) throw new Reply('NO', 'No such quota root', 'NONEXISTENT')
      s.sendLine(`* QUOTA ${astr(r.root)} (${quotaResources(r)})`)
      return 'GETQUOTA completed'
    }
    case 'SETQUOTA': return setQuota(s, cmd)
    case 'GETACL': {
      const acl = mail.getAcl(storeName(s, cmd.mailbox))
      s.sendLine(`* ACL ${mailboxOut(cmd.mailbox)}${acl.map((a) => ` ${astr(a.identifier)} ${astr(a.rights)}`).join('')}`)
      return 'GETACL completed'
    }
    case 'SETACL': {
      mail.setAcl(storeName(s, cmd.mailbox), cmd.identifier, cmd.rights)
      transactLog(s, 'ac', { ma: cmd.mailbox })
      return 'SETACL completed'
    }
    case 'DELETEACL':
      mail.deleteAcl(storeName(s, cmd.mailbox), cmd.identifier)
      return 'DELETEACL completed'
    case 'LISTRIGHTS': {
      const r = mail.listRights(storeName(s, cmd.mailbox), cmd.identifier)
      s.sendLine(`* LISTRIGHTS ${mailboxOut(cmd.mailbox)} ${astr(cmd.identifier)} ${r.map((x) => (x === '' ? '""' : astr(x))).join(' ')}`)
      return 'LISTRIGHTS completed'
    }
    case 'MYRIGHTS': {
      const r = mail.myRights(storeName(s, cmd.mailbox))
      s.sendLine(`* MYRIGHTS ${mailboxOut(cmd.mailbox)} ${r === '' ? '""' : astr(r)}`)
      return 'MYRIGHTS completed'
    }
    default:
      throw new Reply('BAD', `Unexpected command ${cmd.name}`)
  }
}

/** SETQUOTA (RFC 9208 §4.1.3): store administrators set the directory's mailQuota / mailMsgQuota. */
async function setQuota(s: ImapSession, cmd: C<'SETQUOTA'>): Promise<string> {
  const mail = s.mail!
  if (!mail.isAdmin) throw new Reply('NO', 'Permission denied', 'NOPERM')
  const dir = s.deps.quotaDirectory
  if (!dir) throw new Reply('NO', 'Quota limits are managed in the directory (mailQuota, mailMsgQuota)', 'CANNOT')
  const bad = cmd.limits.find((l) => !SUPPORTED_RESOURCES.has(l.resource))
  if (bad) throw new Reply('NO', `Unsupported quota resource ${bad.resource}`)
  const root = parseQuotaRoot(cmd.root)
  if (!root) throw new Reply('NO', 'No such quota root', 'NONEXISTENT')
  const ref = { owner: root.owner, folder: root.folder || 'INBOX' }
  if (!(root.owner === s.userid ? mail.get('INBOX') : mail.get(ref))) throw new Reply('NO', 'No such quota root', 'NONEXISTENT')
  if (root.folder && !mail.get(ref)) throw new Reply('NO', 'No such quota root', 'NONEXISTENT')
  try {
    const ok = await setQuotaLimits(dir, root.owner, root.folder, cmd.limits, { actor: s.userid, source: 'imap', sourceIp: s.remote })
    if (!ok) throw new Reply('NO', 'No such quota root', 'NONEXISTENT')
  } catch (e) {
    if (e instanceof Reply) throw e
    s.deps.logger.error('Account', `SETQUOTA ${cmd.root} by ${s.userid} failed: ${(e as Error).message}`)
    throw new Reply('NO', `Quota not changed: ${(e as Error).message}`)
  }
  const roots = await mail.getQuotaRoots(root.owner === s.userid && !root.folder ? 'INBOX' : ref)
  const r = roots.find((x) => x.root === cmd.root) ?? roots[0]
  if (r) s.sendLine(`* QUOTA ${astr(cmd.root)} (${quotaResources(r)})`)
  return 'SETQUOTA completed'
}

function quotaResources(r: { storageUsed: number; storageLimit: number; messagesUsed: number; messagesLimit: number }): string {
  // RFC 9208 §5.1: STORAGE in units of 1024 octets
  const out: string[] = []
  if (r.storageLimit >= 0) out.push(`STORAGE ${Math.ceil(r.storageUsed / 1024)} ${Math.floor(r.storageLimit / 1024)}`)
  if (r.messagesLimit >= 0) out.push(`MESSAGE ${r.messagesUsed} ${r.messagesLimit}`)
  return out.join(' ')
}

export function statusItems(st: MailboxStatus, items: StatusItem[]): string {
  const v: Record<StatusItem, number> = {
    MESSAGES: st.messages, RECENT: st.recent, UIDNEXT: st.uidNext, UIDVALIDITY: st.uidValidity,
    UNSEEN: st.unseen, HIGHESTMODSEQ: st.highestModseq, SIZE: st.size,
  }
  return items.map((i) => `${i} ${v[i]}`).join(' ')
}

async function select(s: ImapSession, cmd: C<'SELECT' | 'EXAMINE'>): Promise<string> {
  const readOnly = cmd.name === 'EXAMINE'
  if (cmd.qresync && !s.qresync) throw new Reply('BAD', 'QRESYNC must be enabled first (ENABLE QRESYNC)')
  if (cmd.condstore && !optBool(s.config, 'imap.capability_condstore')) throw new Reply('BAD', 'CONDSTORE is not enabled')
  if (s.selected) {
    s.selected.close()
    s.selected = undefined
    s.state = 'auth'
    // RFC 7162 §3.2.11
    if (s.qresync) s.sendLine('* OK [CLOSED] Previous mailbox closed')
  }
  const name = storeName(s, cmd.mailbox)
  const view = s.mail!.open(name, { readOnly })
  const sel = new SelectedMailbox(view, readOnly || view.readOnly, s.onMailboxNotice)
  if (cmd.condstore) s.condstore = true
  const info = view.info
  s.sendLine(`* FLAGS (${SYSTEM_FLAGS.join(' ')})`)
  const canWrite = !sel.readOnly && /[wst]/.test(view.rights)
  s.sendLine(`* OK [PERMANENTFLAGS (${canWrite ? permanentFlags(view.rights) : ''})] Flags permitted`)
  s.sendLine(`* ${sel.count} EXISTS`)
  s.sendLine(`* ${sel.recent.size} RECENT`)
  const firstUnseen = firstUnseenSeq(sel)
  if (firstUnseen) s.sendLine(`* OK [UNSEEN ${firstUnseen}] First unseen message`)
  s.sendLine(`* OK [UIDVALIDITY ${info.uidValidity}] UIDs valid`)
  s.sendLine(`* OK [UIDNEXT ${info.uidNext}] Predicted next UID`)
  if (optBool(s.config, 'imap.capability_condstore')) s.sendLine(`* OK [HIGHESTMODSEQ ${info.highestModseq}] Highest`)
  if (cmd.qresync && cmd.qresync.uidValidity === info.uidValidity) {
    const ch = view.changesSince(cmd.qresync.modseq)
    let vanished = ch.vanished
    if (cmd.qresync.knownUids) {
      const known = cmd.qresync.knownUids
      vanished = vanished.filter((u) => known.ranges.some((r) => u >= r.from && u <= r.to))
    }
    if (vanished.length) s.sendLine(`* VANISHED (EARLIER) ${formatUids(vanished)}`)
    for (const e of ch.changed) {
      const i = sel.indexOf(e.uid)
      if (i >= 0) s.sendLine(`* ${i + 1} FETCH (UID ${e.uid} FLAGS ${flagList(e, sel.recent.has(e.uid))} MODSEQ (${e.modseq}))`)
    }
  }
  s.selected = sel
  s.state = 'selected'
  s.mailboxesSelected++
  transactLog(s, 'sl', { ma: cmd.mailbox })
  return `[${sel.readOnly ? 'READ-ONLY' : 'READ-WRITE'}] ${cmd.name} completed`
}

function permanentFlags(rights: string): string {
  const f: string[] = []
  if (rights.includes('w')) f.push('\\Answered', '\\Flagged')
  if (rights.includes('t')) f.push('\\Deleted')
  if (rights.includes('s')) f.push('\\Seen')
  if (rights.includes('w')) f.push('\\Draft', '\\*')
  return f.join(' ')
}

function firstUnseenSeq(sel: SelectedMailbox): number {
  // RFC 3501 §6.3.1 [UNSEEN n]: the first message without \Seen. The store finds it without loading
  // flag rows; a uid the session does not show yet (arrived meanwhile) moves the search past it.
  let from = 1
  for (;;) {
    const uid = sel.view.firstUnseenUid(from)
    if (!uid || uid > sel.maxUid) return 0
    const k = sel.indexOf(uid)
    if (k >= 0) return k + 1
    from = uid + 1
  }
}

interface ListRow { name: string; attrs: Set<string>; entry?: MailboxListEntry }

/** Builds the visible tree: store entries plus placeholder parents ("Shared Folders", owners…). */
function buildTree(s: ImapSession, entries: MailboxListEntry[]): Map<string, ListRow> {
  const rows = new Map<string, ListRow>()
  for (const e of entries) {
    const name = visibleName(e)
    const attrs = new Set<string>()
    if (e.nonExistent) attrs.add('\\NonExistent').add('\\Noselect')
    if (e.specialUse) attrs.add(e.specialUse)
    if (e.subscribed) attrs.add('\\Subscribed')
    rows.set(name, { name, attrs, entry: e })
  }
  for (const name of [...rows.keys()]) {
    const segs = name.split('/')
    for (let i = 1; i < segs.length; i++) {
      const parent = segs.slice(0, i).join('/')
      let row = rows.get(parent)
      if (!row) {
        row = { name: parent, attrs: new Set(['\\Noselect']) }
        rows.set(parent, row)
      }
      row.attrs.add('\\HasChildren')
    }
  }
  for (const row of rows.values()) if (!row.attrs.has('\\HasChildren')) row.attrs.add('\\HasNoChildren')
  void s
  return rows
}

function canonicalPattern(reference: string, pattern: string): string {
  if (!reference) return pattern
  return reference.endsWith('/') || pattern.startsWith('/') ? reference + pattern : reference + '/' + pattern
}

async function list(s: ImapSession, cmd: C<'LIST'>): Promise<string> {
  if (cmd.patterns.length === 1 && cmd.patterns[0] === '' && !cmd.extended) {
    // RFC 3501 §6.3.8: the hierarchy delimiter and root
    s.sendLine(`* LIST (\\Noselect) "/" ""`)
    return 'LIST completed'
  }
  const subscribedOnly = cmd.selection.includes('SUBSCRIBED')
  const specialOnly = cmd.selection.includes('SPECIAL-USE')
  const showSubscribed = subscribedOnly || cmd.returns.includes('SUBSCRIBED')
  const patterns = cmd.patterns.map((p) => decodePattern(canonicalPattern(cmd.reference, p)))
  const includeShared = optBool(s.config, 'store.sharedfolders') && patterns.some((p) => couldMatchShared(p))
  const entries = s.mail!.list({ pattern: '*', includeShared, subscribedOnly })
  const rows = buildTree(s, entries)
  const res = patterns.map(patternRegExp)
  const out: ListRow[] = []
  for (const row of rows.values()) {
    if (!res.some((re) => re.test(row.name))) continue
    if (!row.entry) {
      // A placeholder is shown only where a `%` stops at it (RFC 3501 §6.3.8), never with `*`.
      const hiddenChild = [...rows.keys()].some((n) => n.startsWith(row.name + '/') && !res.some((re) => re.test(n)))
      if (!hiddenChild) continue
    }
    if (specialOnly && !(row.entry?.specialUse)) continue
    out.push(row)
  }
  out.sort((a, b) => (a.name === 'INBOX' ? -1 : b.name === 'INBOX' ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const row of out) {
    const attrs = [...row.attrs].filter((a) => a !== '\\Subscribed' || showSubscribed)
    s.sendLine(`* LIST (${attrs.join(' ')}) "/" ${mailboxOut(toWire(row.name))}`)
    if (cmd.statusItems.length && row.entry && !row.entry.nonExistent) {
      // RFC 5819: STATUS right after its LIST line; errors are silently skipped.
      try {
        const st = s.mail!.status(row.entry.own ? row.entry.folder : { owner: row.entry.owner, folder: row.entry.folder })
        s.sendLine(`* STATUS ${mailboxOut(toWire(row.name))} (${statusItems(st, cmd.statusItems)})`)
      } catch { /* no status for this one */ }
    }
  }
  return 'LIST completed'
}

async function lsub(s: ImapSession, cmd: C<'LSUB'>): Promise<string> {
  const pattern = decodePattern(canonicalPattern(cmd.reference, cmd.patterns[0]))
  const entries = s.mail!.list({ pattern: '*', includeShared: couldMatchShared(pattern), subscribedOnly: true })
  const re = patternRegExp(pattern)
  const names = entries.map(visibleName).filter((n) => re.test(n)).sort()
  for (const n of names) s.sendLine(`* LSUB () "/" ${mailboxOut(toWire(n))}`)
  return 'LSUB completed'
}

function decodePattern(p: string): string {
  try {
    return toStoreNameSafe(p)
  } catch {
    return p
  }
}

function toStoreNameSafe(p: string): string {
  // Wildcards are ASCII; decode any modified UTF-7 runs.
  return p.replace(/&[^-]*-/g, (m) => {
    const r = toStoreName(m === '&-' ? '&-' : m, '')
    return typeof r === 'string' ? r : m
  })
}

/** Shared folders are looked up only when the pattern can reach "Shared Folders/…". */
function couldMatchShared(pattern: string): boolean {
  const head = pattern.split(/[*%]/)[0]
  return SHARED_ROOT.startsWith(head) || head.startsWith(SHARED_ROOT) || OTHER_PREFIX.startsWith(head) || PUBLIC_PREFIX.startsWith(head)
}

async function append(s: ImapSession, cmd: C<'APPEND'>): Promise<string> {
  const name = storeName(s, cmd.mailbox)
  const all = [{ flags: cmd.flags, date: cmd.date, message: cmd.message }, ...cmd.more]
  let res
  try {
    // MULTIAPPEND (RFC 3502 §6.3.11): all messages or none.
    res = await s.mail!.appendMany(name, all.map((m) => ({ message: m.message, opts: { flags: m.flags, internalDate: m.date } })))
  } catch (e) {
    // spec 01 §25: qe = quota exceeded
    if ((e as { code?: string }).code === 'OVERQUOTA') transactLog(s, 'qe', { ma: cmd.mailbox, sz: all.reduce((n, m) => n + m.message.length, 0) })
    throw e
  }
  res.forEach((r, i) => {
    if (s.log.enabled('Information')) {
      const m = all[i]!.message
      const msgid = headerValue(m.subarray(0, Math.min(m.length, 64 * 1024)), 'message-id') ?? ''
      // spec 01 §24: Store Information:append:user1:user/user1:659:<msgid>
      s.log.info('Store', `append:${s.userid}:${r.mailbox.fullName}:${r.size}:${msgid}`)
    }
    transactLog(s, 'ma', { ma: r.mailbox.fullName, sz: r.size, ui: r.uid, uv: r.uidValidity })
  })
  // RFC 4315 §3: APPENDUID with the uid-set of every appended message.
  return `[APPENDUID ${res[0]!.uidValidity} ${formatUids(res.map((r) => r.uid))}] APPEND completed`
}

