// sendmail (spec 02 §11) on a real data root: configuration with base.defaultdomain, the embedded
// directory, the queue and mail.log. Runs `bin/sendmail` as cron does, and in-process through the
// same `run(argv, io)` for the variants. No server runs: what sendmail queued is read from the queue.
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openConfig } from '@wren/config'
import { openDirectory } from '@wren/directory'
import { memoryIO } from '../io.js'
import { runTool } from '../main.js'
import { addressesIn, isMailbox } from './sendmail.js'

const BIN = resolve(import.meta.dirname, '../../../../bin')
const ACTOR = { actor: 'test', source: 'cli' }
let root = ''

function bin(args: string[], stdin: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = execFile(join(BIN, 'sendmail'), args, { env: { ...process.env, WREN_DATA: root, USER: 'cronuser' }, timeout: 60_000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
    child.stdin!.end(stdin)
  })
}

async function tool(args: string[], stdin: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const m = memoryIO({ stdin, env: { WREN_DATA: root, USER: 'cronuser' } })
  const code = await runTool('sendmail', args, m.io)
  return { code, stdout: m.stdout(), stderr: m.stderr() }
}

interface Queued { file: string; text: string; envelope: { from: string; channel: string; recipients: Array<{ to: string; origTo: string }> } }

/** Every message file in the queue: the message and its envelope (the JSON line after it). */
function queued(): Queued[] {
  const out: Queued[] = []
  const walk = (dir: string) => {
    if (!existsSync(dir)) return
    for (const name of readdirSync(dir)) {
      const p = join(dir, name)
      if (statSync(p).isDirectory()) { walk(p); continue }
      const all = readFileSync(p, 'utf8')
      const at = all.lastIndexOf('\n{"channel"')
      if (at < 0) continue
      out.push({ file: p, text: all.slice(0, at), envelope: JSON.parse(all.slice(at + 1, all.indexOf('\n', at + 1))) })
    }
  }
  walk(join(root, 'queue'))
  return out
}
const withSubject = (subject: string) => queued().filter((q) => q.text.includes(`Subject: ${subject}\r\n`))
const mailLog = () => { try { return readFileSync(join(root, 'log', 'mail.log_current'), 'utf8') } catch { return '' } }

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'wren-sendmail-'))
  const cfg = await openConfig(root)
  cfg.set('base.defaultdomain', 'wren.test')
  cfg.set('base.hostname', 'mail.wren.test')
  await cfg.write({ remark: 'sendmail test' })
  const dir = await openDirectory({ dataRoot: root, config: cfg.view() })
  try {
    if (!(await dir.getDomain('wren.test'))) await dir.createDomain({ name: 'wren.test' }, ACTOR)
    for (const uid of ['joe', 'ann', 'root', 'cronuser']) await dir.createUser({ uid, password: 'x' }, ACTOR)
  } finally {
    await dir.close()
    await cfg.close()
  }
})
afterAll(() => { if (root) rmSync(root, { recursive: true, force: true }) })

describe('sendmail: a line with only "." ends the message unless -i / -oi', () => {
  it('bin/sendmail without -i stops at the dot line (the dot line is not queued)', async () => {
    const r = await bin(['-f', 'root@wren.test', 'ann@wren.test'], 'Subject: cron-dot\n\nline1\n.\nline after dot\n')
    expect(r).toMatchObject({ code: 0, stderr: '' })
    const [q] = withSubject('cron-dot')
    expect(q.text).toMatch(/\r\n\r\nline1\r\n$/)
    expect(q.text).not.toContain('line after dot')
  })

  it('bin/sendmail -i and -oi keep dots ordinary', async () => {
    for (const flag of ['-i', '-oi']) {
      const subject = `cron-dot${flag}`
      const r = await bin([flag, '-f', 'root@wren.test', 'ann@wren.test'], `Subject: ${subject}\n\nline1\n.\nline after dot\n`)
      expect(r).toMatchObject({ code: 0, stderr: '' })
      expect(withSubject(subject)[0].text).toMatch(/\r\n\r\nline1\r\n\.\r\nline after dot\r\n$/)
    }
  })

  it('grouped and separated forms (-ti, -it, -o i), a dot at end of input, a dot in the header section', async () => {
    for (const args of [['-ti'], ['-it'], ['-t', '-o', 'i'], ['-t', '-oi']]) {
      const subject = `forms${args.join('')}`
      expect(await tool(args, `To: ann@wren.test\nSubject: ${subject}\n\na\n.\nb\n`)).toMatchObject({ code: 0, stderr: '' })
      expect(withSubject(subject)[0].text).toMatch(/\r\na\r\n\.\r\nb\r\n$/)
    }
    expect((await tool(['ann@wren.test'], 'Subject: dot-eof\n\nbody\n.')).code).toBe(0)
    expect(withSubject('dot-eof')[0].text).toMatch(/\r\n\r\nbody\r\n$/)
    // ".." is not a terminator (only a lone dot is); a dot line inside the headers ends the message there.
    expect((await tool(['ann@wren.test'], 'Subject: dot-dot\n\n..\nmore\n')).code).toBe(0)
    expect(withSubject('dot-dot')[0].text).toMatch(/\r\n\r\n\.\.\r\nmore\r\n$/)
    expect((await tool(['ann@wren.test'], 'Subject: dot-head\n.\nX-After: yes\n\nbody\n')).code).toBe(0)
    expect(withSubject('dot-head')[0].text).not.toContain('X-After')
  })
})

describe('sendmail: bare local parts get the default domain (base.defaultdomain)', () => {
  it('bin/sendmail joe → rfc822;joe@wren.test, and -f root → root@wren.test', async () => {
    const r = await bin(['-f', 'root', 'joe'], 'Subject: qualify-cli\n\nx\n')
    expect(r).toMatchObject({ code: 0, stderr: '' })
    const [q] = withSubject('qualify-cli')
    expect(q.envelope.from).toBe('root@wren.test')
    expect(q.envelope.recipients.map((x) => x.origTo)).toEqual(['joe@wren.test'])
    expect(q.text).toMatch(/^From: root@wren\.test\r$/m)
    expect(mailLog()).toMatch(/ l ims-ms E \d+ root@wren\.test rfc822;joe@wren\.test joe@ims-ms-daemon/)
    expect(mailLog()).not.toMatch(/rfc822;joe /)
  })

  it('-t qualifies To/Cc/Bcc; the default sender is $USER@defaultdomain', async () => {
    const r = await tool(['-t'], 'To: Joe <joe>, "Smith, Ann" <ann@wren.test>\nCc: root (the admin)\nBcc: undisclosed:cronuser;\nSubject: qualify-t\n\nx\n')
    expect(r).toMatchObject({ code: 0, stderr: '' })
    const [q] = withSubject('qualify-t')
    expect(q.envelope.from).toBe('cronuser@wren.test')
    expect(q.envelope.recipients.map((x) => x.origTo).sort()).toEqual(['ann@wren.test', 'cronuser@wren.test', 'joe@wren.test', 'root@wren.test'])
    expect(q.text).not.toMatch(/^Bcc:/m)
  })
})

describe('sendmail: invalid addresses are refused with EX_USAGE, nothing queued', () => {
  it("bin/sendmail 'a b@@x' exits 64 naming the address", async () => {
    const before = queued().length
    const r = await bin(['a b@@x'], 'Subject: invalid-cli\n\nx\n')
    expect(r.code).toBe(64)
    expect(r.stderr).toContain('invalid address')
    expect(r.stderr).toContain('"a b@@x"')
    expect(queued().length).toBe(before)
    expect(mailLog()).not.toContain('a b@@x')
  })

  it('each bad recipient, header recipient or sender → 64 and nothing queued, even with good ones', async () => {
    const before = queued().length
    const cases: Array<[string[], string, string]> = [
      [['ann@wren.test', 'a b@x'], '', 'a b@x'],
      [['joe@'], '', 'joe@'],
      [['@remote.test'], '', '@remote.test'],
      [['a..b@remote.test'], '', 'a..b@remote.test'],
      [['.a@remote.test'], '', '.a@remote.test'],
      [['a"b@remote.test'], '', 'a"b@remote.test'],
      [['joe@exa mple.org'], '', 'joe@exa mple.org'],
      [['joe@remote..test'], '', 'joe@remote..test'],
      [['joe@[300.1.1.1]'], '', 'joe@[300.1.1.1]'],
      [['joe@remote.test\r\nRCPT TO:<x@y>'], '', 'joe@remote.test'],
      [['-f', 'bad sender@remote.test', 'ann@wren.test'], '', 'bad sender@remote.test'],
      [['-t'], 'To: ann@wren.test, <a b@remote.test>\n', 'a b@remote.test'],
    ]
    for (const [args, head, bad] of cases) {
      const r = await tool(args, `${head}Subject: invalid\n\nx\n`)
      expect([args, r.code]).toEqual([args, 64])
      expect(r.stderr).toContain(JSON.stringify(bad).slice(0, -1))
    }
    expect(queued().length).toBe(before)
  })

  it('accepts quoted local parts, address literals and UTF-8 (RFC 6531); -f "" is the null sender', async () => {
    const r = await tool(['"john doe"@remote.test', 'joe@[192.0.2.1]', 'jöe@bücher.example', 'o\'brien+tag@remote.test'], 'Subject: valid-forms\n\nx\n')
    expect(r).toMatchObject({ code: 0, stderr: '' })
    const tos = withSubject('valid-forms').flatMap((q) => q.envelope.recipients.map((x) => x.origTo)).sort()
    expect(tos).toEqual(['"john doe"@remote.test', 'joe@[192.0.2.1]', 'jöe@bücher.example', "o'brien+tag@remote.test"].sort())
    expect((await tool(['-f', '', 'ann@wren.test'], 'Subject: null-sender\n\nx\n')).code).toBe(0)
    expect(withSubject('null-sender')[0].envelope.from).toBe('')
  })
})

describe('sendmail helpers', () => {
  it('addressesIn reads RFC 5322 address lists', () => {
    expect(addressesIn('"Smith, John" <john@x.test>, ann (comment, here), grp: a@x.test, b@x.test;, <@relay.test:c@x.test>')).toEqual(['john@x.test', 'ann', 'a@x.test', 'b@x.test', 'c@x.test'])
    expect(addressesIn('"a,b"@x.test, joe@[IPv6:2001:db8::1]')).toEqual(['"a,b"@x.test', 'joe@[IPv6:2001:db8::1]'])
    expect(addressesIn('undisclosed-recipients:;')).toEqual([])
  })
  it('isMailbox: RFC 5321 §4.1.2 Mailbox', () => {
    for (const ok of ['a@b.test', 'a.b+c@b.test', '"a b"@b.test', '"a\\"b"@b.test', 'a@[127.0.0.1]', 'a@[IPv6:::1]', 'δοκιμή@παράδειγμα.δοκιμή', '"a@b"@c.test', 'a@xn--bcher-kva.example']) expect([ok, isMailbox(ok)]).toEqual([ok, true])
    for (const bad of ['a', 'a b@b.test', 'a@b@c.test', '"a"b"@c.test', 'a.@b.test', 'a@b.test.', 'a@', '@r.test:a@b.test', 'a@b.test>', 'a@b.test> NOTIFY=NEVER', '"a@b.test']) expect([bad, isMailbox(bad)]).toEqual([bad, false])
  })
})
