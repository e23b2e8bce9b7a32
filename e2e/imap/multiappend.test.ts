/**
 * MULTIAPPEND (RFC 3502) over the wire: several messages in one APPEND are stored all or none, with
 * consecutive UIDs reported in APPENDUID (RFC 4315 §3); synchronising literals and LITERAL+ mixed;
 * one message over quota refuses the whole command and stores nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawSessions, startHarness, type Harness } from './harness.js'

let h: Harness
const sessions = rawSessions(() => h)
beforeAll(async () => { h = await startHarness({ 'store.defaultmailboxquota': 4096 }) })
afterAll(async () => { sessions.closeAll(); await h?.close() })

const m = (s: string, pad = 0) => `Subject: ${s}\r\n\r\n${'y'.repeat(pad)}body ${s}\r\n`

describe('MULTIAPPEND', () => {
  it('is advertised and appends several messages atomically with an APPENDUID uid-set', async () => {
    const a = await sessions.open('alice')
    expect((await a.cmd('CAPABILITY')).untagged[0]).toMatch(/ MULTIAPPEND( |$)/)
    await a.cmd('CREATE Multi')
    const one = m('one'), two = m('two'), three = m('three')
    const r = await a.cmd(`APPEND Multi (\\Seen) {${one.length}+}\r\n${one} (\\Flagged) "05-Jan-2024 09:00:00 +0000" {${two.length}+}\r\n${two} {${three.length}+}\r\n${three}`)
    const uv = /\[APPENDUID (\d+) 1:3\] APPEND completed/.exec(r.tagged)
    expect(uv, r.tagged).not.toBeNull()
    await a.cmd('SELECT Multi')
    const f = await a.cmd('FETCH 1:3 (UID FLAGS INTERNALDATE BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
    const text = f.untagged.join('\n')
    expect(text).toMatch(/\* 1 FETCH \(UID 1 FLAGS \(\\Seen \\Recent\)/)
    expect(text).toMatch(/\* 2 FETCH \(UID 2 FLAGS \(\\Flagged \\Recent\) INTERNALDATE "05-Jan-2024 09:00:00 \+0000"/)
    expect(text).toContain('Subject: three')
  })

  it('works with synchronising literals (a continuation per message)', async () => {
    const a = await sessions.open('alice')
    await a.cmd('CREATE Sync')
    const one = m('s1'), two = m('s2')
    const tag = 'x1'
    a.write(`${tag} APPEND Sync {${one.length}}\r\n`)
    const first = await a.waitFor(/^\+ /)
    a.write(`${one} {${two.length}}\r\n`)
    await a.waitFor(/^\+ /, 5000, first + 1)
    a.write(`${two}\r\n`)
    await a.waitFor(new RegExp(`^${tag} OK \\[APPENDUID \\d+ 1:2\\]`))
  })

  it('one message over quota refuses the whole command; nothing is stored', async () => {
    const a = await sessions.open('bob')
    const before = (await a.cmd('STATUS INBOX (MESSAGES)')).untagged[0]
    const small = m('ok'), big = m('big', 6000)
    const r = await a.cmd(`APPEND INBOX {${small.length}+}\r\n${small} {${big.length}+}\r\n${big}`)
    expect(r.tagged).toMatch(/NO \[OVERQUOTA\]/)
    expect((await a.cmd('STATUS INBOX (MESSAGES)')).untagged[0]).toBe(before)
  })
})
