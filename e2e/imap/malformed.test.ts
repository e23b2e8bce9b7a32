/** Malformed and out-of-state input gets BAD/NO with a useful text; the session continues. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RawClient } from './raw-client.js'
import { startHarness, type Harness } from './harness.js'

let h: Harness
let c: RawClient
beforeAll(async () => {
  h = await startHarness({ 'imap.maxliteral': 1000, 'imap.maxmessagesize': 100_000 })
  c = await RawClient.connect(h.port)
})
afterAll(async () => {
  c?.close()
  await h?.close()
})

describe('malformed IMAP input', () => {
  it('refuses commands in the wrong state', async () => {
    expect((await c.cmd('SELECT INBOX')).tagged).toMatch(/^t\d+ BAD SELECT not allowed now: please authenticate first/)
    expect((await c.cmd('FETCH 1 FLAGS')).tagged).toMatch(/BAD FETCH not allowed now/)
    await c.login('alice', 'alice-pw')
    expect((await c.cmd('LOGIN alice alice-pw')).tagged).toMatch(/BAD LOGIN not allowed now: already authenticated/)
    expect((await c.cmd('FETCH 1 FLAGS')).tagged).toMatch(/BAD FETCH not allowed now: no mailbox selected/)
    expect((await c.cmd('EXPUNGE')).tagged).toMatch(/BAD EXPUNGE not allowed now: no mailbox selected/)
  })

  it('answers unbalanced parentheses and junk with BAD', async () => {
    expect((await c.cmd('SELECT INBOX')).tagged).toMatch(/OK \[READ-WRITE\]/)
    expect((await c.cmd('SEARCH (FROM bob')).tagged).toMatch(/BAD Expected "\)"/)
    expect((await c.cmd('FETCH 1 (FLAGS UID')).tagged).toMatch(/BAD/)
    expect((await c.cmd('FETCH 1 FLAGS)')).tagged).toMatch(/BAD Unexpected extra arguments/)
    expect((await c.cmd('XYZZY')).tagged).toMatch(/BAD Unknown command XYZZY/)
    expect((await c.cmd('SELECT caf\xe9')).tagged).toMatch(/BAD/)
    expect((await c.cmd('NOOP')).tagged).toMatch(/OK/)
  })

  it('refuses a literal larger than the limit before reading it', async () => {
    const start = c.lines.length
    c.write('big LOGIN {99999999}\r\n')
    const i = await c.waitFor(/^big /, 5000, start)
    expect(c.lines[i]).toBe('big NO [TOOBIG] Literal of 99999999 octets is larger than the 1000 octet limit')
    // no continuation was offered
    expect(c.lines.slice(start, i).some((l) => l.startsWith('+'))).toBe(false)
    const app = c.lines.length
    c.write('app APPEND INBOX {200000}\r\n')
    expect(c.lines[await c.waitFor(/^app /, 5000, app)]).toMatch(/^app NO \[TOOBIG\].*100000 octet limit/)
    expect((await c.cmd('NOOP')).tagged).toMatch(/OK NOOP completed/)
  })

  it('rejects invalid sequence sets and out-of-range numbers', async () => {
    expect((await c.cmd('FETCH 0 FLAGS')).tagged).toMatch(/BAD Invalid sequence set "0"/)
    expect((await c.cmd('FETCH 1:a FLAGS')).tagged).toMatch(/BAD Invalid sequence set/)
    expect((await c.cmd('FETCH 5 FLAGS')).tagged).toMatch(/BAD Invalid message sequence number/)
    expect((await c.cmd('UID FETCH 5 FLAGS')).tagged).toMatch(/OK/) // UID sets may name missing UIDs
  })

  it('rejects invalid mailbox names with NO', async () => {
    expect((await c.cmd('CREATE "a%b"')).tagged).toMatch(/NO \[CANNOT\] Invalid mailbox name/)
    expect((await c.cmd('CREATE "bad&Jjo!"')).tagged).toMatch(/NO \[CANNOT\]/)
    expect((await c.cmd('SELECT NoSuchBox')).tagged).toMatch(/NO \[NONEXISTENT\]/)
    // RFC 3501 §6.3.1: a failed SELECT leaves the session unselected
    expect((await c.cmd('FETCH 1 FLAGS')).tagged).toMatch(/BAD FETCH not allowed now: no mailbox selected/)
    expect((await c.cmd('APPEND NoSuchBox {3+}\r\nabc')).tagged).toMatch(/NO \[TRYCREATE\]/)
  })

  it('answers an unsupported SEARCH charset with NO [BADCHARSET]', async () => {
    expect((await c.cmd('SELECT INBOX')).tagged).toMatch(/OK/)
    expect((await c.cmd('SEARCH CHARSET X-UNKNOWN TEXT hello')).tagged).toMatch(/NO \[BADCHARSET \(US-ASCII UTF-8\)\] Unsupported charset X-UNKNOWN/)
    expect((await c.cmd('SEARCH CHARSET UTF-8 TEXT hello')).tagged).toMatch(/OK/)
  })

  it('closes cleanly on an oversized non-synchronizing literal', async () => {
    const d = await RawClient.connect(h.port)
    d.write('x LOGIN {5000000+}\r\n')
    await d.waitFor(/^\* BYE/)
    await d.waitFor(/never/, 2000).catch(() => undefined)
    expect(d.closed).toBe(true)
    // the server still serves others
    expect((await c.cmd('NOOP')).tagged).toMatch(/OK/)
  })

  it('survives a burst of random token soup and keeps serving', async () => {
    const d = await RawClient.connect(h.port)
    try {
      await d.login('alice', 'alice-pw')
      await d.cmd('SELECT INBOX')
      const tokens = ['FETCH', 'STORE', 'SEARCH', 'UID', '1:*', '*', '0', '(', ')', '[', ']', '<0.5>', 'BODY[', 'BODY.PEEK[1.2.MIME]', '"x', '\\Seen', '{3}', '~{2+}', 'NIL', 'OR', 'NOT', 'CHARSET', '$', 'FLAGS', '+FLAGS.SILENT', 'MODSEQ', '(CHANGEDSINCE', 'x'.repeat(300), '\u00e9']
      let seed = 42
      const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n }
      let payload = ''
      for (let i = 0; i < 300; i++) {
        const n = 1 + rnd(6)
        payload += `z${i} ` + Array.from({ length: n }, () => tokens[rnd(tokens.length)]).join(' ').replace(/\{\d+\}$|~\{\d+\+\}$/, '') + '\r\n'
      }
      d.write(payload)
      await d.waitFor(/^z299 (OK|NO|BAD)/, 20_000)
      expect(d.lines.filter((l) => /^z\d+ (OK|NO|BAD)/.test(l)).length).toBe(300)
      expect((await d.cmd('NOOP')).tagged).toMatch(/OK NOOP completed/)
    } finally {
      d.close()
    }
    expect((await c.cmd('NOOP')).tagged).toMatch(/OK/)
  })
})
