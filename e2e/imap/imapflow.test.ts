/** imapflow (a widely used Node IMAP client) against the server over implicit TLS. */
import { ImapFlow } from 'imapflow'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from './harness.js'

let h: Harness
beforeAll(async () => { h = await startHarness() })
afterAll(async () => { await h?.close() })

function must<T>(v: T | false | undefined | null): T {
  if (!v) throw new Error('imapflow returned no result')
  return v
}

function client(user: string): ImapFlow {
  return new ImapFlow({ host: '127.0.0.1', port: h.tlsPort, secure: true, tls: { rejectUnauthorized: false }, auth: { user, pass: `${user}-pw` }, logger: false })
}

const MULTIPART = [
  'From: Carol <carol@example.com>', 'To: alice@example.com', 'Subject: Report with attachment', 'Message-ID: <mp1@example.com>',
  'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"', '', '--b1', 'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable', '', 'caf=C3=A9 au lait', '--b1', 'Content-Type: application/octet-stream; name="d.bin"',
  'Content-Disposition: attachment; filename="d.bin"', 'Content-Transfer-Encoding: base64', '', Buffer.from([0, 1, 2, 3, 255]).toString('base64'), '--b1--', '',
].join('\r\n')

describe('imapflow', () => {
  it('lists, appends, fetches structure and parts, searches, flags, moves', async () => {
    const c = client('alice')
    await c.connect()
    try {
      const caps = [...c.capabilities.keys()]
      expect(caps).toEqual(expect.arrayContaining(['IMAP4rev1', 'IDLE', 'MOVE', 'UIDPLUS', 'CONDSTORE', 'QRESYNC', 'SPECIAL-USE', 'ESEARCH', 'BINARY']))
      const list = await c.list()
      expect(list.find((m) => m.path === 'Sent')?.specialUse).toBe('\\Sent')
      const app = must(await c.append('INBOX', MULTIPART, ['\\Seen']))
      expect(app.uid).toBe(1)
      const lock = await c.getMailboxLock('INBOX')
      try {
        const msg = must(await c.fetchOne('1', { envelope: true, bodyStructure: true, flags: true, size: true }))
        expect(msg.envelope!.subject).toBe('Report with attachment')
        expect(msg.envelope!.from![0].address).toBe('carol@example.com')
        expect(msg.bodyStructure!.type).toBe('multipart/mixed')
        expect(msg.bodyStructure!.childNodes!.map((n: { type: string }) => n.type)).toEqual(['text/plain', 'application/octet-stream'])
        expect(msg.bodyStructure!.childNodes![1].disposition).toBe('attachment')
        expect([...msg.flags!].sort()).toEqual(['\\Recent', '\\Seen'])
        const { content } = await c.download('1', '1')
        const chunks: Buffer[] = []
        for await (const ch of must(content)) chunks.push(ch as Buffer)
        expect(Buffer.concat(chunks).toString('utf8')).toBe('café au lait')
        const uids = await c.search({ body: 'lait' }, { uid: true })
        expect(uids).toEqual([1])
        expect(await c.search({ body: 'nothing-like-this' })).toEqual([])
        await c.messageFlagsAdd('1', ['$Important'])
        const f = must(await c.fetchOne('1', { flags: true }))
        expect([...f.flags!].sort()).toEqual(['$Important', '\\Recent', '\\Seen'])
        const moved = await c.messageMove('1', 'Archive')
        expect(moved && moved.uidMap && moved.uidMap.get(1)).toBe(1)
        const st = must(await c.status('Archive', { messages: true, unseen: true }))
        expect(st.messages).toBe(1)
      } finally {
        lock.release()
      }
    } finally {
      await c.logout()
    }
  })

  it('receives an EXISTS while idling when another client appends', async () => {
    const a = client('bob')
    const b = client('bob')
    await a.connect()
    await b.connect()
    try {
      await a.mailboxOpen('INBOX')
      const got = new Promise<number>((resolve) => a.on('exists', (d: { count: number }) => resolve(d.count)))
      const idle = a.idle()
      await new Promise((r) => setTimeout(r, 100))
      const t0 = Date.now()
      await b.append('INBOX', 'Subject: ping\r\n\r\nping\r\n')
      const count = await Promise.race([got, new Promise<number>((_, rej) => setTimeout(() => rej(new Error('no EXISTS within 2s')), 2000))])
      expect(Date.now() - t0).toBeLessThan(1000)
      expect(count).toBe(1)
      void idle
    } finally {
      await a.logout().catch(() => {})
      await b.logout().catch(() => {})
    }
  })
})
