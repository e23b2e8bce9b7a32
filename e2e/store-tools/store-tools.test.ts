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
