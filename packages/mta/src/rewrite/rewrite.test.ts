import { describe, expect, it, vi } from 'vitest'
import { staticConfigView } from '@wren/kernel'
import { memoryIO } from '@wren/cli/io'
import { channelsFromConfig } from '../channels/channels.js'
import { buildRewriter, splitAddress, validateRewriteRule, Rewriter, rewriteRulesFromConfig, type RewriteRule } from './rewrite.js'
import { MappingEngine } from '../mapping/engine.js'
import { parseMappingText } from '../mapping/table.js'
import { runTestRewrite } from './test-rewrite-command.js'

const HOST = 'mail.example.com'

function rewriter(values: Record<string, string | string[] | number> = {}) {
  const config = staticConfigView({ 'base.defaultdomain': 'example.com', ...values })
  return buildRewriter(config, channelsFromConfig(config, { hostname: HOST }), { hostname: HOST })
}

describe('rewrite rules', () => {
  it('the manual’s rule: example.org $U%D@tcp_example-daemon → channel tcp_example (spec 01 §9)', () => {
    const rw = rewriter({
      'rewrite.rule': ['example.org $U%D@tcp_example-daemon'],
      'channel:tcp_example.smtp': '',
      'channel:tcp_example.official_host_name': 'tcp_example-daemon',
    })
    expect(rw.rewrite('joe@example.org')).toMatchObject({
      ok: true, channel: 'tcp_example', address: 'joe@example.org', host: 'example.org', routeTag: 'tcp_example-daemon',
    })
    // the same with the reference form $U%$D
    const rw2 = rewriter({ 'rewrite.rule': ['example.org $U%$D@tcp_example-daemon'], 'channel:tcp_example.smtp': '' })
    expect(rw2.rewrite('joe@EXAMPLE.org')).toMatchObject({ channel: 'tcp_example', address: 'joe@EXAMPLE.org' })
  })

  it('default rules: local domain and host → l, anything else → tcp_local', () => {
    const rw = rewriter()
    expect(rw.rewrite('bob@example.com')).toMatchObject({ ok: true, channel: 'l', address: 'bob@example.com', routeTag: HOST })
    expect(rw.rewrite('bob@mail.example.com')).toMatchObject({ channel: 'l' })
    expect(rw.rewrite('postmaster')).toMatchObject({ channel: 'l', address: 'postmaster@example.com' })
    expect(rw.rewrite('<alan@very.bogus.com>')).toMatchObject({ channel: 'tcp_local', address: 'alan@very.bogus.com', routeTag: 'tcp-daemon' })
    expect(rw.rewrite('bob@ims-ms-daemon')).toMatchObject({ channel: 'ims-ms', address: 'bob@ims-ms-daemon' })
    expect(rw.rewrite('bob@[127.0.0.1]')).toMatchObject({ channel: 'l' })
    expect(rw.rewrite('bob@[192.0.2.7]')).toMatchObject({ channel: 'tcp_local', address: 'bob@[192.0.2.7]' })
  })

  it('most specific pattern wins: host, then .parent domains, then ., then $*', () => {
    const rw = rewriter({
      'channel:tcp_a.smtp': '', 'channel:tcp_b.smtp': '', 'channel:tcp_c.smtp': '',
      'rewrite.rule': [
        '.example.net $U%$H$D@tcp_a-daemon',
        'deep.sub.example.net $U%$D@tcp_b-daemon',
        '.sub.example.net $U%$H$D@tcp_c-daemon',
      ],
    })
    expect(rw.rewrite('x@deep.sub.example.net').channel).toBe('tcp_b')
    expect(rw.rewrite('x@other.sub.example.net')).toMatchObject({ channel: 'tcp_c', address: 'x@other.sub.example.net' })
    expect(rw.rewrite('x@www.example.net')).toMatchObject({ channel: 'tcp_a', address: 'x@www.example.net' })
    expect(rw.rewrite('x@example.org').channel).toBe('tcp_local')
  })

  it('$? rejects, $N and $B/$F pass to the next rule with the same pattern', () => {
    const rw = rewriter({
      'channel:tcp_x.smtp': '',
      'rewrite.rule': [
        'bad.example $?Invalid$ address',
        'dir.example $B$U%$D@tcp_x-daemon',
        'dir.example $U%$D@tcp-daemon',
        'no.example $N',
      ],
    })
    expect(rw.rewrite('a@bad.example')).toMatchObject({ ok: false, error: 'Invalid address' })
    expect(rw.rewrite('a@dir.example', { direction: 'backward' }).channel).toBe('tcp_x')
    expect(rw.rewrite('a@dir.example', { direction: 'forward' }).channel).toBe('tcp_local')
    expect(rw.rewrite('a@no.example').channel).toBe('tcp_local') // falls to the `.` rule
  })

  it('a tag that is not a channel is routed like a host', () => {
    const rw = rewriter({ 'rewrite.rule': ['legacy.example $U%$D@relay.example.com'] })
    expect(rw.rewrite('a@legacy.example')).toMatchObject({ ok: true, channel: 'tcp_local', address: 'a@legacy.example' })
  })

  it('rules may look up mapping tables: the manual’s SMS example (${X-REWRITE-SMS-ADDRESS,$U} then $?)', async () => {
    const rw = rewriter({
      'channel:sms.official_host_name': 'sms.example.org',
      'rewrite.rule': ['sms.example.org ${X-REWRITE-SMS-ADDRESS, $U}@sms.example.org', 'sms.example.org $?Invalid$ SMS$ address'],
    })
    const mapping = new MappingEngine(parseMappingText([
      'X-VALIDATE-SMS-ADDRESS',
      '  $_*$[.\\-]* $0$2$R',
      '  1%%%%%%%%%% +1$0$1$2$3$4$5$6$7$8$9$Y',
      '  %%%%%%%%%% +1$0$1$2$3$4$5$6$7$8$9$Y',
      '  * $N',
      '',
      'X-REWRITE-SMS-ADDRESS',
      '  * $C$|X-VALIDATE-SMS-ADDRESS;$0|$Y$E',
      '  * $N',
    ].join('\n')))
    expect(await rw.rewriteAsync('800.555.1212@sms.example.org', mapping)).toMatchObject({ ok: true, channel: 'sms', address: '+18005551212@sms.example.org' })
    expect(await rw.rewriteAsync('123@sms.example.org', mapping)).toMatchObject({ ok: false, error: 'Invalid SMS address' })
    // the synchronous path cannot run lookups: it skips such rules
    expect(rw.rewrite('800.555.1212@sms.example.org')).toMatchObject({ ok: false, error: 'Invalid SMS address' })
    // rules without lookups behave the same on both paths
    expect(await rw.rewriteAsync('bob@example.com', mapping)).toMatchObject({ channel: 'l' })
  })

  it('a template with an empty channel tag is invalid: reported and skipped, not routed through an empty host', () => {
    expect(validateRewriteRule({ pattern: 'broken.test', template: '$U%$D@' })).toBe('template $U%$D@ has an empty channel tag after @')
    expect(validateRewriteRule({ pattern: 'broken.test', template: '$U%$D@$E' })).toMatch(/empty channel tag/)
    expect(validateRewriteRule({ pattern: 'broken.test', template: '$U@' })).toMatch(/empty channel tag/)
    expect(validateRewriteRule({ pattern: 'broken.test', template: '' })).toBe('no template')
    for (const template of ['$U%$D@tcp-daemon', '$U%D@tcp_example-daemon', '$?No$ such$ domain', '$N', '$U@relay.example.com', '${X-SMS,$U}@sms.example.org']) {
      expect(validateRewriteRule({ pattern: 'ok.test', template }), template).toBeUndefined()
    }
    const config = staticConfigView({
      'base.defaultdomain': 'example.com',
      'channel:tcp_x.smtp': '',
      'rewrite.rule': ['broken.test $U%$D@', 'broken.test $U%$D@tcp_x-daemon'],
    })
    const invalid: Array<[RewriteRule, string]> = []
    const rw = new Rewriter(rewriteRulesFromConfig(config), channelsFromConfig(config, { hostname: HOST }), 'example.com', (r, why) => void invalid.push([r, why]))
    expect(invalid).toEqual([[{ pattern: 'broken.test', template: '$U%$D@' }, 'template $U%$D@ has an empty channel tag after @']])
    expect(rw.list().map((r) => r.template)).toEqual(['$U%$D@tcp_x-daemon'])
    expect(rw.rewrite('x@broken.test')).toMatchObject({ ok: true, channel: 'tcp_x', rule: 'broken.test $U%$D@tcp_x-daemon' })
    // the default handler logs a warning (the MTA's services write stderr to their log)
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      buildRewriter(staticConfigView({ 'base.defaultdomain': 'example.com', 'rewrite.rule': ['broken.test $U%$D@'] }), channelsFromConfig(config, { hostname: HOST }), { hostname: HOST })
      expect(warn).toHaveBeenCalledWith('%REWRITE-W, rewrite.rule broken.test $U%$D@: template $U%$D@ has an empty channel tag after @; rule ignored')
    } finally { warn.mockRestore() }
  })

  it('splitAddress handles quoted local parts', () => {
    expect(splitAddress('"a@b"@example.com')).toEqual({ local: '"a@b"', domain: 'example.com' })
  })
})

describe('imsimta test -rewrite', () => {
  const config = staticConfigView({
    'base.defaultdomain': 'example.com',
    'rewrite.rule': ['example.org $U%D@tcp_example-daemon'],
    'channel:tcp_example.smtp': '',
    'channel:tcp_example.official_host_name': 'tcp_example-daemon',
  })

  it('prints the channel and the rewritten address', async () => {
    const m = memoryIO()
    const code = await runTestRewrite(['-rewrite', 'joe@example.org'], m.io, { config, hostname: HOST })
    expect(code).toBe(0)
    const out = m.stdout()
    expect(out).toContain('  forward channel           = tcp_example\n')
    expect(out).toContain('  envelope To: address      = joe@example.org (route (tcp_example-daemon,tcp_example-daemon)) (host example.org)\n')
    expect(out).toContain('Submitted address list:\n  tcp_example\n    joe@example.org (orig joe@example.org, inter joe@example.org, host example.org)')
    expect(out).not.toContain('Rewrite:')
  })

  it('-debug shows the rule lookups', async () => {
    const m = memoryIO()
    await runTestRewrite(['-rewrite', '-debug', 'joe@example.org'], m.io, { config, hostname: HOST })
    expect(m.stdout()).toContain('    Rewrite: "example.org", position 0, hash table -\n      Found: "$U%D@tcp_example-daemon"')
  })

  it('prompts for addresses when none is given and reports failures', async () => {
    const m = memoryIO({ answers: ['bob@example.com', 'x@bad.example'] })
    const cfg = staticConfigView({ 'base.defaultdomain': 'example.com', 'rewrite.rule': ['bad.example $?No$ such$ domain'] })
    const code = await runTestRewrite([], m.io, { config: cfg, hostname: HOST })
    expect(code).toBe(1)
    expect(m.stdout()).toContain('Address: ')
    expect(m.stdout()).toContain('forward channel           = l')
    expect(m.stdout()).toContain('Address list error -- No such domain: x@bad.example')
  })

  it('unknown qualifiers are a usage error', async () => {
    const m = memoryIO()
    expect(await runTestRewrite(['-bogus'], m.io, { config, hostname: HOST })).toBe(64)
  })
})
