// Bulk import (issue 3 §3) from CSV or LDIF with a per-row report. Each row is one provisioning call:
// a bad row is reported and changes nothing; the other rows still run.
//
// CSV: a header row names the columns. `type` (user | group | domain; default user), `uid`, `cn`,
// `domain`, `password`, `members` and `aliases` are special; every other column is an attribute name
// (`mailQuota`, `mailAlternateAddress`, `cn;lang-fr`…). Several values in one cell are separated by `|`.
// Empty cells are ignored.
// LDIF: content records (or `changetype: add`) create entries by object class — domains
// (mailDomain / sunManagedOrganization), users (inetOrgPerson / inetMailUser), groups
// (inetMailGroup / groupOfUniqueNames); organisational units and the suffix are skipped.
// `changetype: modify` modifies and `changetype: delete` marks deleted, as commadmin does.
import type { Directory, Actor, ImportReport, ImportRowResult, Modification } from './types.js'
import { DirectoryError } from './types.js'
import { parseCsv } from './csv.js'
import { parseLdif, type LdifRecord } from './ldif.js'
import { parseDn } from './dn.js'

export interface ImportOptions {
  actor: Actor
}

function failure(err: unknown): ImportRowResult['error'] {
  if (err instanceof DirectoryError) return { code: err.code, message: err.message }
  return { code: 'invalid-value', message: (err as Error).message ?? String(err) }
}

function report(rows: ImportRowResult[]): ImportReport {
  return { rows, ok: rows.filter((r) => r.ok).length, failed: rows.filter((r) => !r.ok).length }
}

const split = (v: string) => v.split('|').map((x) => x.trim()).filter(Boolean)

export async function importCsv(dir: Directory, text: string, opts: ImportOptions): Promise<ImportReport> {
  const rows = parseCsv(text)
  const out: ImportRowResult[] = []
  if (rows.length === 0) return report(out)
  const header = rows[0]!.fields.map((h) => h.trim())
  const seen = new Set<string>()
  for (const h of header) {
    if (!h) return report([{ row: rows[0]!.line, kind: 'header', target: '', ok: false, error: { code: 'parse-error', message: 'empty column name in header' } }])
    if (seen.has(h.toLowerCase())) return report([{ row: rows[0]!.line, kind: 'header', target: h, ok: false, error: { code: 'parse-error', message: `duplicate column ${h}` } }])
    seen.add(h.toLowerCase())
  }
  for (const { line, fields } of rows.slice(1)) {
    const rec: Record<string, string> = {}
    header.forEach((h, i) => { rec[h] = (fields[i] ?? '').trim() })
    const get = (name: string) => { const k = header.find((h) => h.toLowerCase() === name); return k ? rec[k] ?? '' : '' }
    const kind = (get('type') || 'user').toLowerCase()
    const attributes: Record<string, string[]> = {}
    for (const h of header) {
      if (['type', 'uid', 'domain', 'password', 'members', 'aliases'].includes(h.toLowerCase())) continue
      if (h.toLowerCase() === 'cn' && kind === 'group') continue
      if (rec[h]) attributes[h] = kind !== 'domain' && /^(cn|sn|givenname|description|mailautoreply.*)$/i.test(h.split(';')[0]!) ? [rec[h]!] : split(rec[h]!)
    }
    let target = ''
    try {
      if (fields.length > header.length) throw new DirectoryError('invalid-value', `row has ${fields.length} fields, header has ${header.length}`)
      if (kind === 'user') {
        target = `${get('uid')}@${get('domain') || dir.defaultDomain}`
        await dir.createUser({ uid: get('uid'), domain: get('domain') || undefined, password: get('password') || undefined, attributes }, opts.actor)
      } else if (kind === 'group') {
        target = `${get('cn')}@${get('domain') || dir.defaultDomain}`
        await dir.createGroup({ cn: get('cn'), domain: get('domain') || undefined, members: split(get('members')), attributes }, opts.actor)
      } else if (kind === 'domain') {
        target = get('domain')
        await dir.createDomain({ name: get('domain'), aliases: split(get('aliases')), attributes }, opts.actor)
      } else {
        throw new DirectoryError('invalid-value', `unknown type "${kind}" (user, group or domain)`)
      }
      out.push({ row: line, kind, target, ok: true, action: 'created' })
    } catch (err) {
      out.push({ row: line, kind, target, ok: false, error: failure(err) })
    }
  }
  return report(out)
}

/** The domain a user/group DN sits under in Schema 2 (`…,o=<domain>,<suffix>`). */
function domainFromDn(dn: string): string | undefined {
  const rdns = parseDn(dn)
  if (!rdns) return undefined
  const org = rdns.slice(1).find(([a]) => a === 'o')
  return org?.[1].toLowerCase()
}

const STRUCTURAL = new Set(['objectclass', 'userpassword', 'o', 'ou', 'dc', 'uid', 'uniquemember', 'mgrprfc822mailmember', 'creatorsname', 'modifiersname', 'createtimestamp', 'modifytimestamp', 'entryuuid', 'entrycsn', 'structuralobjectclass', 'subschemasubentry', 'hassubordinates'])

function recordKind(rec: LdifRecord): 'domain' | 'user' | 'group' | 'skip' {
  const oc = new Set((Object.entries(rec.attrs).find(([k]) => k.toLowerCase() === 'objectclass')?.[1] ?? []).map((v) => v.toLowerCase()))
  if (oc.has('inetmailuser') || oc.has('inetorgperson')) return 'user'
  if (oc.has('inetmailgroup') || oc.has('groupofuniquenames') || oc.has('inetmaillist')) return 'group'
  if (oc.has('maildomain') || oc.has('sunmanagedorganization')) return 'domain'
  return 'skip'
}

export async function importLdif(dir: Directory, text: string, opts: ImportOptions): Promise<ImportReport> {
  const out: ImportRowResult[] = []
  for (const rec of parseLdif(text)) {
    const first = parseDn(rec.dn)?.[0]
    const target = rec.dn
    if (rec.error) { out.push({ row: rec.index, kind: 'entry', target, ok: false, error: { code: 'parse-error', message: `line ${rec.line}: ${rec.error}` } }); continue }
    if (!first) { out.push({ row: rec.index, kind: 'entry', target, ok: false, error: { code: 'parse-error', message: `line ${rec.line}: malformed dn "${rec.dn}"` } }); continue }
    const pick = (name: string) => Object.entries(rec.attrs).find(([k]) => k.toLowerCase() === name)?.[1] ?? []
    try {
      if (rec.changetype === 'delete' || rec.changetype === 'modify') {
        const [attr, value] = first
        const domain = domainFromDn(rec.dn)
        const id = attr === 'o' ? value : `${value}@${domain ?? dir.defaultDomain}`
        const kind = attr === 'uid' ? 'user' : attr === 'cn' ? 'group' : attr === 'o' ? 'domain' : undefined
        if (!kind) throw new DirectoryError('invalid-value', `cannot tell the entry kind of ${rec.dn}`)
        const mods: Modification[] = rec.mods.map((m) => ({ op: m.op, attr: m.attr, values: m.values }))
        if (rec.changetype === 'delete') {
          if (kind === 'user') await dir.deleteUser(id, opts.actor)
          else if (kind === 'group') await dir.deleteGroup(id, opts.actor)
          else await dir.deleteDomain(id, opts.actor)
          out.push({ row: rec.index, kind, target: id, ok: true, action: 'deleted' })
        } else {
          if (kind === 'user') await dir.modifyUser(id, mods, opts.actor)
          else if (kind === 'group') await dir.modifyGroup(id, mods, opts.actor)
          else await dir.modifyDomain(id, mods, opts.actor)
          out.push({ row: rec.index, kind, target: id, ok: true, action: 'modified' })
        }
        continue
      }
      const kind = recordKind(rec)
      if (kind === 'skip') { out.push({ row: rec.index, kind: 'entry', target, ok: true, action: 'skipped' }); continue }
      const attributes: Record<string, string[]> = {}
      for (const [k, v] of Object.entries(rec.attrs)) if (!STRUCTURAL.has(k.toLowerCase()) && !(kind === 'group' && k.toLowerCase() === 'cn') && !(kind === 'domain' && /^(associateddomain|sunpreferreddomain)$/i.test(k))) attributes[k] = v
      if (kind === 'domain') {
        const name = (pick('sunpreferreddomain')[0] ?? pick('associateddomain')[0] ?? pick('o')[0] ?? first[1]).toLowerCase()
        await dir.createDomain({ name, aliases: pick('associateddomain'), attributes }, opts.actor)
        out.push({ row: rec.index, kind, target: name, ok: true, action: 'created' })
        continue
      }
      const domain = domainFromDn(rec.dn) ?? dir.defaultDomain
      if (kind === 'user') {
        const uid = pick('uid')[0] ?? (first[0] === 'uid' ? first[1] : '')
        const pw = pick('userpassword')[0]
        if (pw && /^\{[A-Za-z0-9-]+\}/.test(pw)) throw new DirectoryError('invalid-value', 'userPassword is hashed; import needs the clear-text password', 'userPassword')
        const res = { row: rec.index, kind, target: `${uid}@${domain}` }
        await dir.createUser({ uid, domain, password: pw, attributes }, opts.actor)
        out.push({ ...res, ok: true, action: 'created' })
      } else {
        const cn = pick('cn')[0] ?? first[1]
        await dir.createGroup({ cn, domain, members: [...pick('uniquemember'), ...pick('mgrprfc822mailmember')], attributes }, opts.actor)
        out.push({ row: rec.index, kind, target: `${cn}@${domain}`, ok: true, action: 'created' })
      }
    } catch (err) {
      out.push({ row: rec.index, kind: recordKind(rec) === 'skip' ? 'entry' : recordKind(rec), target, ok: false, error: failure(err) })
    }
  }
  return report(out)
}
