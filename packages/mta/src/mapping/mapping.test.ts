import { afterEach, describe, expect, it } from 'vitest'
import { MappingEngine } from './engine.js'
import { registerCallout } from './callouts.js'
import { defaultMappingTables } from './defaults.js'
import { compilePattern, matchPattern } from './pattern.js'
import { parseMappingText, tableFromLines } from './table.js'
import { accessReply } from './access.js'
import { mailAccessProbe, portAccessProbe, sendAccessProbe } from './probes.js'

const cleanups: Array<() => void> = []
afterEach(() => { for (const c of cleanups.splice(0)) c() })

function engine(text: string): MappingEngine {
  return new MappingEngine(parseMappingText(text))
}

describe('mapping file format', () => {
  it('reads table names, indented entries, comments and continuation lines', () => {
    const tables = parseMappingText([
      'ORIG_MAIL_ACCESS',
      '! a comment',
      '  TCP|$@*|$@*|$@*|$@*|SMTP|MAIL|tcp_local|*|l|* \\',
      '     $C$[IMTA_LIB:check_metermaid.so,greylisting,greylist,$0|$1|$2]\\',
      '     $N$X4.5.1|Temporary$ failure$ -$ retry$ later$E',
      '',
      'X-TWO',
      '  a  $Yone',
      '  b\t$Ntwo',
    ].join('\n'))
    expect(tables.map((t) => t.name)).toEqual(['ORIG_MAIL_ACCESS', 'X-TWO'])
    expect(tables[0]!.entries).toEqual([{
      pattern: 'TCP|$@*|$@*|$@*|$@*|SMTP|MAIL|tcp_local|*|l|*',
      template: '$C$[IMTA_LIB:check_metermaid.so,greylisting,greylist,$0|$1|$2]$N$X4.5.1|Temporary$ failure$ -$ retry$ later$E',
    }])
    expect(tables[1]!.entries).toEqual([{ pattern: 'a', template: '$Yone' }, { pattern: 'b', template: '$Ntwo' }])
  })

  it('keeps `$ ` (quoted space) inside a pattern', () => {
    const t = tableFromLines('X', ['a$ b $Yspace'])
    expect(t.entries[0]).toEqual({ pattern: 'a$ b', template: '$Yspace' })
  })
})

describe('patterns', () => {
  it('matches case-insensitively and saves wildcards in original case', () => {
    expect(matchPattern('*@EXAMPLE.com', 'Joe@example.COM')).toEqual(['Joe'])
    expect(matchPattern('%%x*', 'abxYZ')).toEqual(['a', 'b', 'YZ'])
    expect(matchPattern('a*', 'b')).toBeUndefined()
  })

  it('$@ does not save, $_ is non-greedy', () => {
    expect(matchPattern('$@*|*', 'a|b|c')).toEqual(['c'])
    expect(matchPattern('$_*|*', 'a|b|c')).toEqual(['a', 'b|c'])
  })

  it('$D* and $H* match only digits / hex (the /24 and /64 greylisting keys, spec 01 §18)', () => {
    expect(matchPattern('$D*.$D*.$D*.$@*', '192.168.12.5')).toEqual(['192', '168', '12'])
    expect(matchPattern('$D*.$D*.$D*.$@*', 'a.b.c.d')).toBeUndefined()
    expect(matchPattern('$H*:$H*:$H*:$H*:$@*', '2001:db8:0:1:0:0:0:5')).toEqual(['2001', 'db8', '0', '1'])
  })

  it('$[…] matches one character of the set (Table 10-3), `\\-` is a literal hyphen', () => {
    // X-CORRESPONDENT (spec 01 §18): strip subaddress / VERP material
    expect(matchPattern('$_*$[+=\\-%]*@*', 'joe+list@example.com')).toEqual(['joe', '+', 'list', 'example.com'])
    expect(matchPattern('$_*$[+=\\-%]*@*', 'joe-bounce=x@example.com')).toEqual(['joe', '-', 'bounce=x', 'example.com'])
    expect(matchPattern('$[a-c]x', 'bx')).toEqual(['b'])
    expect(matchPattern('$[a-c]x', 'dx')).toBeUndefined()
  })

  it('$(net/bits) matches IPv4 and IPv6 subnets (INTERNAL_IP)', () => {
    expect(matchPattern('$(192.45.67.0/24)', '192.45.67.89')).toEqual(['192.45.67.89'])
    expect(matchPattern('$(192.45.67.0/24)', '192.45.68.1')).toBeUndefined()
    expect(matchPattern('$(2001:db8::/32)', '2001:db8:ffff::1')).toBeTruthy()
    expect(matchPattern('$(2001:db8::/32)', '2001:db9::1')).toBeUndefined()
    expect(matchPattern('TCP|*|*|$(10.0.0.0/8)|*', 'TCP|1.2.3.4|25|10.9.8.7|5000')).toEqual(['1.2.3.4', '25', '10.9.8.7', '5000'])
    expect(matchPattern('$(127.0.0.1/32)', '::ffff:127.0.0.1')).toBeTruthy()
  })

  it('stays fast on long probes that do not match', () => {
    const p = compilePattern('*|*|*|*|*|*|*|*|x')
    const probe = Array(40).fill('aaaaaaaaaa').join('|')
    const t = Date.now()
    expect(matchPattern(p.source, probe)).toBeUndefined()
    expect(Date.now() - t).toBeLessThan(500)
  })
})

describe('templates and evaluation', () => {
  it('PORT_ACCESS default: internal IPs accepted, others tagged EXTERNAL (spec 01 §12)', async () => {
    const e = new MappingEngine(defaultMappingTables(['192.45.67.89']))
    const internal = await e.lookup('PORT_ACCESS', 'TCP|192.45.67.89|25|127.0.0.1|41000', 'A')
    expect(internal).toMatchObject({ matched: true, accept: true, output: '' })
    expect(internal.flags).toContain('E')
    const host = await e.lookup('PORT_ACCESS', 'TCP|192.45.67.89|25|192.45.67.89|41000', 'A')
    expect(host).toMatchObject({ accept: true, output: '' })
    const external = await e.lookup('PORT_ACCESS', 'TCP|192.45.67.89|25|203.0.113.9|41000', 'A')
    expect(external).toMatchObject({ matched: true, accept: true, output: 'EXTERNAL', text: 'EXTERNAL' })
  })

  it('INTERNAL_IP with the manual’s subnet examples', async () => {
    const e = engine([
      'INTERNAL_IP',
      '! Match IP addresses in the range 192.45.67.80-192.45.67.95',
      '  $(192.45.67.80/28) $Y',
      '! Match IP addresses in the range 192.45.67.96-192.45.67.99',
      '  $(192.45.67.96/30) $Y',
      '  $(2001:db8:1::/48) $Y',
      '  127.0.0.1 $Y',
      '  * $N',
    ].join('\n'))
    const yes = async (ip: string) => (await e.lookup('INTERNAL_IP', ip)).accept
    expect(await yes('192.45.67.80')).toBe(true)
    expect(await yes('192.45.67.95')).toBe(true)
    expect(await yes('192.45.67.99')).toBe(true)
    expect(await yes('192.45.67.79')).toBe(false)
    expect(await yes('192.45.67.100')).toBe(false)
    expect(await yes('127.0.0.1')).toBe(true)
    expect(await yes('2001:db8:1:2::3')).toBe(true)
    expect(await yes('2001:db8:2::3')).toBe(false)
  })

  it('ORIG_SEND_ACCESS relay denial: 530 5.7.1 with AUTH offered, 550 5.7.1 otherwise (spec 01 §12, §22)', async () => {
    const e = new MappingEngine(defaultMappingTables([]))
    const probe = sendAccessProbe({ sourceChannel: 'tcp_local', sender: 'harold@example.org', destinationChannel: 'tcp_local', recipient: 'alan@very.bogus.com' })
    expect(probe).toBe('tcp_local|harold@example.org|tcp_local|alan@very.bogus.com')
    const r = await e.lookup('ORIG_SEND_ACCESS', probe)
    expect(r).toMatchObject({ matched: true, reject: true, accept: false, text: 'Relaying not permitted' })
    expect(accessReply('ORIG_SEND_ACCESS', r, { address: 'alan@very.bogus.com', authAvailable: true }).line)
      .toBe('530 5.7.1 Relaying not permitted: alan@very.bogus.com')
    expect(accessReply('ORIG_SEND_ACCESS', r, { address: 'alan@very.bogus.com', authAvailable: false }).line)
      .toBe('550 5.7.1 Relaying not permitted: alan@very.bogus.com')
    // to a local recipient (dst l) or from an internal source channel: no match, no refusal
    expect((await e.lookup('ORIG_SEND_ACCESS', 'tcp_local|harold@example.org|l|bob@example.com')).matched).toBe(false)
    expect((await e.lookup('ORIG_SEND_ACCESS', 'tcp_intranet|a@example.com|tcp_local|x@else.org')).matched).toBe(false)
  })

  it('$X gives the enhanced code and a 4xx reply; a leading SMTP code in the text is used', async () => {
    const e = engine([
      'ORIG_SEND_ACCESS',
      '  *|*@example.com|*|* $X4.2.1|$NHost$ temporarily$ blocked',
      'PORT_ACCESS',
      '  TCP|*|25|192.0.2.7|* $N400$ can\'t$ connect$ now',
    ].join('\n'))
    const r = await e.lookup('ORIG_SEND_ACCESS', 'tcp_local|bob@example.com|l|x@local.test')
    expect(r).toMatchObject({ reject: true, enhancedCode: '4.2.1', text: 'Host temporarily blocked' })
    expect(accessReply('ORIG_SEND_ACCESS', r).line).toBe('451 4.2.1 Host temporarily blocked')
    const p = await e.lookup('PORT_ACCESS', 'TCP|10.0.0.1|25|192.0.2.7|999')
    expect(p).toMatchObject({ reject: true, smtpCode: 400, text: "can't connect now" })
    expect(accessReply('PORT_ACCESS', p).line).toBe("400 4.7.1 can't connect now")
  })

  it('MeterMaid canonical PORT_ACCESS with a registered callout; $:A limits it to the dispatcher probe (spec 01 §17)', async () => {
    const hits = new Map<string, number>()
    const calls: string[][] = []
    cleanups.push(registerCallout('check_metermaid', (routine, args) => {
      calls.push([routine, ...args])
      if (routine !== 'throttle') return { ok: false }
      const key = `${args[0]}/${args[1]}`
      const n = (hits.get(key) ?? 0) + 1
      hits.set(key, n)
      return { ok: n > 10 }
    }))
    const e = new MappingEngine([
      ...defaultMappingTables(['198.51.100.1']).filter((t) => t.name !== 'PORT_ACCESS'),
      tableFromLines('PORT_ACCESS', [
        '*|*|*|*|* $C$|INTERNAL_IP;$3|$Y$E',
        '*|*|*|*|* $C$:A$[IMTA_LIB:check_metermaid.so,throttle,ext_throttle,$3]$N421$ Connection$ declined$ at$ this$ time$E',
        '* $YEXTERNAL',
      ]),
    ])
    const probe = portAccessProbe({ localIp: '198.51.100.1', localPort: 25, remoteIp: '203.0.113.50', remotePort: 4000 })
    for (let i = 1; i <= 10; i++) {
      expect((await e.lookup('PORT_ACCESS', probe, 'A')).output).toBe('EXTERNAL')
    }
    const eleventh = await e.lookup('PORT_ACCESS', probe, 'A')
    expect(eleventh).toMatchObject({ reject: true, smtpCode: 421, text: 'Connection declined at this time' })
    expect(accessReply('PORT_ACCESS', eleventh).line).toBe('421 4.7.1 Connection declined at this time')
    expect(calls[0]).toEqual(['throttle', 'ext_throttle', '203.0.113.50'])
    // without A (the SMTP server's own probe) the callout is not reached, so nothing is counted twice
    const before = calls.length
    expect((await e.lookup('PORT_ACCESS', probe)).output).toBe('EXTERNAL')
    expect(calls.length).toBe(before)
    // internal addresses are never throttled
    const internal = portAccessProbe({ localIp: '198.51.100.1', localPort: 25, remoteIp: '127.0.0.1', remotePort: 4000 })
    for (let i = 0; i < 15; i++) expect((await e.lookup('PORT_ACCESS', internal, 'A')).accept).toBe(true)
    expect(calls.length).toBe(before)
  })

  it('greylisting entry: callout success → 451 4.5.1 Temporary failure - retry later (spec 01 §18)', async () => {
    const seen = new Set<string>()
    cleanups.push(registerCallout('check_metermaid', (routine, args) => {
      if (routine !== 'greylisting') return { ok: false }
      const key = args.slice(1).join(',')
      const first = !seen.has(key)
      seen.add(key)
      return { ok: first }
    }))
    const e = engine([
      'ORIG_MAIL_ACCESS',
      '  TCP|$@*|$@*|*|$@*|SMTP|MAIL|tcp_local|*|l|* \\',
      '    $C$[IMTA_LIB:check_metermaid.so,greylisting,greylist,$0|$1|$2]$N$X4.5.1|Temporary$ failure$ -$ retry$ later$E',
    ].join('\n'))
    const probe = mailAccessProbe({ localIp: '10.0.0.1', localPort: 25, remoteIp: '203.0.113.5', remotePort: 5555, sourceChannel: 'tcp_local', sender: 'john@remote.example', destinationChannel: 'l', recipient: 'susan@example.com' })
    expect(probe).toBe('TCP|10.0.0.1|25|203.0.113.5|5555|SMTP|MAIL|tcp_local|john@remote.example|l|susan@example.com')
    const first = await e.lookup('ORIG_MAIL_ACCESS', probe)
    expect(accessReply('ORIG_MAIL_ACCESS', first).line).toBe('451 4.5.1 Temporary failure - retry later')
    const retry = await e.lookup('ORIG_MAIL_ACCESS', probe)
    expect(retry.matched && retry.reject).toBe(false)
  })

  it('a failing or unknown callout makes the entry fail and matching go on', async () => {
    cleanups.push(registerCallout('/opt/lib/checker.so', () => ({ ok: false })))
    const e = engine(['X', '  * $[checker.so,run,$0]$Nfailed', '  * $[missing.so,run]$Nmissing', '  * $Yfallthrough'].join('\n'))
    expect((await e.lookup('X', 'a')).output).toBe('fallthrough')
  })

  it('callout success substitutes its string', async () => {
    cleanups.push(registerCallout('upper', (_r, args) => ({ ok: true, value: args.join('+').toUpperCase() })))
    const e = engine(['X', '  *@* $[IMTA_LIB:upper.so,go,$0,$1]$Y'].join('\n'))
    expect((await e.lookup('X', 'a@b')).output).toBe('A+B')
  })

  it('nested lookups substitute the other table’s output or fail the entry (X-IS_INTERNAL_CHANNEL)', async () => {
    const e = engine([
      'X-IS_INTERNAL_CHANNEL',
      '  tcp_intranet      $Y',
      '  tcp_submit        $Y',
      '  tcp_auth          $Y',
      '  *                 $N',
      '',
      'X-PROBE',
      '  *|*|* $C$|X-IS_INTERNAL_CHANNEL;$0|PREPOPULATE|$1|$2',
      '  PREPOPULATE|*|* $Ystore:$0:$1$E',
      '  * $Nnot$ internal',
    ].join('\n'))
    expect((await e.lookup('X-PROBE', 'tcp_submit|a@x|b@y')).output).toBe('store:a@x:b@y')
    expect(await e.lookup('X-PROBE', 'tcp_local|a@x|b@y')).toMatchObject({ reject: true, text: 'not internal' })
  })

  it('$C continues with the output as the new probe; without a later match the $C result stands', async () => {
    const e = engine(['X', '  a* $Cb$0', '  bb* $Yfinal-$0', '  z $Cy'].join('\n'))
    expect((await e.lookup('X', 'ab1')).output).toBe('final-1')
    expect((await e.lookup('X', 'z')).output).toBe('y')
  })

  it('$R re-applies the whole table (iterative stripping, SMS example style)', async () => {
    const e = engine([
      'X-VALIDATE-SMS-ADDRESS',
      '  $_*$[.\\-]* $0$2$R',
      '  1%%%%%%%%%% +1$0$1$2$3$4$5$6$7$8$9$Y',
      '  %%%%%%%%%% +1$0$1$2$3$4$5$6$7$8$9$Y',
      '  * $N',
    ].join('\n'))
    expect((await e.lookup('X-VALIDATE-SMS-ADDRESS', '800.555-1212')).output).toBe('+18005551212')
    expect((await e.lookup('X-VALIDATE-SMS-ADDRESS', '1-800-555-1212')).output).toBe('+18005551212')
    expect((await e.lookup('X-VALIDATE-SMS-ADDRESS', '123')).reject).toBe(true)
  })

  it('flag tests $:S / $;T against the input flags', async () => {
    const e = engine(['FROM_ACCESS', '  * $:S$Yauthenticated', '  * $;T$Nplaintext', '  * $Ytls'].join('\n'))
    expect((await e.lookup('FROM_ACCESS', 'x', 'S')).output).toBe('authenticated')
    expect((await e.lookup('FROM_ACCESS', 'x', '')).text).toBe('plaintext')
    expect((await e.lookup('FROM_ACCESS', 'x', 'T')).output).toBe('tls')
  })

  it('$= … $_ quotes substituted values for LDAP URLs; $\\ and $^ change case', async () => {
    const e = engine(['X', '  *|* $=$0$_|$\\$1$Y', '  * $^$0$Y'].join('\n'))
    expect((await e.lookup('X', 'a(b)*c|MiXed')).output).toBe('a%5C28b%5C29%5C2ac|mixed')
    expect((await e.lookup('X', 'abc')).output).toBe('ABC')
  })

  it('no table or no match answers matched=false', async () => {
    const e = engine(['X', '  a $Y'].join('\n'))
    expect((await e.lookup('X', 'b')).matched).toBe(false)
    expect((await e.lookup('NOPE', 'b')).matched).toBe(false)
  })

  it('bad entries are reported and skipped, not thrown', async () => {
    const e = engine(['X', '  $(999.1.1.1/8) $Nbad', '  * $Yok'].join('\n'))
    expect((await e.lookup('X', '1.2.3.4')).output).toBe('ok')
    expect(e.errors.length).toBe(1)
  })
})
