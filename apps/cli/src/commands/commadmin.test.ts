// commadmin in-process (the e2e suite runs the real binary): flag parsing and the delete → purge cycle.
import { describe, it, expect, afterAll } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryIO } from '../io.js'
import { run, parseAttributeArgs } from './commadmin.js'

const root = mkdtempSync(join(tmpdir(), 'wren-commadmin-unit-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

async function cli(args: string[], stdin = '') {
  const m = memoryIO({ env: { WREN_DATA: root, USER: 'tester' }, stdin })
  const code = await run(args, m.io)
  return { code, out: m.stdout(), err: m.stderr() }
}

describe('commadmin', () => {
  it('parses -A as replace, +add and -delete', () => {
    expect(parseAttributeArgs(['mailQuota:10M', '+mailAlternateAddress:a@x.test', '-mailEquivalentAddress:b@x.test', '-vacationEndDate', 'mailDeliveryOption:mailbox', 'mailDeliveryOption:forward'])).toEqual([
      { op: 'replace', attr: 'mailQuota', values: ['10M'] },
      { op: 'add', attr: 'mailAlternateAddress', values: ['a@x.test'] },
      { op: 'delete', attr: 'mailEquivalentAddress', values: ['b@x.test'] },
      { op: 'delete', attr: 'vacationEndDate', values: [] },
      { op: 'replace', attr: 'mailDeliveryOption', values: ['mailbox', 'forward'] },
    ])
  })

  it('modifies, marks deleted, purges, and audits every step', async () => {
    expect((await cli(['domain', 'create', '-d', 'unit.test'])).code).toBe(0)
    expect((await cli(['user', 'create', '-l', 'pat', '-d', 'unit.test', '-W', 'patpw'])).code).toBe(0)
    const mod = await cli(['user', 'modify', '-l', 'pat', '-d', 'unit.test', '-F', 'Pat', '-L', 'Doe', '-A', '+mailAlternateAddress:p.doe@unit.test', '-A', 'vacationEndDate:20261231235959Z'])
    expect(mod).toMatchObject({ code: 0, out: 'OK user pat@unit.test modified\n' })
    const show = await cli(['user', 'show', '-l', 'pat', '-d', 'unit.test'])
    expect(show.out).toContain('cn: Pat Doe')
    expect(show.out).toContain('mailAlternateAddress: p.doe@unit.test')
    expect(show.out).toContain('# storeId: pat@unit.test')
    expect((await cli(['user', 'modify', '-l', 'pat', '-d', 'unit.test', '-A', 'vacationEndDate:tomorrow'])).err).toContain('invalid-value: invalid vacationEndDate')
    expect((await cli(['user', 'purge', '-l', 'pat', '-d', 'unit.test'])).err).toContain('not-deleted')
    expect((await cli(['user', 'delete', '-l', 'pat', '-d', 'unit.test'])).out).toContain('marked deleted')
    expect((await cli(['user', 'search', '-d', 'unit.test', '-s', 'deleted'])).out).toBe('pat@unit.test\tdeleted\tpat@unit.test\n')
    expect((await cli(['user', 'purge', '-l', 'pat', '-d', 'unit.test'])).code).toBe(0)
    expect((await cli(['user', 'show', '-l', 'pat', '-d', 'unit.test'])).code).toBe(1)
    expect((await cli(['domain', 'delete', '-d', 'unit.test'])).code).toBe(0)
    expect((await cli(['domain', 'purge', '-d', 'unit.test'])).code).toBe(0)
    expect((await cli(['domain', 'list'])).out).toBe('')
    const { openControlDb } = await import('@wren/db')
    const db = await openControlDb(root)
    const actions = (await db.prisma.auditEvent.findMany({ where: { actor: 'tester', action: { startsWith: 'user.' } }, orderBy: { id: 'asc' } })).map((e) => e.action)
    await db.close()
    expect(actions).toEqual(['user.create', 'user.modify', 'user.delete', 'user.purge'])
  })

  it('answers usage errors with 64', async () => {
    expect((await cli([])).code).toBe(64)
    expect((await cli(['user'])).code).toBe(64)
    expect((await cli(['user', 'show', '-Q'])).code).toBe(64)
    expect((await cli(['user', 'show'])).code).toBe(64)
    expect((await cli(['user', 'search', '-s', 'sleepy'])).code).toBe(64)
    expect((await cli(['robot', 'create'])).code).toBe(64)
  })

  it('-w is the administrator\'s password (with -D), never the user\'s; without a daemon it is refused', async () => {
    const noD = await cli(['user', 'create', '-l', 'wes', '-w', 'secret'])
    expect(noD.code).toBe(64)
    expect(noD.err).toContain('-w is the password of the administrator named by -D')
    const noDaemon = await cli(['user', 'create', '-l', 'wes', '-W', 'wespw', '-D', 'admin', '-w', 'adminpw'])
    expect(noDaemon.code).toBe(1)
    expect(noDaemon.err).toContain('no daemon runs for')
    expect((await cli(['user', 'show', '-l', 'wes'])).code).toBe(1) // nothing was created
    expect((await cli(['user', 'create', '-l', 'wes', '-W', '-', '-w', '-', '-D', 'admin'])).code).toBe(64)
  })
})
