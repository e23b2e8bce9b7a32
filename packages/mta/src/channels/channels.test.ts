import { describe, expect, it } from 'vitest'
import { staticConfigView } from '@wren/kernel'
import { ChannelSet, DEFAULT_CHANNEL_BLOCKS, channelsFromConfig, parseChannelBlocks, parseDuration } from './channels.js'

describe('channel blocks', () => {
  it('parses the manual’s tcp_intranet block (spec 01 §9)', () => {
    const [b] = parseChannelBlocks([
      'tcp_intranet smtp mx single_sys subdirs 20 noreverse maxjobs 7 SMTP_POOL maytlsserver \\',
      '  allowswitchchannel saslswitchchannel tcp_auth',
      'tcp_intranet-daemon',
    ].join('\n'))
    expect(b!.name).toBe('tcp_intranet')
    expect(b!.officialHostName).toBe('tcp_intranet-daemon')
    expect(b!.keywords.get('subdirs')).toEqual(['20'])
    expect(b!.keywords.get('maxjobs')).toEqual(['7'])
    expect(b!.keywords.get('saslswitchchannel')).toEqual(['tcp_auth'])
    expect(b!.keywords.has('allowswitchchannel')).toBe(true)
  })

  it('the default set has the product’s channels, defaults applied to each', () => {
    const set = new ChannelSet(parseChannelBlocks(DEFAULT_CHANNEL_BLOCKS.replace(/@HOST@/g, 'mail.example.com')))
    for (const n of ['l', 'tcp_local', 'tcp_intranet', 'tcp_auth', 'tcp_submit', 'ims-ms', 'tcp_lmtpcs', 'tcp_lmtpss', 'bitbucket', 'hold', 'process']) {
      expect(set.get(n), n).toBeDefined()
    }
    const local = set.get('tcp_local')!
    expect(local).toMatchObject({ smtp: true, mx: true, singleSys: true, maxjobs: 7, pool: 'SMTP_POOL', maytlsserver: true, saslswitchchannel: 'tcp_auth', port: 25 })
    expect(local.notices).toEqual([1, 2, 4, 7]) // from defaults
    expect(local.has('switchchannel')).toBe(true) // its own keyword beats defaults' noswitchchannel
    expect(local.has('noswitchchannel')).toBe(false)
    expect(set.get('tcp_submit')!.mustsaslserver).toBe(true)
    const lmtp = set.get('tcp_lmtpcs')!
    expect(lmtp).toMatchObject({ lmtp: true, mx: false, port: 225, officialHostName: 'lmtpcs-daemon' })
    const ims = set.get('ims-ms')!
    expect(ims.backoff).toEqual([300, 600, 1800, 3600, 7200, 14400])
    expect(ims.notices).toEqual([1, 7, 14, 21, 28])
    expect(ims.maxjobs).toBe(2)
    expect(set.byHost('mail.example.com')!.name).toBe('l')
    expect(set.byHost('tcp-daemon')!.name).toBe('tcp_local')
    expect(set.byHost('tcp_local-daemon')!.name).toBe('tcp_local')
  })

  it('channel:<name>.<keyword> options overlay the defaults; mx removes nomx; 0 removes a flag', () => {
    const set = channelsFromConfig(staticConfigView({
      'channel:tcp_lmtpcs.mx': '',
      'channel:tcp_local.maxjobs': 3,
      'channel:tcp_local.logging': 1,
      'channel:tcp_local.maytlsserver': 0,
      'channel:tcp_local.backoff': 'pt10m pt1h p1d',
      'channel:tcp_example.smtp': '',
      'channel:tcp_example.official_host_name': 'tcp_example-daemon',
      'channel:defaults.logging': '1',
    }), { hostname: 'mail.example.com' })
    expect(set.get('tcp_lmtpcs')!.mx).toBe(true)
    expect(set.get('tcp_lmtpcs')!.has('nomx')).toBe(false)
    const local = set.get('tcp_local')!
    expect(local.maxjobs).toBe(3)
    expect(local.logging).toBe(true)
    expect(local.maytlsserver).toBe(false)
    expect(local.backoff).toEqual([600, 3600, 86400])
    expect(set.byHost('tcp_example-daemon')!.name).toBe('tcp_example')
    expect(set.get('ims-ms')!.logging).toBe(true) // via defaults
  })

  it('parses ISO 8601 durations', () => {
    expect(parseDuration('pt5m')).toBe(300)
    expect(parseDuration('PT1H30M')).toBe(5400)
    expect(parseDuration('p7d')).toBe(604800)
    expect(parseDuration('45')).toBe(45)
    expect(parseDuration('pt')).toBeUndefined()
    expect(parseDuration('tcp_auth')).toBeUndefined()
  })
})
