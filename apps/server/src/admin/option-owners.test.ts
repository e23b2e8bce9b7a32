import { describe, expect, it } from 'vitest'
import { optionOwners, refreshableByDefault } from './option-owners.js'

const ALL = ['ens', 'store', 'imap', 'pop', 'sched', 'dispatcher', 'job_controller', 'metermaid', 'admin']

describe('option owners', () => {
  it('maps option groups to the services that read them', () => {
    expect(optionOwners('imap.port', ALL)).toEqual(['imap'])
    expect(optionOwners('role.imap.port', ALL)).toEqual(['imap'])
    expect(optionOwners('partition:primary.path', ALL)).toEqual(['store', 'imap', 'pop', 'job_controller'])
    expect(optionOwners('store.defaultmailboxquota', ALL)).toEqual(['store', 'imap', 'pop', 'job_controller'])
    expect(optionOwners('channel:tcp_local.maxjobs', ALL)).toEqual(['dispatcher', 'job_controller'])
    expect(optionOwners('dispatcher.service:SMTP.tcp_ports', ALL)).toEqual(['dispatcher'])
    expect(optionOwners('schedule.task:expire.crontab', ALL)).toEqual(['sched'])
    expect(optionOwners('base.hostname', ALL)).toEqual(ALL)
  })
  it('log settings, scheduled tasks and mapping tables apply live; ports do not', () => {
    expect(refreshableByDefault('imap.logfile.loglevel')).toBe(true)
    expect(refreshableByDefault('schedule.task:expire.enable')).toBe(true)
    expect(refreshableByDefault('mapping:PORT_ACCESS.rule')).toBe(true)
    expect(refreshableByDefault('imap.port')).toBe(false)
  })
})
