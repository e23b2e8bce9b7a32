/** Python imaplib as an independent client (spawned): real sessions over plain, STARTTLS and TLS. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { python, startHarness, type Harness } from './harness.js'

let h: Harness
beforeAll(async () => { h = await startHarness() })
afterAll(async () => { await h?.close() })

const PRELUDE = `
import imaplib, os, ssl, base64, re
PORT = int(os.environ['PORT']); TLSPORT = int(os.environ['TLSPORT'])
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
def ok(r):
    assert r[0] == 'OK', r
    return r[1]
`

describe('python imaplib', () => {
  it('runs a full mailbox session: list, append, select, fetch, search, store, copy, expunge', async () => {
    const out = await python(PRELUDE + `
M = imaplib.IMAP4('127.0.0.1', PORT)
ok(M.login('alice', 'alice-pw'))
boxes = ok(M.list())
assert b'(\\\\Sent \\\\HasNoChildren) "/" "Sent"' in boxes, boxes
assert boxes[0] == b'(\\\\HasNoChildren) "/" INBOX', boxes
ok(M.create('Work/Projects'))
ok(M.create('&AOk-t&AOk-'))
names = ok(M.list('""', '%'))
assert any(n.endswith(b'"Work"') and b'\\\\HasChildren' in n for n in names), names
assert any(n.endswith(b'"&AOk-t&AOk-"') for n in names), names
print('NS', ok(M.namespace()))
msg = b'From: Bob <bob@example.com>\\r\\nTo: alice@example.com\\r\\nSubject: =?UTF-8?B?w6l0w6k=?= report\\r\\nDate: Mon, 7 Feb 2022 21:52:25 -0800\\r\\nMessage-ID: <r1@example.com>\\r\\n\\r\\nHello World! This is a test.\\r\\n'
r = ok(M.append('INBOX', '(\\\\Flagged)', imaplib.Time2Internaldate(1644300000), msg))
assert r[0].startswith(b'[APPENDUID ') and r[0].endswith(b' 1] APPEND completed'), r
ok(M.append('INBOX', None, None, b'Subject: other\\r\\n\\r\\nnothing here\\r\\n'))
typ, data = M.select('INBOX')
assert data == [b'2'], data
# product substring search semantics (spec 03 section 25)
for needle in ['world', 'wor', 'llo', '"lo Wor"', '!']:
    assert ok(M.search(None, 'BODY', needle)) == [b'1'], needle
assert ok(M.search(None, 'TEXT', 'bob@EXAMPLE')) == [b'1']
M.literal = 'ÉTÉ'.encode('utf-8')
assert ok(M.search('UTF-8', 'SUBJECT')) == [b'1']  # RFC 2047 word decoded, case-insensitive
assert ok(M.uid('SEARCH', None, 'SUBJECT', 'report')) == [b'1']
assert ok(M.search(None, 'FLAGGED')) == [b'1']
assert ok(M.search(None, 'SENTBEFORE', '8-Feb-2022')) == [b'1']
assert ok(M.search(None, 'NOT', 'FLAGGED')) == [b'2']
assert ok(M.search(None, 'OR', 'SUBJECT', 'other', 'FLAGGED')) == [b'1 2']
env = ok(M.fetch('1', '(ENVELOPE RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (Subject)])'))
assert b'"<r1@example.com>"' in env[0][0], env
assert b'INTERNALDATE "08-Feb-2022 06:00:00 +0000"' in env[0][0], env
assert env[0][1] == b'Subject: =?UTF-8?B?w6l0w6k=?= report\\r\\n\\r\\n', env
body = ok(M.fetch('1', '(BODY[TEXT]<6.5>)'))
assert body[0][1] == b'World', body
flags = ok(M.fetch('1', '(FLAGS)'))
assert b'\\\\Seen' in flags[0], flags   # BODY[] without PEEK sets \\Seen
ok(M.store('2', '+FLAGS', '(\\\\Deleted $Custom)'))
r = ok(M._simple_command('COPY', '1', 'Work/Projects'))
assert r[0].startswith(b'[COPYUID ') and r[0].endswith(b' 1 1] COPY completed'), r
r = ok(M._simple_command('UID', 'COPY', '1', 'Work'))
assert r[0].startswith(b'[COPYUID ') and r[0].endswith(b' 1 1] UID COPY completed'), r
ok(M.expunge())
assert ok(M.search(None, 'ALL')) == [b'1']
st = ok(M.status('Work/Projects', '(MESSAGES UNSEEN UIDNEXT)'))
assert st == [b'"Work/Projects" (MESSAGES 1 UNSEEN 0 UIDNEXT 2)'], st
ok(M.close())
ok(M.rename('Work', 'Job'))
names = ok(M.list('""', 'Job*'))
assert len(names) == 2, names
ok(M.delete('Job/Projects'))
M.logout()
print('done')
`, { PORT: h.port, TLSPORT: h.tlsPort })
    expect(out).toContain('done')
    expect(out).toContain('NS [b\'(("" "/")) (("Shared Folders/User/" "/")) NIL\']')
    expect(h.logs.some((l) => /^Store Information: append:alice:user\/alice\/INBOX:\d+:<r1@example.com>$/.test(l))).toBe(true)
  })

  it('uses STARTTLS, implicit TLS and AUTHENTICATE PLAIN; logs bad logins in the product format', async () => {
    const out = await python(PRELUDE + `
M = imaplib.IMAP4('127.0.0.1', PORT)
assert 'STARTTLS' in M.capabilities
ok(M.starttls(ssl_context=ctx))
assert 'STARTTLS' not in M.capabilities or True
ok(M.authenticate('PLAIN', lambda _: b'\\0alice\\0alice-pw'))
M.logout()
S = imaplib.IMAP4_SSL('127.0.0.1', TLSPORT, ssl_context=ctx)
try:
    S.login('alice', 'wrong')
    raise SystemExit('login should fail')
except imaplib.IMAP4.error as e:
    print('FAILED', e)
ok(S.login('alice', 'alice-pw'))
S.logout()
print('done')
`, { PORT: h.port, TLSPORT: h.tlsPort })
    expect(out).toContain('done')
    expect(out).toContain('AUTHENTICATIONFAILED')
    expect(h.logs.some((l) => /^Account Notice: badlogin: \[127\.0\.0\.1:\d+\] plaintext alice authentication failure$/.test(l))).toBe(true)
    expect(h.logs.some((l) => /^Account Notice: close \[127\.0\.0\.1\] \[alice\] \d+\/\d+\/\d+ \d+:\d\d:\d\d \d+:\d\d:\d\d \d+ \d+ \d+$/.test(l))).toBe(true)
  })

  it('shares a folder by ACL and lists it under Shared Folders/User', async () => {
    const out = await python(PRELUDE + `
A = imaplib.IMAP4('127.0.0.1', PORT); ok(A.login('alice', 'alice-pw'))
ok(A.create('Team'))
ok(A.append('Team', None, None, b'Subject: shared\\r\\n\\r\\nfor the team\\r\\n'))
ok(A.setacl('Team', 'bob', 'lrs'))
print('ACL', ok(A.getacl('Team')))
print('MYRIGHTS', ok(A.myrights('Team')))
B = imaplib.IMAP4('127.0.0.1', PORT); ok(B.login('bob', 'bob-pw'))
names = ok(B.list('""', '"Shared Folders/*"'))
print('LIST', names)
typ, data = B.select('"Shared Folders/User/alice/Team"')
assert typ == 'OK', (typ, data)
assert ok(B.search(None, 'TEXT', 'team')) == [b'1']
r = B.store('1', '+FLAGS', '(\\\\Flagged)')
print('STORE', r)
r = B.append('"Shared Folders/User/alice/Team"', None, None, b'Subject: x\\r\\n\\r\\ny\\r\\n')
print('APPEND', r)
print('QUOTAROOT', B.getquotaroot('INBOX'))
print('done')
`, { PORT: h.port, TLSPORT: h.tlsPort })
    expect(out).toContain('done')
    expect(out).toMatch(/ACL \[b'"Team" .*bob lrs/)
    expect(out).toMatch(/LIST \[.*"Shared Folders\/User\/alice\/Team"/)
    // bob has no 'w': RFC 4314 §4 — flags he may not set are ignored, not stored
    expect(out).toMatch(/STORE \('OK', \[b'1 \(FLAGS \(\\\\Recent\)\)'\]\)/)
    expect(out).toMatch(/APPEND \('NO'/)
  })
})

describe('plaintext login policy', () => {
  it('advertises LOGINDISABLED and refuses LOGIN before STARTTLS by default', async () => {
    const strict = await startHarness({ 'imap.allowplaintextlogin': 0 })
    try {
      const out = await python(PRELUDE + `
M = imaplib.IMAP4('127.0.0.1', PORT)
assert 'LOGINDISABLED' in M.capabilities, M.capabilities
typ, data = M._simple_command('LOGIN', 'alice', 'alice-pw')
print('PLAIN', typ, data, M.untagged_responses)
ok(M.starttls(ssl_context=ctx))
assert 'AUTH=PLAIN' in M.capabilities, M.capabilities
ok(M.login('alice', 'alice-pw'))
print('done')
`, { PORT: strict.port, TLSPORT: strict.tlsPort })
      expect(out).toContain('done')
      expect(out).toMatch(/PLAIN NO \[b'\[PRIVACYREQUIRED\] Plaintext authentication disallowed/)
    } finally {
      await strict.close()
    }
  })
})
