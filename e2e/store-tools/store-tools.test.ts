// The store's command-line tools, outside-in: each tool runs at least once as a user runs it
// (`bin/<tool>` with WREN_DATA), the rest in-process through the same `run(argv, io)`; the data root
// holds the real configuration, embedded directory and store. Examples are the manual's (spec 04 C).
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openConfig } from '@wren/config'
import { openDirectory, type Directory } from '@wren/directory'
import { openStore, type MailStore } from '@wren/store'
import { memoryIO } from '../../apps/cli/src/io.js'
import { runTool } from '../../apps/cli/src/main.js'

const BIN = resolve(import.meta.dirname, '../../bin')
const ACTOR = { actor: 'e2e', source: 'cli' }

let root: string
let domain: string

/** Runs `bin/<tool>` as a user would, with `stdin`. */
function bin(tool: string, args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = execFile(join(BIN, tool), args, { env: { ...process.env, WREN_DATA: root }, timeout: 60_000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
    child.stdin!.end(stdin)
  })
}

/** Runs a tool in-process (same code path as bin/, without the node start-up). */
async function tool(name: string, args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  const m = memoryIO({ stdin, env: { WREN_DATA: root } })
  const code = await runTool(name, args, m.io)
  return { code, stdout: m.stdout(), stderr: m.stderr() }
}

/** Reads the store in the test process (a separate handle, as another process would). */
async function withStore<T>(fn: (s: MailStore) => Promise<T> | T): Promise<T> {
  const c = await openConfig(root)
  const s = openStore({ dataRoot: root, config: c.view() })
  try { return await fn(s) } finally { s.close(); await c.close() }
}

async function messages(s: MailStore, owner: string, folder: string): Promise<Array<{ uid: number; flags: number; text: string }>> {
  const session = s.session(owner, { autoCreate: false })
  const v = session.open(folder, { readOnly: true })
  try {
    const out = []
    for (const f of v.flags()) out.push({ uid: f.uid, flags: f.flags, text: (await v.read(f.uid)).toString() })
    return out
  } finally { v.close(); session.close() }
}

const msg = (subject: string, body = 'hello\n.leading dot\n') =>
  `From: sender@example.org\nTo: someone@example.org\nSubject: ${subject}\nMessage-ID: <${subject.replace(/\W/g, '')}@example.org>\n\n${body}`

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'wren-storetools-'))
  // Provision the directory, then close it: the tools open their own (one Prisma connection at a
  // time per process, see the report on the two SQLite libraries).
  const cfg = await openConfig(root)
  const dir: Directory = await openDirectory({ dataRoot: root, config: cfg.view() })
  try {
    domain = dir.defaultDomain
    if (!(await dir.getDomain(domain))) await dir.createDomain({ name: domain }, ACTOR)
    await dir.createUser({ uid: 'joe', password: 'x' }, ACTOR)
    await dir.createUser({ uid: 'mary', password: 'x', attributes: { mailQuota: String(100 * 1024) } }, ACTOR)
    await dir.createUser({ uid: 'testquota', password: 'x', attributes: { mailQuota: String(256000 * 1024), mailMsgQuota: '100000' } }, ACTOR)
  } finally {
    await dir.close()
    await cfg.close()
  }
})

afterAll(async () => {
  if (root) rmSync(root, { recursive: true, force: true })
})

describe('deliver', () => {
  it('deliver fred < msg puts the message in INBOX (bin/deliver); imcheck Exists counts it', async () => {
    const r = await bin('deliver', ['fred'], msg('first'))
    expect(r).toMatchObject({ code: 0, stderr: '' })
    const check = await tool('imcheck', ['-m', 'user/fred/INBOX'])
    expect(check.code).toBe(0)
    expect(check.stdout).toMatch(/^Exists: 1$/m)
    const stored = await withStore((s) => messages(s, 'fred', 'INBOX'))
    // Stored as an RFC 5322 message: bare LFs from the file became CRLF.
    expect(stored[0]!.text).toBe(msg('first').replace(/\n/g, '\r\n'))
  })

  it('-m to a missing folder falls back to INBOX; with -c the folder is created and holds it', async () => {
    expect((await tool('deliver', ['-m', 'tasks', 'fred'], msg('no tasks'))).code).toBe(0)
    await withStore(async (s) => {
      expect(s.listAll('user/fred/tasks')).toEqual([])
      expect((await messages(s, 'fred', 'INBOX')).length).toBe(2)
    })
    expect((await tool('deliver', ['-c', '-m', 'tasks', 'fred'], msg('tasks'))).code).toBe(0)
    await withStore(async (s) => {
      const t = await messages(s, 'fred', 'tasks')
      expect(t.map((m) => /Subject: (.*)\r/.exec(m.text)?.[1])).toEqual(['tasks'])
    })
  })

  it('-m Important -g \\Flagged sets the flag (imcheck SFlags F); -r adds Return-Path', async () => {
    expect((await tool('deliver', ['-c', '-m', 'Important', '-g', '\\Flagged', '-r', 'a@b.example', 'fred'], msg('important'))).code).toBe(0)
    const check = await tool('imcheck', ['-m', 'user/fred/Important'])
    const row = check.stdout.trim().split('\n').at(-1)!.split(' ')
    expect(row[12]).toBe('F')
    const m = await withStore((s) => messages(s, 'fred', 'Important'))
    expect(m[0]!.text.startsWith('Return-Path: <a@b.example>\r\nFrom: sender@example.org\r\n')).toBe(true)
  })

  it('-p expands a pattern over the domain: every matching user gets one copy', async () => {
    const r = await tool('deliver', ['-p', `*@${domain}`], msg('broadcast'))
    expect(r).toMatchObject({ code: 0, stderr: '' })
    await withStore(async (s) => {
      for (const u of s.listUsers()) {
        const subjects = (await messages(s, u, 'INBOX')).map((m) => /Subject: (.*)\r/.exec(m.text)?.[1])
        expect(subjects.filter((x) => x === 'broadcast')).toHaveLength(1)
      }
    })
    expect((await tool('deliver', ['-p', '*@elsewhere.example'], msg('nobody'))).code).toBe(1)
  })

  it('usage errors exit 64; an over-quota user refuses the message unless -q', async () => {
    expect((await tool('deliver', [], msg('x'))).code).toBe(64)
    expect((await tool('deliver', ['-k', 'fred'], msg('x'))).code).toBe(64)
    const big = msg('big', 'x'.repeat(112_700) + '\n')
    const refused = await tool('deliver', ['mary'], big)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/^deliver: mary: .*\(5\.2\.2\)\n$/)
    expect((await tool('deliver', ['-q', 'mary'], big)).code).toBe(0)
  })
})

describe('imquotacheck', () => {
  it('prints the manual table: joe -, mary 100 110 110, testquota 654B (bin/imquotacheck)', async () => {
    // exactly 654 octets once stored with CRLF line ends: 14 + 638 + 2
    const m654 = `Subject: q\n\n${'a'.repeat(638)}\n`
    expect((await tool('deliver', ['testquota'], m654)).code).toBe(0)
    expect((await tool('deliver', ['joe'], msg('for joe', 'y'.repeat(6 * 1024) + '\n'))).code).toBe(0)
    const r = await bin('imquotacheck', [])
    expect(r.code).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines[0]).toBe('Name                 Quota(K) Usage(K)  %   Quota#  Usage#  %  OverDate WarnDate')
    expect(lines[1]).toBe('-------------------- -------- -------- --- ------- ------- --- -------- --------')
    expect(lines.at(-2)).toBe('-'.repeat(80))
    const row = (u: string) => lines.find((l) => l.startsWith(u + ' '))!.split(/ +/)
    expect(row('joe')).toEqual(['joe', '-', '6', '-', '-', '1', '-', '-', '-'])
    expect(row('mary').slice(0, 7)).toEqual(['mary', '100', '110', '110', '-', '1', '-'])
    expect(row('testquota')).toEqual(['testquota', '256000', '654B', '0', '100000', '1', '0', '-', '-'])
    // Column positions are the manual's: right-aligned under the headings.
    const mary = 'mary                      100      110 110'
    expect(lines.find((l) => l.startsWith('mary '))!.slice(0, mary.length)).toBe(mary)
  })

  it('-u user reports one user; -e adds per-folder usage; -d selects a domain', async () => {
    const u = await tool('imquotacheck', ['-u', 'mary', '-e'])
    expect(u.code).toBe(0)
    const lines = u.stdout.trim().split('\n')
    expect(lines[2]!.startsWith('mary ')).toBe(true)
    expect(lines.some((l) => /^ {4}user\/mary\/INBOX +110 +1$/.test(l))).toBe(true)
    expect((await tool('imquotacheck', ['-u', 'nobody'])).code).toBe(1)
    const d = await tool('imquotacheck', ['-d', domain])
    expect(d.stdout).toMatch(/^joe /m)
    const other = await tool('imquotacheck', ['-d', 'elsewhere.example'])
    expect(other.stdout.split('\n')).toHaveLength(4)
  })
})

describe('mboxutil', () => {
  it('-l prints the manual header and rows; -s prints names only (bin/mboxutil)', async () => {
    const r = await bin('mboxutil', ['-l', '-p', 'user/fred/*'])
    expect(r.code).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe('  msgs  Kbytes last msg         partition   quotaroot mailbox')
    expect(lines[1]).toMatch(/^ {5}3 {7}0 \d{4}\/\d\d\/\d\d \d\d:\d\d primary {13}- user\/fred\/INBOX$/)
    expect(lines).toContain('     0       0 -          -     primary             - user/fred/Drafts')
    const q = await tool('mboxutil', ['-l', '-p', 'user/mary/INBOX'])
    expect(q.stdout.trimEnd().split('\n')[1]).toMatch(/ primary {11}100 user\/mary\/INBOX$/)
    const s = await tool('mboxutil', ['-l', '-p', 'user/%/INBOX', '-s'])
    expect(s.stdout.trim().split('\n')).toEqual(expect.arrayContaining(['user/fred/INBOX', 'user/joe/INBOX', 'user/mary/INBOX']))
    for (const l of s.stdout.trim().split('\n')) expect(l).toMatch(/^user\/[^/]+\/INBOX$/)
  })

  it('-c creates, -r renames keeping messages and UIDs, -d user/x/INBOX removes the account', async () => {
    expect((await tool('mboxutil', ['-c', 'user/daphne/INBOX'])).code).toBe(0)
    expect((await tool('mboxutil', ['-l', '-p', 'user/%/INBOX', '-s'])).stdout).toMatch(/^user\/daphne\/INBOX$/m)
    expect((await tool('mboxutil', ['-c', 'user/daphne/INBOX'])).code).toBe(1)

    expect((await tool('deliver', ['-c', '-m', 'memos', 'desdemona'], msg('memo one'))).code).toBe(0)
    expect((await tool('deliver', ['-m', 'memos', 'desdemona'], msg('memo two'))).code).toBe(0)
    const before = await withStore((s) => messages(s, 'desdemona', 'memos'))
    expect((await tool('mboxutil', ['-r', 'user/desdemona/memos', 'user/desdemona/memos-april'])).code).toBe(0)
    const after = await withStore((s) => messages(s, 'desdemona', 'memos-april'))
    expect(after.map((m) => m.uid)).toEqual(before.map((m) => m.uid))
    expect((await tool('mboxutil', ['-l', '-p', 'user/desdemona/memos', '-s'])).stdout).toBe('')

    expect((await tool('mboxutil', ['-c', 'user/druscilla/INBOX'])).code).toBe(0)
    expect((await tool('mboxutil', ['-c', 'user/druscilla/Projects'])).code).toBe(0)
    expect((await tool('mboxutil', ['-d', 'user/druscilla/INBOX'])).code).toBe(0)
    expect((await tool('mboxutil', ['-l', '-p', 'user/druscilla/*', '-s'])).stdout).toBe('')
    expect((await tool('mboxutil', ['-d', 'user/druscilla/INBOX'])).code).toBe(1)
  })

  it('-e expunges \\Deleted messages; bad usage exits 64', async () => {
    await withStore(async (s) => {
      const session = s.session('joe')
      const v = session.open('INBOX')
      v.storeFlags([v.uids()[0]!], { mode: 'add', flags: ['\\Deleted'] })
      v.close(); session.close()
    })
    const before = (await withStore((s) => messages(s, 'joe', 'INBOX'))).length
    expect((await tool('mboxutil', ['-e', '-p', 'user/joe/INBOX'])).code).toBe(0)
    expect((await withStore((s) => messages(s, 'joe', 'INBOX'))).length).toBe(before - 1)
    expect((await tool('mboxutil', ['-l', '-c'])).code).toBe(64)
    expect((await tool('mboxutil', ['-q'])).code).toBe(64)
  })

  it('-R -m user/x/Trash -U 1:3 user/x/INBOX restores expunged, not yet purged messages (the manual\'s example)', async () => {
    // Expunged files are kept for store.cleanupage hours (0: removed at once, nothing to restore).
    expect((await tool('configutil', ['-o', 'store.cleanupage', '-v', '24'])).code).toBe(0)
    for (const n of [1, 2, 3, 4]) expect((await tool('deliver', ['rosa'], msg(`restore ${n}`))).code).toBe(0)
    await withStore(async (s) => {
      const session = s.session('rosa')
      const v = session.open('INBOX')
      v.storeFlags([...v.uids()], { mode: 'add', flags: ['\\Deleted'] })
      await v.expunge()
      v.close(); session.close()
    })
    const r = await tool('mboxutil', ['-R', '-m', 'user/rosa/Trash', '-U', '1:3', 'user/rosa/INBOX'])
    expect(r).toMatchObject({ code: 0, stdout: '3 messages restored to user/rosa/Trash\n' })
    const trash = await withStore((s) => messages(s, 'rosa', 'Trash'))
    expect(trash.map((m) => /Subject: (.*)\r/.exec(m.text)![1])).toEqual(['restore 1', 'restore 2', 'restore 3'])
    // The rest goes back into the mailbox itself; a restored message is not restored twice.
    expect((await tool('mboxutil', ['-R', 'user/rosa/INBOX'])).stdout).toBe('1 message restored to user/rosa/INBOX\n')
    expect((await tool('mboxutil', ['-R', 'user/rosa/INBOX'])).stdout).toBe('0 messages restored to user/rosa/INBOX\n')
    expect((await tool('mboxutil', ['-R', '-U', 'x', 'user/rosa/INBOX'])).code).toBe(64)
    expect((await tool('mboxutil', ['-R', '-m', 'user/joe/Trash', 'user/rosa/INBOX'])).code).toBe(64)
  })

  it('-C -g n cleans up mailboxes with at least n expunged messages', async () => {
    for (const [u, n] of [['cleo', 3], ['cato', 1]] as const) {
      for (let i = 0; i < n; i++) expect((await tool('deliver', [u], msg(`${u} ${i}`))).code).toBe(0)
      await withStore(async (s) => {
        const session = s.session(u)
        const v = session.open('INBOX')
        v.storeFlags([...v.uids()], { mode: 'add', flags: ['\\Deleted'] })
        await v.expunge()
        v.close(); session.close()
      })
    }
    // Expunged under store.cleanupage 24 (files kept); with 0 the cleanup may remove them now.
    expect((await tool('mboxutil', ['-C', '-g', '2', '-p', 'user/c%/INBOX'])).stdout).toBe('0 expunged message files removed\n')
    expect((await tool('configutil', ['-o', 'store.cleanupage', '-v', '0'])).code).toBe(0)
    const r = await tool('mboxutil', ['-C', '-g', '2', '-p', 'user/c%/INBOX'])
    expect(r).toMatchObject({ code: 0, stdout: '3 expunged message files removed\n' })
    // cato's single expunged message stays restorable; cleo's are gone for good.
    expect((await tool('mboxutil', ['-R', 'user/cleo/INBOX'])).stdout).toBe('0 messages restored to user/cleo/INBOX\n')
    expect((await tool('mboxutil', ['-R', 'user/cato/INBOX'])).stdout).toBe('1 message restored to user/cato/INBOX\n')
  })
})

describe('mboxutil -S and imquotacheck rule thresholds', () => {
  it('-S -n finds subscriptions to missing mailboxes; -S -u -f removes them', async () => {
    await withStore(async (s) => {
      const se = s.session('pat')
      try { se.create('Old'); se.subscribe('Old'); se.subscribe('INBOX'); await se.delete('Old') } finally { se.close() }
    })
    expect((await tool('mboxutil', ['-S'])).stdout).toMatch(/^user\/pat\/INBOX\nuser\/pat\/Old\n/m)
    const file = join(root, 'orphans.txt')
    expect((await tool('mboxutil', ['-S', '-n', '-f', file])).code).toBe(0)
    expect(readFileSync(file, 'utf8')).toBe('user/pat/Old\n')
    expect((await tool('mboxutil', ['-S', '-u', '-f', file])).code).toBe(0)
    expect((await tool('mboxutil', ['-S', '-n'])).stdout).toBe('')
  })

  it('with no arguments imquotacheck lists the users at or above the lowest rule of config/imq.rulefile', async () => {
    mkdirSync(join(root, 'config'), { recursive: true })
    writeFileSync(join(root, 'config', 'imq.rulefile'), '[General]\n[warn]\nnotificationTriggerPercentage=90\nnotificationInterval=24\n[full]\nnotificationTriggerPercentage=100\nnotificationInterval=1\n')
    try {
      const r = await tool('imquotacheck', [])
      expect(r.stdout.split('\n').slice(2, -2).map((l) => l.split(' ')[0])).toEqual(['mary'])
    } finally {
      unlinkSync(join(root, 'config', 'imq.rulefile'))
    }
  })
})

describe('imcheck, hashdir, reconstruct', () => {
  it('imcheck -m prints the header fields and the 16-column table (bin/imcheck)', async () => {
    const r = await bin('imcheck', ['-m', 'user/fred/INBOX'])
    expect(r.code, r.stderr).toBe(0)
    for (const key of ['Name: user/fred', 'Exists:', 'Flags:', 'Largest Msg:', 'Last Append:', 'Last UID:', 'Oldest Msg:', 'Oldest Uid:', 'Quota Used:', 'UID Validity:', 'ACL: fred', 'Userflags:', 'Subscribed:', 'Partition: primary', 'Path: ']) {
      expect(r.stdout).toContain(`\n${key}`)
    }
    const lines = r.stdout.trimEnd().split('\n')
    const head = lines.findIndex((l) => l.startsWith('MsgNo '))
    expect(lines[head]!.split(' ')).toHaveLength(16)
    const uidValidity = /UID Validity: (\d+)/.exec(r.stdout)![1]
    const first = lines[head + 2]!.split(' ')
    expect(first).toHaveLength(16)
    expect(first[0]).toBe('1')
    expect(first[14]).toBe(`${uidValidity}-${first[1]}`)
    expect(first[15]).toBe('<first@example.org>')
    // -D -S ":" (backup verification dump): one colon-separated line per message, stable between runs.
    const dump = await tool('imcheck', ['-D', '-S', ':', '-m', 'user/fred/INBOX'])
    expect(dump.stdout.split('\n')[0]!.split(':').slice(0, 3)).toEqual(['user/fred', '1', first[1]])
    expect((await tool('imcheck', ['-D', '-S', ':', '-m', 'user/fred/INBOX'])).stdout).toBe(dump.stdout)
    expect((await tool('imcheck', ['-m', 'user/nobody/INBOX'])).code).toBe(1)
    expect((await tool('imcheck', [])).code).toBe(64)
  })

  it('hashdir prints a stable two-level path; -a appends the id (bin/hashdir)', async () => {
    const r = await bin('hashdir', ['user1'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{2}\/\n$/)
    expect((await tool('hashdir', ['user1'])).stdout).toBe(r.stdout)
    expect((await tool('hashdir', ['-a', 'user1'])).stdout).toBe(r.stdout.trim() + 'user1\n')
    expect((await tool('hashdir', ['User1'])).stdout).not.toBe(r.stdout)
    expect((await tool('hashdir', [])).code).toBe(64)
  })

  it('a deleted message file: reconstruct -n reports and changes nothing, reconstruct repairs (bin/reconstruct)', async () => {
    expect((await tool('deliver', ['-c', '-m', 'repair', 'dulcinea'], msg('keep'))).code).toBe(0)
    expect((await tool('deliver', ['-m', 'repair', 'dulcinea'], msg('lost'))).code).toBe(0)
    const lost = await withStore((s) => {
      const session = s.session('dulcinea')
      const v = session.open('repair', { readOnly: true })
      try { return v.filePath(v.uids()[1]!) } finally { v.close(); session.close() }
    })
    unlinkSync(lost)
    const n = await bin('reconstruct', ['-n', 'user/dulcinea/repair'])
    expect(n.code, n.stderr).toBe(1)
    expect(n.stdout).toContain('1 index entries without a message file')
    expect((await withStore((s) => { const se = s.session('dulcinea'); try { return se.status('repair') } finally { se.close() } })).messages).toBe(2)
    const fix = await tool('reconstruct', ['user/dulcinea/repair'])
    expect(fix.code).toBe(0)
    const left = await withStore((s) => messages(s, 'dulcinea', 'repair'))
    expect(left.map((m) => /Subject: (.*)\r/.exec(m.text)?.[1])).toEqual(['keep'])
    const again = await tool('reconstruct', ['-n'])
    expect(again.code).toBe(0)
  })
})

describe('imquotacheck -f (domain quotas are not dynamic, spec 03 §4)', () => {
  async function withDirectory<T>(fn: (d: Directory) => Promise<T>): Promise<T> {
    const cfg = await openConfig(root)
    const dir = await openDirectory({ dataRoot: root, config: cfg.view() })
    try { return await fn(dir) } finally { await dir.close(); await cfg.close() }
  }

  it('sets mailDomainStatus overquota when the domain is over mailDomainDiskQuota, and active again under it', async () => {
    await withDirectory((d) => d.modifyDomain(domain, [{ op: 'replace', attr: 'mailDomainDiskQuota', values: ['1K'] }], ACTOR))
    const r = await tool('imquotacheck', ['-f', '-d', domain])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^${domain.replace(/\./g, '\\.')}: usage \\d+K of 1K, \\d+ of - messages; mailDomainStatus overquota \\(was active\\)\\n$`))
    expect(await withDirectory(async (d) => (await d.getDomain(domain))!.mailDomainStatus)).toBe('overquota')
    // Still over: nothing changes. Quota raised: back to active.
    expect((await tool('imquotacheck', ['-f'])).stdout).toMatch(/mailDomainStatus overquota\n/)
    await withDirectory((d) => d.modifyDomain(domain, [{ op: 'replace', attr: 'mailDomainDiskQuota', values: ['10G'] }], ACTOR))
    expect((await tool('imquotacheck', ['-f', '-d', domain])).stdout).toMatch(/mailDomainStatus active \(was overquota\)\n$/)
    expect(await withDirectory(async (d) => (await d.getDomain(domain))!.mailDomainStatus)).toBe('active')
    expect((await tool('imquotacheck', ['-f', '-u', 'joe'])).code).toBe(64)
  })
})

describe('imquotacheck -n (notification rules, spec 03 §5)', () => {
  it('rules 60/80/90: 85% gets the 80% notice once; 92% gets the 90% notice at once; under 60% clears the record', async () => {
    const cfg = await openConfig(root)
    const dir = await openDirectory({ dataRoot: root, config: cfg.view() })
    try { await dir.createUser({ uid: 'nina', password: 'x', attributes: { mailQuota: '10K' } }, ACTOR) } finally { await dir.close(); await cfg.close() }
    const rules = join(root, 'nina.rules')
    writeFileSync(rules, ['[r60]', 'notificationTriggerPercentage=60', 'notificationInterval=24', 'enabled=1',
      '[r80]', 'notificationTriggerPercentage=80', 'notificationInterval=24', 'enabled=1',
      '[r90]', 'notificationTriggerPercentage=90', 'notificationInterval=24', 'enabled=1', ''].join('\n'))
    const tmpl = join(root, 'nina.msg')
    writeFileSync(tmpl, 'Subject: Quota warning for %U%\n\nYou are at %Q%% of %C%K (%M%K used).\n')
    const usage = async () => withStore(async (s) => (s.userExists('nina') ? (await s.quotaReport('nina')).diskUsed : 0))
    const fillTo = async (bytes: number) => {
      const pad = bytes - (await usage()) - msg('fill', '').replace(/\n/g, '\r\n').length - 2
      expect((await tool('deliver', ['-q', 'nina'], msg('fill', 'x'.repeat(pad) + '\n'))).code).toBe(0)
    }
    const notify = () => tool('imquotacheck', ['-n', '-r', rules, '-t', tmpl, '-d', domain])
    const notices = async () => (await withStore((s) => messages(s, 'nina', 'INBOX'))).filter((m) => m.text.startsWith('Subject: Quota warning')).map((m) => m.text)

    await fillTo(8700) // 85%
    expect((await notify()).stdout).toMatch(/^nina: 8\d% of quota, notified \(rule r80, 80%\)\n$/m)
    expect(await notices()).toEqual([expect.stringMatching(/^Subject: Quota warning for nina\r\n[\s\S]*\r\n\r\nYou are at 8\d% of 10K \(\d+K used\)\.\r\n$/)])
    expect((await notify()).stdout).not.toMatch(/^nina:/m) // within the 24 h interval
    await fillTo(9450) // 92%: a higher threshold notifies at once
    expect((await notify()).stdout).toMatch(/^nina: 9\d% of quota, notified \(rule r90, 90%\)$/m)
    expect((await notices()).length).toBe(2)
    // Under every threshold: the record is cleared, so 85% again notifies at once.
    await withStore(async (s) => {
      const session = s.session('nina'); const v = session.open('INBOX')
      v.storeFlags([...v.uids()], { mode: 'add', flags: ['\\Deleted'] }); await v.expunge(); v.close(); session.close()
    })
    expect((await notify()).stdout).not.toMatch(/^nina:/m)
    await fillTo(8700)
    expect((await notify()).stdout).toMatch(/^nina: 8\d% of quota, notified \(rule r80, 80%\)$/m)
  })
})
