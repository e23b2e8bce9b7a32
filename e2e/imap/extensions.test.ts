/**
 * Extensions over the wire: QRESYNC (RFC 7162), LIST-EXTENDED/LIST-STATUS (RFC 5258/5819), ESEARCH
 * (RFC 4731), SEARCHRES (RFC 5182), SORT (RFC 5256), BINARY (RFC 3516), ID, UNSELECT, NAMESPACE,
 * QUOTA (RFC 9208) with NO [OVERQUOTA], SASL-IR (RFC 4959), capability switches, transaction log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RawClient } from './raw-client.js'
import { rawSessions, startHarness, type Harness } from './harness.js'

let h: Harness
const sessions = rawSessions(() => h)
const session = sessions.open
beforeAll(async () => {
  h = await startHarness({ 'store.defaultmailboxquota': 4096, 'messagetrace.activate': 'transactlog', 'imap.actions': '-(lo)' })
})
afterAll(async () => {
  sessions.closeAll()
  await h?.close()
})


async function append(c: RawClient, box: string, m: string): Promise<string> {
  return (await c.cmd(`APPEND ${box} {${Buffer.byteLength(m)}+}\r\n${m}`)).tagged
}

describe('extensions', () => {
  it('QRESYNC: SELECT reports VANISHED (EARLIER) and changed flags since a modseq', async () => {
    const a = await session()
    await a.cmd('CREATE Q')
    for (let i = 1; i <= 4; i++) await append(a, 'Q', `Subject: q${i}\r\n\r\nq${i}\r\n`)
    expect((await a.cmd('SELECT Q (QRESYNC (1 1))')).tagged).toMatch(/BAD QRESYNC must be enabled first/)
    expect((await a.cmd('ENABLE QRESYNC')).untagged).toEqual(['* ENABLED QRESYNC'])
    const sel = await a.cmd('SELECT Q')
    const uv = Number(/UIDVALIDITY (\d+)/.exec(sel.untagged.join('\n'))![1])
    const ms = Number(/HIGHESTMODSEQ (\d+)/.exec(sel.untagged.join('\n'))![1])
    await a.cmd('UID STORE 2 +FLAGS.SILENT (\\Deleted)')
    const ex = await a.cmd('UID EXPUNGE 2')
    expect(ex.untagged).toContain('* VANISHED 2')
    await a.cmd('UID STORE 3 +FLAGS (\\Flagged)')
    await a.cmd('UNSELECT')
    const re = await a.cmd(`SELECT Q (QRESYNC (${uv} ${ms} 1:4))`)
    expect(re.untagged).toContain('* VANISHED (EARLIER) 2')
    expect(re.untagged.some((l) => /^\* 2 FETCH \(UID 3 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)$/.test(l))).toBe(true)
    const f = await a.cmd(`UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${ms} VANISHED)`)
    expect(f.untagged[0]).toBe('* VANISHED (EARLIER) 2')
    const sel2 = await a.cmd('SELECT INBOX')
    expect(sel2.untagged[0]).toBe('* OK [CLOSED] Previous mailbox closed')
  })

  it('LIST-EXTENDED with RETURN (SUBSCRIBED CHILDREN STATUS) and SPECIAL-USE selection', async () => {
    const a = await session()
    await a.cmd('CREATE Proj/A')
    await a.cmd('SUBSCRIBE Proj/A')
    const r = await a.cmd('LIST "" "Proj*" RETURN (SUBSCRIBED CHILDREN STATUS (MESSAGES UIDNEXT))')
    expect(r.untagged).toEqual([
      '* LIST (\\HasChildren) "/" "Proj"',
      '* STATUS "Proj" (MESSAGES 0 UIDNEXT 1)',
      '* LIST (\\Subscribed \\HasNoChildren) "/" "Proj/A"',
      '* STATUS "Proj/A" (MESSAGES 0 UIDNEXT 1)',
    ])
    const su = await a.cmd('LIST (SPECIAL-USE) "" "*"')
    expect(su.untagged.map((l) => /"([^"]+)"$/.exec(l)![1]).sort()).toEqual(['Archive', 'Drafts', 'Junk', 'Sent', 'Trash'])
    const subs = await a.cmd('LIST (SUBSCRIBED) "" "*"')
    expect(subs.untagged).toContain('* LIST (\\Subscribed \\HasNoChildren) "/" "Proj/A"')
    expect((await a.cmd('LSUB "" "*"')).untagged).toContain('* LSUB () "/" "Proj/A"')
    expect((await a.cmd('LIST "" ""')).untagged).toEqual(['* LIST (\\Noselect) "/" ""'])
  })

  it('ESEARCH, SEARCHRES and SORT', async () => {
    const a = await session('bob')
    await a.cmd('CREATE S')
    await append(a, 'S', 'From: zed@example.com\r\nSubject: Re: banana\r\nDate: Tue, 2 Jan 2024 10:00:00 +0000\r\n\r\nyellow fruit\r\n')
    await append(a, 'S', 'From: amy@example.com\r\nSubject: apple\r\nDate: Wed, 3 Jan 2024 10:00:00 +0000\r\n\r\nred fruit, quite a long body text here\r\n')
    await append(a, 'S', 'From: max@example.com\r\nSubject: cherry\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\nno match\r\n')
    await a.cmd('SELECT S')
    const es = await a.cmd('SEARCH RETURN (MIN MAX COUNT ALL) BODY fruit')
    expect(es.untagged).toEqual([`* ESEARCH (TAG "t${/^t(\d+)/.exec(es.tagged)![1]}") MIN 1 MAX 2 ALL 1:2 COUNT 2`])
    await a.cmd('SEARCH RETURN (SAVE) FROM amy')
    expect((await a.cmd('FETCH $ (UID)')).untagged).toEqual(['* 2 FETCH (UID 2)'])
    expect((await a.cmd('SORT (SUBJECT) UTF-8 ALL')).untagged).toEqual(['* SORT 2 1 3'])
    expect((await a.cmd('SORT (REVERSE DATE) UTF-8 ALL')).untagged).toEqual(['* SORT 2 1 3'])
    expect((await a.cmd('UID SORT (FROM) US-ASCII NOT FROM max')).untagged).toEqual(['* SORT 2 1'])
    expect((await a.cmd('SORT (SIZE) UTF-8 ALL')).untagged).toEqual(['* SORT 3 1 2'])
  })

  it('BINARY fetches decoded parts, with literal8 for NUL octets', async () => {
    const a = await session('bob')
    const m = ['Subject: bin', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="x"', '', '--x', 'Content-Type: text/plain', 'Content-Transfer-Encoding: quoted-printable', '', 'a=3Db', '--x',
      'Content-Type: application/octet-stream', 'Content-Transfer-Encoding: base64', '', Buffer.from([0x41, 0, 0x42]).toString('base64'), '--x--', ''].join('\r\n')
    await a.cmd('CREATE B')
    await append(a, 'B', m)
    await a.cmd('SELECT B')
    const r = await a.cmd('FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[2] BINARY.PEEK[2])')
    const line = r.untagged.join('\r\n')
    expect(line).toContain('BINARY[1] {3}\r\na=b')
    expect(line).toContain('BINARY.SIZE[2] 3')
    expect(line).toContain('BINARY[2] ~{3}')
    expect((await a.cmd('FETCH 1 (BODY.PEEK[1.MIME])')).untagged.join('\n')).toMatch(/BODY\[1\.MIME\] \{\d+\}/)
  })

  it('ID, NAMESPACE, UNSELECT and SASL-IR', async () => {
    const c = await RawClient.connect(h.port)
    sessions.track(c)
    expect((await c.cmd('ID ("name" "test")')).untagged).toEqual(['* ID ("name" "Wren Messaging Server" "version" "0.1.0")'])
    const ir = Buffer.from('\0alice\0alice-pw').toString('base64')
    expect((await c.cmd(`AUTHENTICATE PLAIN ${ir}`)).tagged).toMatch(/OK \[CAPABILITY .*\] User logged in/)
    expect((await c.cmd('NAMESPACE')).untagged).toEqual(['* NAMESPACE (("" "/")) (("Shared Folders/User/" "/")) NIL'])
    await c.cmd('SELECT INBOX')
    expect((await c.cmd('UNSELECT')).tagged).toMatch(/OK/)
    expect((await c.cmd('FETCH 1 FLAGS')).tagged).toMatch(/BAD .*no mailbox selected/)
    // store administrators may act as another user (spec 03 §12); others may not
    const d = await RawClient.connect(h.port)
    sessions.track(d)
    expect((await d.cmd(`AUTHENTICATE PLAIN ${Buffer.from('alice\0bob\0bob-pw').toString('base64')}`)).tagged).toMatch(/NO \[AUTHORIZATIONFAILED\]/)
    expect((await d.cmd(`AUTHENTICATE PLAIN ${Buffer.from('alice\0admin\0admin-pw').toString('base64')}`)).tagged).toMatch(/OK/)
    expect((await d.cmd('GETQUOTAROOT INBOX')).untagged[0]).toBe('* QUOTAROOT INBOX user/alice')
  })

  it('QUOTA: GETQUOTAROOT reports usage and APPEND over quota gets NO [OVERQUOTA]', async () => {
    const a = await session('bob')
    const q = await a.cmd('GETQUOTAROOT INBOX')
    expect(q.untagged[0]).toBe('* QUOTAROOT INBOX user/bob')
    expect(q.untagged[1]).toMatch(/^\* QUOTA user\/bob \(STORAGE \d+ 4\)$/)
    const big = `Subject: big\r\n\r\n${'x'.repeat(6000)}\r\n`
    expect(await append(a, 'INBOX', big)).toMatch(/NO \[OVERQUOTA\]/)
    expect((await a.cmd('NOOP')).tagged).toMatch(/OK/)
  })

  it('writes the XML transaction log filtered by imap.actions', async () => {
    const a = await session()
    await a.cmd('CREATE Folder1')
    await a.cmd('RENAME Folder1 Folder2')
    await a.cmd('LOGOUT')
    expect(h.transact.some((l) => /^<mr ts="\d{4}-\d\d-\d\dT[\d:.]+" sn="imapd" pi="\d+" us="alice" ma="Folder2" om="Folder1"\/>$/.test(l))).toBe(true)
    expect(h.transact.some((l) => l.startsWith('<li '))).toBe(true)
    expect(h.transact.some((l) => l.startsWith('<lo '))).toBe(false)
  })
})

describe('capability switches', () => {
  it('imap.capability_* hides capabilities; capability_condstore 0 also disables CONDSTORE', async () => {
    const h2 = await startHarness({ 'imap.capability_idle': 0, 'imap.capability_condstore': 0, 'imap.capability_imap4': 1 })
    const c = await RawClient.connect(h2.port)
    try {
      const caps = c.lines[0]
      expect(caps).toMatch(/^\* OK \[CAPABILITY IMAP4 IMAP4rev1 /)
      expect(caps).not.toMatch(/ IDLE | CONDSTORE | QRESYNC /)
      await c.login('alice', 'alice-pw')
      expect((await c.cmd('SELECT INBOX (CONDSTORE)')).tagged).toMatch(/BAD CONDSTORE is not enabled/)
      expect((await c.cmd('ENABLE CONDSTORE')).untagged).toEqual(['* ENABLED'])
    } finally {
      c.close()
      await h2.close()
    }
  })
})
