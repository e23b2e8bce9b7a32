import { describe, it, expect } from 'vitest'
import { defaultRegistry, Registry } from './registry.js'
import { ConfigError } from './errors.js'
import { ALL_OPTIONS } from './options/index.js'

const reg = defaultRegistry()

describe('option registry', () => {
  it('covers every option family the issue names', () => {
    for (const name of [
      'base.hostname', 'base.defaultdomain', 'base.listenaddr', 'base.ugldaphost', 'base.ugldapbinddn', 'base.ugldapbindcred',
      'base.autorestart.enable', 'base.autorestart.timeout', 'base.sitelanguage', 'base.welcomemsg', 'base.loginseparator',
      'dispatcher.service:SMTP.tcp_ports', 'dispatcher.service:SMTP.max_conns', 'channel:tcp_local.maxjobs', 'channel:tcp_local.smtp',
      'channel:tcp_intranet.saslswitchchannel', 'rewrite.rule', 'mapping:PORT_ACCESS.rule', 'mta.delivery_options', 'mta.log_format',
      'imap.enable', 'imap.capability_condstore', 'pop.idletimeout', 'store.quotawarn', 'store.privatesharedfolders.shareflags',
      'partition:primary.path', 'partition:two.messagepath', 'metermaid.port', 'metermaid.local_table:ext_throttle.quota',
      'metermaid_client.server_host', 'ens.port', 'watcher.port', 'schedule.task:expire.crontab', 'imap.logfile.loglevel',
      'alarm.system:diskavail.threshold', 'admin.port', 'messagetrace.activate', 'job_controller.job_pool:SMTP_POOL.job_limit',
    ]) expect(reg.lookup(name), name).toBeDefined()
  })

  it('keeps group names and canonicalises option words', () => {
    const m = reg.lookup('CHANNEL:tcp_local.MaxJobs')!
    expect(m.name).toBe('channel:tcp_local.maxjobs')
    expect(m.groups).toEqual(['tcp_local'])
    expect(reg.lookup('channel:tcp_local.options.trace_level')!.groups).toEqual(['tcp_local', 'trace_level'])
    expect(reg.lookup('metermaid.local_table:ext_throttle.quota')!.spec.default).toBe(100)
  })

  it('types, defaults and restart flags follow the local profile and the manual', () => {
    const port = reg.lookup('imap.port')!
    expect(port.spec.type).toBe('tcpport')
    expect(port.spec.default).toBe(2143)
    expect(port.spec.productDefault).toBe(143)
    expect(port.refreshable).toBe(false)
    expect(port.restart).toBe('imap')
    expect(reg.lookup('pop.idletimeout')!.refreshable).toBe(true)
    expect(reg.lookup('base.ugldapbindcred')!.spec.password).toBe(true)
    // Wren's defaults that differ from the product's (docs/decisions.md D8–D10) keep the manual's value in productDefault.
    expect(reg.lookup('imap.capability_condstore')!.spec.default).toBe(true)
    expect(reg.lookup('imap.capability_condstore')!.spec.productDefault).toBe(false)
    expect(reg.lookup('imap.enablesslport')!.spec.default).toBe(true)
    expect(reg.lookup('pop.enablesslport')!.spec.productDefault).toBe(false)
    expect(reg.lookup('ens.enable')!.spec.default).toBe(true)
    expect(reg.lookup('imap.capability_idle')!.spec.default).toBe(true)
    expect(reg.lookup('base.autorestart.timeout')!.spec.default).toBe(600)
  })

  it('translates legacy configutil names', () => {
    expect(reg.resolve('service.imap.port').name).toBe('imap.port')
    expect(reg.resolve('logfile.imap.expirytime').name).toBe('imap.logfile.expirytime')
    expect(reg.resolve('local.ens.port').name).toBe('ens.port')
    expect(reg.resolve('metermaid.config.port').name).toBe('metermaid.port')
    expect(reg.resolve('store.partition.primary.path').name).toBe('partition:primary.path')
    expect(reg.resolve('metermaid.table.greylist.type').name).toBe('metermaid.local_table:greylist.table_type')
    expect(reg.resolve('alarm.diskavail.msgalarmstatinterval').name).toBe('alarm.system:diskavail.statinterval')
    const m = reg.lookup('imap.logfile.expirytime')!
    expect(reg.legacyName(m)).toBe('logfile.imap.expirytime')
  })

  it('accepts unique short names and rejects ambiguous ones', () => {
    expect(reg.resolve('mm_debug').name).toBe('mta.mm_debug')
    expect(reg.resolve('delivery_options').name).toBe('mta.delivery_options')
    expect(reg.resolve('proxyadminpass').name).toBe('base.proxyadminpass')
    expect(reg.resolve('service:SMTP.tcp_ports').name).toBe('dispatcher.service:SMTP.tcp_ports')
    expect(() => reg.resolve('enable')).toThrow(/ambiguous/)
  })

  it('language variants only where the option has them', () => {
    expect(reg.lookup('store.quotaexceededmsg;lang-jp')!.name).toBe('store.quotaexceededmsg;lang-jp')
    expect(reg.lookup('base.welcomemsg;lang-de')!.lang).toBe('de')
    expect(reg.lookup('imap.port;lang-de')).toBeUndefined()
  })

  it('suggests the nearest names for an unknown option', () => {
    const err = (() => { try { reg.resolve('imap.prot') } catch (e) { return e as ConfigError } })()!
    expect(err).toBeInstanceOf(ConfigError)
    expect(err.kind).toBe('unknown')
    expect(err.suggestions[0]).toBe('imap.port')
    expect(err.message).toMatch(/did you mean imap\.port/)
    expect(reg.suggest('channel:tcp_local.maxjob')[0]).toBe('channel:tcp_local.maxjobs')
    expect(reg.suggest('nosuch.option').length).toBeGreaterThan(0)
  })

  it('rejects duplicate definitions', () => {
    expect(() => new Registry([...ALL_OPTIONS, ALL_OPTIONS[0]!])).toThrow(/duplicate/)
  })
})
