// The createPolicy facade (policy.ts) as the SMTP server uses it: closed relay by default.
import { describe, expect, it } from 'vitest'
import { staticConfigView } from '@wren/kernel'
import { createPolicy } from '../policy.js'

const base = { 'base.defaultdomain': 'example.com' }
const conn = { localIp: '192.0.2.10', localPort: 25, remotePort: 40000 }

describe('createPolicy: the manual’s default (closed) relay policy', () => {
  const policy = createPolicy({ config: staticConfigView(base), hostname: 'mail.example.com', hostAddresses: ['192.0.2.10'] })

  it('PORT_ACCESS: internal clients accepted, others tagged EXTERNAL', async () => {
    expect(await policy.portAccess({ ...conn, remoteIp: '127.0.0.1', dispatcher: true })).toMatchObject({ accept: true, tag: '' })
    expect(await policy.portAccess({ ...conn, remoteIp: '::ffff:203.0.113.7', dispatcher: true })).toMatchObject({ accept: true, tag: 'EXTERNAL' })
    expect(await policy.isInternal('192.0.2.10')).toBe(true)
    expect(await policy.isInternal('192.0.2.11')).toBe(false)
  })

  it('source channel: tcp_intranet for INTERNAL_IP, tcp_auth after AUTH, else tcp_local', async () => {
    expect(await policy.sourceChannel({ listenerChannel: 'tcp_local', remoteIp: '127.0.0.1' })).toBe('tcp_intranet')
    expect(await policy.sourceChannel({ listenerChannel: 'tcp_local', remoteIp: '203.0.113.7' })).toBe('tcp_local')
    expect(await policy.sourceChannel({ listenerChannel: 'tcp_local', remoteIp: '203.0.113.7', authenticated: true })).toBe('tcp_auth')
    expect(await policy.sourceChannel({ listenerChannel: 'tcp_submit', remoteIp: '203.0.113.7' })).toBe('tcp_submit')
  })

  it('an external, unauthenticated client may not relay: 530 5.7.1 (AUTH offered) / 550 5.7.1; local mail and internal/authenticated senders pass', async () => {
    const external = await policy.sourceChannel({ listenerChannel: 'tcp_local', remoteIp: '203.0.113.7' })
    const remote = policy.rewriteAddress('alan@very.bogus.com')
    expect(remote).toMatchObject({ channel: 'tcp_local' })
    const denied = await policy.recipientAccess({ ...conn, remoteIp: '203.0.113.7', sourceChannel: external, sender: 'harold@example.org', destinationChannel: remote.channel, recipient: 'alan@very.bogus.com', authAvailable: true })
    expect(denied).toMatchObject({ accept: false, table: 'ORIG_SEND_ACCESS' })
    expect(denied.reply!.line).toBe('530 5.7.1 Relaying not permitted: alan@very.bogus.com')
    const noAuth = await policy.recipientAccess({ ...conn, remoteIp: '203.0.113.7', sourceChannel: external, sender: 'harold@example.org', destinationChannel: 'tcp_local', recipient: 'alan@very.bogus.com' })
    expect(noAuth.reply!.line).toBe('550 5.7.1 Relaying not permitted: alan@very.bogus.com')

    const local = policy.rewriteAddress('bob@example.com')
    expect(local.channel).toBe('l')
    expect((await policy.recipientAccess({ ...conn, remoteIp: '203.0.113.7', sourceChannel: external, sender: 'harold@example.org', destinationChannel: local.channel, recipient: 'bob@example.com' })).accept).toBe(true)
    expect((await policy.recipientAccess({ ...conn, remoteIp: '127.0.0.1', sourceChannel: 'tcp_intranet', sender: 'a@example.com', destinationChannel: 'tcp_local', recipient: 'alan@very.bogus.com' })).accept).toBe(true)
    expect((await policy.recipientAccess({ ...conn, remoteIp: '203.0.113.7', sourceChannel: 'tcp_auth', sender: 'a@example.com', destinationChannel: 'tcp_local', recipient: 'alan@very.bogus.com', authenticated: true })).accept).toBe(true)
  })
})

describe('createPolicy: configured tables (mapping:<TABLE>.rule)', () => {
  it('a configured table replaces the default of the same name; flags pass through', async () => {
    const config = staticConfigView({
      ...base,
      'mapping:INTERNAL_IP.rule': ['$(10.0.0.0/8) $Y', '* $N'],
      'mapping:FROM_ACCESS.rule': ['*|*|*|*|*|SMTP|MAIL|tcp_local|*@spam.example|* $NSender$ blocked', '*|*|*|*|*|SMTP|MAIL|*|*@hold.example|* $Y$H'],
      'mapping:SEND_ACCESS.rule': ['*|*|*|nobody@example.com $X5.1.1|$NNo$ such$ user'],
    })
    const policy = createPolicy({ config, hostname: 'mail.example.com' })
    expect(await policy.isInternal('10.1.2.3')).toBe(true)
    expect(await policy.isInternal('127.0.0.1')).toBe(false)
    const from = await policy.fromAccess({ ...conn, remoteIp: '203.0.113.7', sourceChannel: 'tcp_local', sender: 'x@spam.example' })
    expect(from.reply!.line).toBe('550 5.7.1 Sender blocked')
    const held = await policy.fromAccess({ ...conn, remoteIp: '203.0.113.7', sourceChannel: 'tcp_local', sender: 'x@hold.example' })
    expect(held).toMatchObject({ accept: true, flags: 'H' })
    const expanded = await policy.recipientAccess({ stage: 'expanded', sourceChannel: 'tcp_local', sender: 'a@b', destinationChannel: 'l', recipient: 'nobody@example.com' })
    expect(expanded).toMatchObject({ accept: false, table: 'SEND_ACCESS' })
    expect(expanded.reply!.line).toBe('550 5.1.1 No such user: nobody@example.com')
  })
})

describe('createPolicy follows configuration changes (refresh)', () => {
  it('rebuilds rules, tables and channels when their options change', async () => {
    const { createConfigView, settingKey } = await import('@wren/config')
    const view = createConfigView({ 'base.defaultdomain': 'example.com' })
    const policy = createPolicy({ config: view, hostname: 'mail.example.com', hostAddresses: [] })
    expect(policy.rewriteAddress('a@example.org').channel).toBe('tcp_local')
    expect(await policy.isInternal('10.1.1.1')).toBe(false)
    view.replace(new Map<string, string | string[]>([
      [settingKey('role', 'base.defaultdomain'), 'example.com'],
      [settingKey('role', 'rewrite.rule'), ['example.org $U%$D@tcp_intranet-daemon']],
      [settingKey('role', 'mapping:INTERNAL_IP.rule'), ['$(10.0.0.0/8) $Y', '* $N']],
    ]))
    expect(policy.rewriteAddress('a@example.org').channel).toBe('tcp_intranet')
    expect(await policy.isInternal('10.1.1.1')).toBe(true)
    policy.close()
  })
})
