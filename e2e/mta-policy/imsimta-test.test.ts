// Outside-in: an administrator configures a rewrite rule and a channel with msconfig, then checks
// routing with `imsimta test -rewrite` and a mapping table with `imsimta test -mapping`, all through
// the bin/ tools (spec 01 §9 test: `example.org $U%D@tcp_example-daemon` → channel tcp_example).
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
let dataRoot = ''

function tool(name: string, args: string[], input?: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((res) => {
    const child = execFile(join(root, 'bin', name), args, { env: { ...process.env, WREN_DATA: dataRoot }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0
      res({ code, out: stdout, err: stderr })
    })
    if (input !== undefined) child.stdin!.end(input)
  })
}

beforeAll(async () => {
  dataRoot = mkdtempSync(join(tmpdir(), 'wren-e2e-imsimta-'))
  for (const args of [
    ['set', 'rewrite.rule', 'example.org $U%D@tcp_example-daemon'],
    ['set', 'channel:tcp_example.smtp'],
    ['set', 'channel:tcp_example.official_host_name', 'tcp_example-daemon'],
    ['set', 'mapping:INTERNAL_IP.rule', '$(192.45.67.0/24) $Y'],
  ]) {
    const r = await tool('msconfig', args)
    expect(r.code, r.err).toBe(0)
  }
}, 180_000)

afterAll(() => { if (dataRoot) rmSync(dataRoot, { recursive: true, force: true }) })

describe('imsimta test through bin/', () => {
  it('test -rewrite shows the configured channel', async () => {
    const r = await tool('imsimta', ['test', '-rewrite', 'joe@example.org'])
    expect(r.code, r.err).toBe(0)
    expect(r.out).toContain('  forward channel           = tcp_example\n')
    expect(r.out).toContain('envelope To: address      = joe@example.org (route (tcp_example-daemon,tcp_example-daemon)) (host example.org)')
  })

  it('test -rewrite -debug shows the rule trace; other domains go to tcp_local', async () => {
    const r = await tool('imsimta', ['test', '-rewrite', '-debug', 'alan@very.bogus.com'])
    expect(r.code, r.err).toBe(0)
    expect(r.out).toContain('    Rewrite: ".", position 0, hash table -\n      Found: "$U%$H@tcp-daemon"')
    expect(r.out).toContain('  forward channel           = tcp_local\n')
  })

  it('test -mapping answers from the configured INTERNAL_IP table', async () => {
    const r = await tool('imsimta', ['test', '-mapping'], 'INTERNAL_IP\n192.45.67.89\n')
    expect(r.code, r.err).toBe(0)
    expect(r.out).toContain('Output flags: [89]')
  })

  it('test -match answers Match./No match. with the saved wildcards', async () => {
    const r = await tool('imsimta', ['test', '-match', '-pattern=$(192.45.67.0/24)', '192.45.67.89', '10.0.0.1'])
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/^Match\.\n[\s\S]*No match\.\n$/)
  })

  it('version and cnbuild: the live configuration is compiled as the MTA would, errors located', async () => {
    const v = await tool('imsimta', ['version'])
    expect(v.code, v.err).toBe(0)
    expect(v.out).toMatch(/^Wren Messaging Server \S+ /)
    const ok = await tool('imsimta', ['cnbuild'])
    expect(ok.code, ok.err).toBe(0)
    expect(ok.out).toMatch(/1 configured rewrite rules .* checked: 0 errors/)
    const bad = await tool('msconfig', ['set', 'mapping:X-CHECK.rule', '*|* $|NO-SUCH-TABLE;$0|'])
    expect(bad.code, bad.err).toBe(0)
    const r = await tool('imsimta', ['cnbuild'])
    expect(r.code).toBe(1)
    expect(r.err).toContain('%CNBUILD-E, mapping:X-CHECK entry 1 (*|*): nested lookup of an undefined table NO-SUCH-TABLE')
    expect((await tool('msconfig', ['unset', 'mapping:X-CHECK.rule'])).code).toBe(0)
    expect((await tool('imsimta', ['cnbuild'])).code).toBe(0)
  })
})

describe('cnbuild: rewrite rules the MTA cannot use', () => {
  it('a rule with an empty channel tag (`broken.test $U%$D@`) is an error: line located, exit 1', async () => {
    const set = await tool('msconfig', ['set', 'rewrite.rule', 'broken.test $U%$D@'])
    expect(set.code, set.err).toBe(0)
    try {
      const r = await tool('imsimta', ['cnbuild'])
      expect(r.code, r.out + r.err).toBe(1)
      expect(r.err).toMatch(/%CNBUILD-E, rewrite\.rule line \d+ \(broken\.test\): template \$U%\$D@ has an empty channel tag after @\n/)
      expect(r.out).toMatch(/configured rewrite rules .* checked: 1 errors/)
    } finally {
      const un = await tool('msconfig', ['unset', 'rewrite.rule', 'broken.test $U%$D@'])
      expect(un.code, un.err).toBe(0)
    }
    expect((await tool('imsimta', ['cnbuild'])).code).toBe(0)
  })
})
