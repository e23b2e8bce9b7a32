// commadmin: provisioning of users, groups (mailing lists) and domains, after the product's
// Delegated Administrator command-line tool (spec 01 §5: `commadmin user|domain delete` marks,
// `msuserpurge` removes mailboxes, `commadmin domain purge` removes for good). When a daemon runs for
// the data root every subcommand goes through its admin API (commadmin-api.ts; issue 6): signed in as
// `-D admin -w password` (the product's sign-in; that administrator's role applies), or without -w
// with the control token of run/control.json as the global administrator `cli:<-D or $USER>`.
// Without a daemon it works on the data root's directory (embedded or LDAP) directly, with the same
// directory rules. Every change is an audit event (source `cli`). docs/admin/provisioning.md.
//
//   commadmin user create -l uid [-d domain] [-W password | -W - | -j file] [-F given] [-L sur] [-E mail] [-A [+]attr:value]…
//   commadmin user modify -l uid [-d domain] [-W …] [-F given] [-L sur] [-E mail] [-A [+|-]attr[:value]]…
//   commadmin user delete|purge|show -l uid [-d domain]
//   commadmin user search [-d domain] [-t text] [-s status] [-n count] [-c cursor]
//   commadmin domain create -d domain [-A [+]attr:value]…        (aliases: -A +associatedDomain:name)
//   commadmin domain modify -d domain -A [+|-]attr[:value]…
//   commadmin domain delete|purge|show -d domain
//   commadmin domain list [-t text] [-n count] [-c cursor]
//   commadmin group create -G name [-d domain] [-m member]… [-A [+]attr:value]…
//   commadmin group modify -G name [-d domain] -A [+|-]attr[:value]…
//   commadmin group add-member|remove-member -G name [-d domain] -m member…
//   commadmin group delete|purge|show -G name [-d domain]
//   commadmin group search [-d domain] [-t text] [-n count] [-c cursor]
//   commadmin import -f file.csv|file.ldif
//   common: [-D admin [-w adminpassword|-]]
// -D names the administrator (default: $USER); -w is that administrator's password (sign-in through the
// running daemon). -W is the USER's password. `-A attr:value` replaces, `+attr:value` adds a value,
// `-attr:value` removes one (`-attr` alone removes all). Exit codes: 0 ok, 1 error, 64 usage.
import { readFileSync } from 'node:fs'
import { resolve, extname } from 'node:path'
import type { CliIO } from '../io.js'
import { getopt, UsageError, type ParsedArgs } from '../store-tools/getopt.js'
import { dataRootOf } from '../store-tools/context.js'
import { openConfig } from '@wren/config'
import { openDirectory, importCsv, importLdif, readSettings, DirectoryError, type Actor, type Directory, type Modification } from '@wren/directory'
import { Usage, all, one, need, parseAttributeArgs, createAttributes, userPassword, adminPassword, count, statusArg, nameMods, ldif } from '../commadmin-args.js'
import { NotThroughApi, runViaApi } from '../commadmin-api.js'
import { apiErrorLines, daemonFor, sessionClient, tokenClient, TRPCClientError, type ApiConnection } from '../api-client.js'

export { parseAttributeArgs }

const TOOL = 'commadmin'
const USAGE = `usage: commadmin user create|modify|delete|purge|show|search [options]
       commadmin domain create|modify|delete|purge|show|list [options]
       commadmin group create|modify|delete|purge|show|search|add-member|remove-member [options]
       commadmin import -f file.csv|file.ldif
options: -l uid  -d domain  -G group  -W userpassword|-  -j userpasswordfile  -F given  -L surname
         -E mail  -A [+|-]attr[:value]  -m member  -t text  -s status  -n count  -c cursor  -f file
         -D admin  -w adminpassword|-   (sign in to the running daemon's admin API as that administrator)
`
const SPEC = 'l:d:G:W:w:j:F:L:E:A:m:t:s:n:c:D:f:h'

const userId = (p: ParsedArgs) => { const uid = need(p, 'l', 'uid'); const d = one(p, 'd'); return d ? `${uid}@${d}` : uid }
const groupId = (p: ParsedArgs, dir: Directory) => `${need(p, 'G', 'group')}@${one(p, 'd') ?? dir.defaultDomain}`

function userMods(p: ParsedArgs): Modification[] {
  return [...nameMods(p), ...parseAttributeArgs(all(p, 'A'))]
}

async function userCommand(dir: Directory, verb: string, p: ParsedArgs, io: CliIO, actor: Actor): Promise<number> {
  switch (verb) {
    case 'create': {
      const attributes = createAttributes(all(p, 'A'))
      const F = one(p, 'F'), L = one(p, 'L'), E = one(p, 'E')
      if (F) attributes.givenName = [F]
      if (L) attributes.sn = [L]
      if (F || L) attributes.cn = [[F, L].filter(Boolean).join(' ')]
      if (E) attributes.mail = [E]
      const u = await dir.createUser({ uid: need(p, 'l', 'uid'), domain: one(p, 'd'), password: await userPassword(p, io), attributes }, actor)
      io.stdout(`OK user ${u.uid}@${u.domain} created (${u.dn})\n`)
      return 0
    }
    case 'modify': {
      const mods = userMods(p)
      const pw = await userPassword(p, io)
      if (pw !== undefined) mods.push({ op: 'replace', attr: 'userPassword', values: [pw] })
      if (mods.length === 0) throw new Usage('nothing to modify: give -A, -W, -F, -L or -E')
      const u = await dir.modifyUser(userId(p), mods, actor)
      io.stdout(`OK user ${u.uid}@${u.domain} modified\n`)
      return 0
    }
    case 'delete': {
      const u = await dir.deleteUser(userId(p), actor)
      io.stdout(`OK user ${u.uid}@${u.domain} marked deleted\n`)
      return 0
    }
    case 'purge': {
      const id = userId(p)
      await dir.purgeUser(id, actor)
      io.stdout(`OK user ${id} purged\n`)
      return 0
    }
    case 'show': {
      const u = await dir.findUser(userId(p))
      if (!u) throw new DirectoryError('not-found', `user ${userId(p)} does not exist`)
      io.stdout(ldif(u.dn, u.attributes, { storeId: u.storeId, status: u.status, local: dir.isLocalMailHost(u) ? 'yes' : 'no' }))
      return 0
    }
    case 'search': {
      const page = await dir.searchUsers({ domain: one(p, 'd'), text: one(p, 't'), status: statusArg(p), limit: count(p), cursor: one(p, 'c') })
      for (const u of page.items) io.stdout(`${u.uid}@${u.domain}\t${u.status}\t${u.mail ?? ''}\n`)
      if (page.nextCursor) io.stdout(`# next: -c ${page.nextCursor}\n`)
      return 0
    }
  }
  throw new Usage(`unknown user command "${verb}"`)
}

async function domainCommand(dir: Directory, verb: string, p: ParsedArgs, io: CliIO, actor: Actor): Promise<number> {
  switch (verb) {
    case 'create': {
      const attributes = createAttributes(all(p, 'A'))
      const d = await dir.createDomain({ name: need(p, 'd', 'domain'), attributes }, actor)
      io.stdout(`OK domain ${d.name} created (${d.dn})\n`)
      return 0
    }
    case 'modify': {
      const mods = parseAttributeArgs(all(p, 'A'))
      if (mods.length === 0) throw new Usage('nothing to modify: give -A')
      const d = await dir.modifyDomain(need(p, 'd', 'domain'), mods, actor)
      io.stdout(`OK domain ${d.name} modified\n`)
      return 0
    }
    case 'delete': {
      const d = await dir.deleteDomain(need(p, 'd', 'domain'), actor)
      io.stdout(`OK domain ${d.name} marked deleted\n`)
      return 0
    }
    case 'purge': {
      const name = need(p, 'd', 'domain')
      await dir.purgeDomain(name, actor)
      io.stdout(`OK domain ${name} purged\n`)
      return 0
    }
    case 'show': {
      const d = await dir.getDomain(need(p, 'd', 'domain'))
      if (!d) throw new DirectoryError('not-found', `domain ${one(p, 'd')} does not exist`)
      io.stdout(ldif(d.dn, d.attributes, { status: d.status }))
      return 0
    }
    case 'list': {
      const page = await dir.listDomains({ text: one(p, 't'), limit: count(p), cursor: one(p, 'c') })
      for (const d of page.items) io.stdout(`${d.name}\t${d.status}\t${d.aliases.join(' ')}\n`)
      if (page.nextCursor) io.stdout(`# next: -c ${page.nextCursor}\n`)
      return 0
    }
  }
  throw new Usage(`unknown domain command "${verb}"`)
}

async function groupCommand(dir: Directory, verb: string, p: ParsedArgs, io: CliIO, actor: Actor): Promise<number> {
  switch (verb) {
    case 'create': {
      const g = await dir.createGroup({ cn: need(p, 'G', 'group'), domain: one(p, 'd'), members: all(p, 'm'), attributes: createAttributes(all(p, 'A')) }, actor)
      io.stdout(`OK group ${g.mail ?? g.cn} created (${g.dn})\n`)
      return 0
    }
    case 'modify': {
      const mods = parseAttributeArgs(all(p, 'A'))
      if (mods.length === 0) throw new Usage('nothing to modify: give -A')
      const g = await dir.modifyGroup(groupId(p, dir), mods, actor)
      io.stdout(`OK group ${g.mail ?? g.cn} modified\n`)
      return 0
    }
    case 'add-member':
    case 'remove-member': {
      const members = all(p, 'm')
      if (members.length === 0) throw new Usage('-m member is required')
      const g = verb === 'add-member' ? await dir.addGroupMembers(groupId(p, dir), members, actor) : await dir.removeGroupMembers(groupId(p, dir), members, actor)
      io.stdout(`OK group ${g.mail ?? g.cn} has ${g.uniqueMember.length + g.mgrpRFC822MailMember.length} members\n`)
      return 0
    }
    case 'delete': {
      const g = await dir.deleteGroup(groupId(p, dir), actor)
      io.stdout(`OK group ${g.mail ?? g.cn} marked deleted\n`)
      return 0
    }
    case 'purge': {
      const id = groupId(p, dir)
      await dir.purgeGroup(id, actor)
      io.stdout(`OK group ${id} purged\n`)
      return 0
    }
    case 'show': {
      const g = await dir.findGroup(groupId(p, dir))
      if (!g) throw new DirectoryError('not-found', `group ${groupId(p, dir)} does not exist`)
      io.stdout(ldif(g.dn, g.attributes, { status: g.status }))
      return 0
    }
    case 'search': {
      const page = await dir.searchGroups({ domain: one(p, 'd'), text: one(p, 't'), status: statusArg(p), limit: count(p), cursor: one(p, 'c') })
      for (const g of page.items) io.stdout(`${g.cn}@${g.domain}\t${g.status}\t${g.mail ?? ''}\n`)
      if (page.nextCursor) io.stdout(`# next: -c ${page.nextCursor}\n`)
      return 0
    }
  }
  throw new Usage(`unknown group command "${verb}"`)
}

async function importCommand(dir: Directory, p: ParsedArgs, io: CliIO, actor: Actor): Promise<number> {
  const file = need(p, 'f', 'file')
  const text = file === '-' ? (await io.readStdin()).toString('utf8') : readFileSync(resolve(io.cwd, file), 'utf8')
  const ext = extname(file).toLowerCase()
  const isLdif = ext === '.ldif' || (ext !== '.csv' && /^(version:|dn:)/im.test(text.trimStart()))
  const rep = isLdif ? await importLdif(dir, text, { actor }) : await importCsv(dir, text, { actor })
  for (const r of rep.rows) {
    if (r.ok) io.stdout(`row ${r.row}: OK ${r.action} ${r.kind} ${r.target}\n`)
    else io.stdout(`row ${r.row}: ERROR ${r.kind} ${r.target}: ${r.error!.code}: ${r.error!.message}\n`)
  }
  io.stdout(`${rep.ok} ok, ${rep.failed} failed\n`)
  return rep.failed ? 1 : 0
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const [object, ...rest] = argv
  if (!object || object === '-h' || object === '--help') { (object ? io.stdout : io.stderr)(USAGE); return object ? 0 : 64 }
  let verb = ''
  let flags = rest
  if (object !== 'import') {
    verb = rest[0] ?? ''
    flags = rest.slice(1)
  }
  let p: ParsedArgs
  try {
    p = getopt(flags, SPEC)
    if (p.operands.length) throw new UsageError(`unexpected argument "${p.operands[0]}"`)
    if (!['user', 'domain', 'group', 'import'].includes(object)) throw new UsageError(`unknown object "${object}"`)
    if (object !== 'import' && !verb) throw new UsageError(`${object}: a command is required`)
  } catch (e) {
    io.stderr(`${TOOL}: ${(e as Error).message}\n${USAGE}`)
    return 64
  }
  if (p.opts.has('h')) { io.stdout(USAGE); return 0 }
  const dataRoot = dataRootOf(io)
  const name = one(p, 'D') ?? io.env.USER ?? io.env.LOGNAME ?? TOOL
  let conn: ApiConnection | undefined
  const directActor: Actor = { actor: name, role: 'global', source: 'cli' }
  try {
    const adminPw = await adminPassword(p, io)
    if (adminPw !== undefined && !one(p, 'D')) throw new Usage('-w is the password of the administrator named by -D')
    const daemon = daemonFor(dataRoot)
    if (daemon) {
      // Through the daemon's admin API (issue 6): the API enforces the role and writes the audit log.
      conn = adminPw !== undefined ? await sessionClient(daemon, name, adminPw) : tokenClient(daemon, name)
      const cfg = await openConfig(dataRoot)
      const defaultDomain = readSettings(cfg.view()).defaultDomain
      await cfg.close()
      return await runViaApi({ api: conn.client, io, defaultDomain }, object, verb, p)
    } else if (adminPw !== undefined) {
      throw new NotThroughApi(`-D/-w sign in to the running daemon's admin API, but no daemon runs for ${dataRoot}; start it (start-msg) or leave out -w to work on the directory directly`)
    }
    return await direct(dataRoot, object, verb, p, io, directActor)
  } catch (err) {
    if (err instanceof Usage) { io.stderr(`${TOOL}: ${err.message}\n${USAGE}`); return 64 }
    if (err instanceof NotThroughApi) { io.stderr(`${TOOL}: ${err.message}\n`); return 1 }
    if (err instanceof TRPCClientError) { io.stderr(apiErrorLines(TOOL, err, conn?.url).map((l) => `${l}\n`).join('')); return 1 }
    if (err instanceof DirectoryError) { io.stderr(`${TOOL}: ${err.code}: ${err.message}\n`); return 1 }
    io.stderr(`${TOOL}: ${(err as Error).message ?? String(err)}\n`)
    return 1
  } finally {
    await conn?.close().catch(() => {})
  }
}

/** Direct mode: the data root's directory (no daemon runs, or a purge the API does not offer). */
async function direct(dataRoot: string, object: string, verb: string, p: ParsedArgs, io: CliIO, actor: Actor): Promise<number> {
  let dir: Directory | undefined
  let cfg: Awaited<ReturnType<typeof openConfig>> | undefined
  try {
    cfg = await openConfig(dataRoot)
    dir = await openDirectory({ dataRoot, config: cfg.view() })
    if (object === 'user') return await userCommand(dir, verb, p, io, actor)
    if (object === 'domain') return await domainCommand(dir, verb, p, io, actor)
    if (object === 'group') return await groupCommand(dir, verb, p, io, actor)
    return await importCommand(dir, p, io, actor)
  } finally {
    await dir?.close().catch(() => {})
    await cfg?.close().catch(() => {})
  }
}
