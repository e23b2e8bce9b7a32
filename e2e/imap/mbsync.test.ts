/**
 * mbsync (isync) syncs a mailbox both ways: new, flagged, deleted and moved messages survive the
 * round trip between a local Maildir and the server.
 */
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RawClient } from './raw-client.js'
import { startHarness, type Harness } from './harness.js'

let h: Harness
let home: string
beforeAll(async () => {
  h = await startHarness()
  home = fs.mkdtempSync(path.join(h.dataRoot, 'mbsync-'))
  fs.mkdirSync(path.join(home, 'mail'))
  fs.writeFileSync(path.join(home, 'mbsyncrc'), [
    'IMAPAccount wren', 'Host localhost', `Port ${h.tlsPort}`, 'User alice', 'Pass alice-pw', 'SSLType IMAPS', 'CertificateFile /dev/null', 'SystemCertificates no', '',
    'IMAPStore remote', 'Account wren', '',
    'MaildirStore local', `Path ${home}/mail/`, `Inbox ${home}/mail/INBOX`, 'SubFolders Verbatim', '',
    'Channel sync', 'Far :remote:', 'Near :local:', 'Patterns INBOX Archive', 'Create Both', 'Expunge Both', 'SyncState *', 'Sync All', '',
  ].join('\n'))
})
afterAll(async () => { await h?.close() })

function mbsync(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('mbsync', ['-c', path.join(home, 'mbsyncrc'), '-a'], { timeout: 60_000, env: { ...process.env, HOME: home } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`mbsync failed: ${err.message}\n${stdout}\n${stderr}`))
      else resolve(stdout + stderr)
    })
  })
}

function maildir(folder: string): Array<{ file: string; flags: string; body: string }> {
  const out: Array<{ file: string; flags: string; body: string }> = []
  for (const sub of ['new', 'cur']) {
    const dir = path.join(home, 'mail', folder, sub)
    if (!fs.existsSync(dir)) continue
    for (const f of fs.readdirSync(dir)) out.push({ file: path.join(dir, f), flags: /:2,([A-Z]*)$/.exec(f)?.[1] ?? '', body: fs.readFileSync(path.join(dir, f), 'utf8') })
  }
  return out
}

describe('mbsync round trip', () => {
  it('syncs new, flagged, deleted and moved messages both ways', async () => {
    // the certificate is self-signed: trust exactly it
    const rc = fs.readFileSync(path.join(home, 'mbsyncrc'), 'utf8').replace('CertificateFile /dev/null', `CertificateFile ${path.join(h.dataRoot, 'tls', 'server.crt')}`)
    fs.writeFileSync(path.join(home, 'mbsyncrc'), rc)
    const c = await RawClient.connect(h.port)
    try {
      await c.login('alice', 'alice-pw')
      for (const n of [1, 2, 3]) {
        const m = `From: s@example.com\r\nSubject: server ${n}\r\nMessage-ID: <srv${n}@example.com>\r\n\r\nserver body ${n}\r\n`
        await c.cmd(`APPEND INBOX {${m.length}+}\r\n${m}`)
      }
      await mbsync()
      let local = maildir('INBOX')
      expect(local.map((m) => /Subject: (.*)/.exec(m.body)![1]).sort()).toEqual(['server 1', 'server 2', 'server 3'])

      // local changes: flag one, delete one, add one
      const flagMe = local.find((m) => m.body.includes('server 1'))!
      fs.renameSync(flagMe.file, flagMe.file.replace(/\/new\//, '/cur/').replace(/(:2,[A-Z]*)?$/, ':2,F'))
      const delMe = local.find((m) => m.body.includes('server 2'))!
      fs.renameSync(delMe.file, delMe.file.replace(/\/new\//, '/cur/').replace(/(:2,[A-Z]*)?$/, ':2,T'))
      fs.writeFileSync(path.join(home, 'mail', 'INBOX', 'new', `${Date.now()}.local1.host`), 'From: me@example.com\r\nSubject: local 1\r\nMessage-ID: <loc1@example.com>\r\n\r\nfrom the laptop\r\n')
      await mbsync()

      await c.cmd('SELECT INBOX')
      const subjects = await c.cmd('FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (Subject)])')
      const text = subjects.untagged.join('\n')
      expect(text).toContain('Subject: local 1')
      expect(text).not.toContain('Subject: server 2')
      expect(text).toMatch(/FLAGS \([^)]*\\Flagged[^)]*\) BODY\[HEADER\.FIELDS \(Subject\)\] \{\d+\}\nSubject: server 1/)

      // server side: move "server 3" to Archive and mark "local 1" seen; sync back down
      const s3 = (await c.cmd('UID SEARCH SUBJECT "server 3"')).untagged[0].split(' ')[2]
      expect((await c.cmd(`UID MOVE ${s3} Archive`)).tagged).toMatch(/OK/)
      await c.cmd('STORE 1:* +FLAGS (\\Seen)')
      await mbsync()
      local = maildir('INBOX')
      expect(local.map((m) => /Subject: (.*)/.exec(m.body)![1]).sort()).toEqual(['local 1', 'server 1'])
      expect(local.every((m) => m.flags.includes('S'))).toBe(true)
      expect(maildir('Archive').map((m) => /Subject: (.*)/.exec(m.body)![1])).toEqual(['server 3'])
    } finally {
      c.close()
    }
  })
})
