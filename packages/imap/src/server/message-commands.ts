/**
 * Selected-state commands (RFC 3501 §6.4): FETCH (RFC 3516 BINARY, RFC 7162 CHANGEDSINCE/VANISHED),
 * STORE (UNCHANGEDSINCE), SEARCH (RFC 4731 ESEARCH, RFC 5182 SEARCHRES), SORT (RFC 5256), COPY,
 * MOVE (RFC 6851), EXPUNGE, UID EXPUNGE (RFC 4315).
 */
import type { FlagEntry } from '@wren/store'
import type { Command } from '../protocol/commands.js'
import { mailboxOut } from '../protocol/encode.js'
import type { SeqSet } from '../protocol/seqset.js'
import { seqIndexes, uidIndexes } from '../protocol/seqset.js'
import { usesModseq } from '../protocol/search.js'
import { runFetch } from './fetch-exec.js'
import { storeName } from './mailbox-commands.js'
import { evaluateSearch, sortMessages } from './search-exec.js'
import { formatUids, type SelectedMailbox } from './selected.js'
import { Reply, type ImapSession } from './session.js'
import { flagList } from './flags.js'
import { transactLog } from './transact-log.js'
import { ImapParseError } from '../protocol/reader.js'

type C<N extends Command['name']> = Extract<Command, { name: N }>

/** Resolves a set to 0-based indexes in the session's sequence (UID or message numbers; `$` = saved). */
export function resolveSet(sel: SelectedMailbox, set: SeqSet, uid: boolean): number[] {
  if (set.saved) {
    return sel.saved.map((u) => sel.indexOf(u)).filter((i) => i >= 0)
  }
  if (uid) return uidIndexes(set, sel.uids())
  try {
    return seqIndexes(set, sel.count)
  } catch (e) {
    if (e instanceof ImapParseError) throw new Reply('BAD', e.message)
    throw e
  }
}

export async function runMessageCommand(s: ImapSession, cmd: Command): Promise<string | null> {
  const sel = s.selected!
  switch (cmd.name) {
    case 'FETCH':
      if (cmd.changedSince !== undefined) s.condstore = true
      await runFetch(s, sel, cmd, resolveSet(sel, cmd.set, cmd.uid))
      return `${cmd.uid ? 'UID ' : ''}FETCH completed`
    case 'STORE': return store(s, sel, cmd)
    case 'SEARCH': return search(s, sel, cmd)
    case 'SORT': return sort(s, sel, cmd)
    case 'COPY': case 'MOVE': return copyMove(s, sel, cmd)
    case 'EXPUNGE': case 'UIDEXPUNGE': {
      if (sel.readOnly) throw new Reply('NO', 'Mailbox is read-only', 'READ-ONLY')
      if (!sel.view.rights.includes('e')) throw new Reply('NO', 'Permission denied', 'NOPERM')
      let uids: number[] | undefined
      if (cmd.name === 'UIDEXPUNGE') uids = resolveSet(sel, cmd.set, true).map((i) => sel.uidAt(i))
      const gone = await sel.view.expunge(uids)
      for (const l of sel.expungeLines(gone, s.qresync)) s.sendLine(l)
      if (gone.length) transactLog(s, 'ex', { ma: sel.view.info.fullName, no: gone.length })
      return `${cmd.name === 'UIDEXPUNGE' ? 'UID EXPUNGE' : 'EXPUNGE'} completed`
    }
    default:
      throw new Reply('BAD', `Unexpected command ${(cmd as Command).name}`)
  }
}

async function store(s: ImapSession, sel: SelectedMailbox, cmd: C<'STORE'>): Promise<string> {
  if (sel.readOnly) throw new Reply('NO', 'Mailbox is read-only', 'READ-ONLY')
  if (cmd.unchangedSince !== undefined) s.condstore = true
  const idx = resolveSet(sel, cmd.set, cmd.uid)
  const uids = idx.map((i) => sel.uidAt(i)).filter((u) => !sel.isExpunged(u))
  const mode = cmd.op === '+' ? 'add' : cmd.op === '-' ? 'remove' : 'replace'
  const res = uids.length
    ? sel.view.storeFlags(uids, { mode, flags: cmd.flags, unchangedSince: cmd.unchangedSince })
    : { updated: [] as FlagEntry[], modified: [] as number[], highestModseq: sel.modseq }
  sel.noteOwn(res.updated)
  const updated = new Map(res.updated.map((e) => [e.uid, e]))
  // RFC 3501 §6.4.6: untagged FETCH with the new flags unless .SILENT; RFC 7162 §3.1.3: with
  // UNCHANGEDSINCE the FETCH (MODSEQ) is sent even for .SILENT.
  for (const u of uids) {
    const e = updated.get(u)
    if (!e) continue
    const seq = sel.indexOf(u) + 1
    const parts: string[] = []
    if (cmd.uid || s.condstore) parts.push(`UID ${u}`)
    if (!cmd.silent) parts.push(`FLAGS ${flagList(e, sel.recent.has(u))}`)
    if (s.condstore) parts.push(`MODSEQ (${e.modseq})`)
    if (!cmd.silent || s.condstore && cmd.unchangedSince !== undefined) s.sendLine(`* ${seq} FETCH (${parts.join(' ')})`)
  }
  if (!cmd.silent && res.updated.length < uids.length) {
    // Messages whose flags did not change still get their current flags (RFC 3501 §6.4.6).
    const unchanged = uids.filter((u) => !updated.has(u) && !res.modified.includes(u))
    for (const e of unchanged.length ? sel.view.flagsOf(unchanged) : []) {
      const parts = [`FLAGS ${flagList(e, sel.recent.has(e.uid))}`]
      if (cmd.uid || s.condstore) parts.unshift(`UID ${e.uid}`)
      if (s.condstore) parts.push(`MODSEQ (${e.modseq})`)
      s.sendLine(`* ${sel.indexOf(e.uid) + 1} FETCH (${parts.join(' ')})`)
    }
  }
  if (res.modified.length) {
    const list = cmd.uid ? formatUids(res.modified) : formatUids(res.modified.map((u) => sel.indexOf(u) + 1).sort((a, b) => a - b))
    return `[MODIFIED ${list}] Conditional STORE failed`
  }
  return `${cmd.uid ? 'UID ' : ''}STORE completed`
}

async function search(s: ImapSession, sel: SelectedMailbox, cmd: C<'SEARCH'>): Promise<string> {
  const modseqKey = usesModseq(cmd.key)
  if (modseqKey) s.condstore = true
  const { indexes, modseq } = await evaluateSearch(s, sel, cmd.key, modseqKey)
  const uids = indexes.map((i) => sel.uidAt(i))
  const nums = cmd.uid ? uids : indexes.map((i) => i + 1)
  if (cmd.returns) {
    // RFC 4731 ESEARCH; RFC 5182 SAVE
    const opts = cmd.returns.length ? cmd.returns : ['ALL']
    if (opts.includes('SAVE')) sel.saved = uids
    const only = opts.filter((o) => o !== 'SAVE')
    if (only.length || !opts.includes('SAVE')) {
      const parts: string[] = []
      if (only.includes('MIN') && nums.length) parts.push(`MIN ${nums[0]}`)
      if (only.includes('MAX') && nums.length) parts.push(`MAX ${nums[nums.length - 1]}`)
      if (only.includes('ALL') && nums.length) parts.push(`ALL ${formatUids(nums)}`)
      if (only.includes('COUNT')) parts.push(`COUNT ${nums.length}`)
      if (modseqKey && nums.length) parts.push(`MODSEQ ${modseq}`)
      s.sendLine(`* ESEARCH (TAG "${tagOf(s)}")${cmd.uid ? ' UID' : ''}${parts.length ? ' ' + parts.join(' ') : ''}`)
    }
  } else {
    s.sendLine(`* SEARCH${nums.length ? ' ' + nums.join(' ') : ''}${modseqKey && nums.length ? ` (MODSEQ ${modseq})` : ''}`)
  }
  return `${cmd.uid ? 'UID ' : ''}SEARCH completed`
}

async function sort(s: ImapSession, sel: SelectedMailbox, cmd: C<'SORT'>): Promise<string> {
  const { indexes } = await evaluateSearch(s, sel, cmd.key, false)
  const sorted = await sortMessages(sel, indexes, cmd.criteria)
  const nums = cmd.uid ? sorted.map((i) => sel.uidAt(i)) : sorted.map((i) => i + 1)
  if (cmd.returns) {
    const parts: string[] = []
    if (cmd.returns.includes('SAVE')) sel.saved = sorted.map((i) => sel.uidAt(i)).sort((a, b) => a - b)
    if (cmd.returns.includes('MIN') && nums.length) parts.push(`MIN ${Math.min(...nums)}`)
    if (cmd.returns.includes('MAX') && nums.length) parts.push(`MAX ${Math.max(...nums)}`)
    if ((cmd.returns.includes('ALL') || cmd.returns.length === 0) && nums.length) parts.push(`ALL ${nums.join(',')}`)
    if (cmd.returns.includes('COUNT')) parts.push(`COUNT ${nums.length}`)
    s.sendLine(`* ESEARCH (TAG "${tagOf(s)}")${cmd.uid ? ' UID' : ''}${parts.length ? ' ' + parts.join(' ') : ''}`)
  } else {
    s.sendLine(`* SORT${nums.length ? ' ' + nums.join(' ') : ''}`)
  }
  return `${cmd.uid ? 'UID ' : ''}SORT completed`
}

function tagOf(s: ImapSession): string {
  return s.currentTag.replace(/["\\]/g, '')
}

async function copyMove(s: ImapSession, sel: SelectedMailbox, cmd: C<'COPY' | 'MOVE'>): Promise<string> {
  const idx = resolveSet(sel, cmd.set, cmd.uid)
  const uids = idx.map((i) => sel.uidAt(i)).filter((u) => !sel.isExpunged(u))
  const dest = storeName(s, cmd.mailbox)
  if (cmd.name === 'MOVE' && sel.readOnly) throw new Reply('NO', 'Mailbox is read-only', 'READ-ONLY')
  if (!uids.length) {
    if (!s.mail!.get(dest)) throw new Reply('NO', 'Mailbox does not exist', 'TRYCREATE')
    return `${cmd.uid ? 'UID ' : ''}${cmd.name} completed`
  }
  if (cmd.name === 'COPY') {
    const r = await sel.view.copy(uids, dest)
    transactLog(s, 'ma', { ma: mailboxOut(cmd.mailbox), no: r.destUids.length })
    return `[COPYUID ${r.uidValidity} ${formatUids(r.sourceUids)} ${formatUids(r.destUids)}] ${cmd.uid ? 'UID ' : ''}COPY completed`
  }
  const r = await sel.view.move(uids, dest)
  // RFC 6851 §4.3: COPYUID in an untagged OK before the expunges
  s.sendLine(`* OK [COPYUID ${r.uidValidity} ${formatUids(r.sourceUids)} ${formatUids(r.destUids)}] Moved`)
  for (const l of sel.expungeLines(r.sourceUids, s.qresync)) s.sendLine(l)
  return `${cmd.uid ? 'UID ' : ''}MOVE completed`
}

