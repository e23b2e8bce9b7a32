import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { makeStore, msg } from './test-helpers.js'
import { FLAG_DELETED, FLAG_FLAGGED, FLAG_SEEN, MailboxExistsError, MailboxNotFoundError, StoreError } from './types.js'
import { openStore } from './store.js'
import { staticConfigView } from '@wren/kernel'

const cleanups: Array<() => void> = []
afterEach(() => { while (cleanups.length) cleanups.pop()!() })
function setup(config = {}) {
  const s = makeStore({ config })
  cleanups.push(s.cleanup)
  return s
}

describe('provisioning and layout', () => {
  it('creates INBOX and the special-use folders for a new user', () => {
    const { store, root } = setup()
    const list = store.session('joe').list({ pattern: '*' })
    expect(list.map((e) => e.folder).sort()).toEqual(['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash'])
    expect(list.find((e) => e.folder === 'Sent')!.specialUse).toBe('\\Sent')
    const dir = store.userPath('joe')
    expect(dir).toBe(path.join(root, 'store/partition/primary/=user', store.hashdir('joe'), '=joe'))
    expect(fs.existsSync(path.join(dir, 'store.idx'))).toBe(true)
  })
  it('honours partition:<name>.path and store.defaultpartition', () => {
    const { store, root } = setup({ 'partition:p2.path': 'p2dir', 'store.defaultpartition': 'p2' })
    store.ensureUser('ann')
    expect(store.userPath('ann').startsWith(path.join(root, 'p2dir', '=user'))).toBe(true)
  })
})

describe('append, fetch, flags, expunge', () => {
  it('appends with flags and internal date, reads bytes and metadata back', async () => {
    const { store } = setup()
    const s = store.session('joe')
    const m = msg('hello')
    const date = Date.UTC(2020, 0, 2, 3, 4, 5)
    const r = await s.append('INBOX', m, { flags: ['\\Seen', '$Label1'], internalDate: date })
    expect(r.uid).toBe(1)
    const v = s.open('INBOX')
    const meta = v.meta(1)!
    expect(meta.flags).toBe(FLAG_SEEN)
    expect(meta.keywords).toEqual(['$Label1'])
    expect(meta.internalDate).toBe(date)
    expect(meta.size).toBe(m.length)
    expect(meta.envelope.subject).toBe('hello')
    expect((await v.read(1)).equals(m)).toBe(true)
    expect((await v.read(1, 6, 11)).toString()).toBe('Alice')
    expect((await v.header(1)).toString().endsWith('\r\n\r\n')).toBe(true)
    v.close()
  })
  it('STORE +/-/replace bumps modseq; UNCHANGEDSINCE reports modified uids (RFC 7162)', async () => {
    const { store } = setup()
    const s = store.session('joe')
    for (const n of [1, 2, 3]) await s.append('INBOX', msg('m' + n))
    const v = s.open('INBOX')
    const h0 = v.refresh().highestModseq
    const r1 = v.storeFlags([1, 2], { mode: 'add', flags: ['\\Flagged', 'work'] })
    expect(r1.updated.map((e) => e.uid)).toEqual([1, 2])
    expect(r1.highestModseq).toBe(h0 + 2)
    const r2 = v.storeFlags([1, 2, 3], { mode: 'remove', flags: ['WORK'], unchangedSince: h0 + 1 })
    expect(r2.modified).toEqual([2])
    expect(r2.updated.map((e) => [e.uid, e.keywords])).toEqual([[1, []]])
    const r3 = v.storeFlags([3], { mode: 'replace', flags: ['\\Deleted'] })
    expect(r3.updated[0].flags).toBe(FLAG_DELETED)
    expect(v.flags().map((e) => e.flags)).toEqual([FLAG_FLAGGED, FLAG_FLAGGED, FLAG_DELETED])
    const ch = v.changesSince(h0 + 1)
    expect(ch.changed.map((e) => e.uid)).toEqual([1, 2, 3])
    v.close()
  })
  it('EXPUNGE removes \\Deleted messages, logs them for VANISHED, never reuses UIDs', async () => {
    const { store } = setup()
    const s = store.session('joe')
    for (const n of [1, 2, 3]) await s.append('INBOX', msg('m' + n))
    const v = s.open('INBOX')
    v.storeFlags([1, 3], { mode: 'add', flags: ['\\Deleted'] })
    const before = v.refresh().highestModseq
    expect(await v.expunge([3])).toEqual([3])
    expect(await v.expunge()).toEqual([1])
    expect(Array.from(v.uids())).toEqual([2])
    expect(v.changesSince(before).vanished).toEqual([1, 3])
    const r = await s.append('INBOX', msg('m4'))
    expect(r.uid).toBe(4)
    expect(s.status('INBOX')).toMatchObject({ messages: 2, uidNext: 5 })
    expect(fs.existsSync(v.filePath(1))).toBe(false)
    v.close()
  })
  it('COPY and MOVE map UIDs (RFC 4315 COPYUID, RFC 6851)', async () => {
    const { store } = setup()
    const s = store.session('joe')
    for (const n of [1, 2, 3]) await s.append('INBOX', msg('m' + n), { flags: n === 2 ? ['\\Flagged'] : [] })
    await s.append('Archive', msg('a1'))
    const v = s.open('INBOX')
    const c = await v.copy([3, 2], 'Archive')
    expect(c.sourceUids).toEqual([2, 3])
    expect(c.destUids).toEqual([2, 3])
    expect(c.uidValidity).toBe(s.get('Archive')!.uidValidity)
    const m = await v.move([1], 'Trash')
    expect(m.destUids).toEqual([1])
    expect(Array.from(v.uids())).toEqual([2, 3])
    const a = s.open('Archive')
    expect(a.flagsOf([2])[0].flags).toBe(FLAG_FLAGGED)
    expect((await a.read(3)).toString()).toContain('Subject: m3')
    // Single copy: COPY hard-links the file.
    expect(fs.statSync(a.filePath(3)).nlink).toBe(2)
    expect(s.status('Trash').messages).toBe(1)
    a.close(); v.close()
  })
  it('maintained \\Seen/\\Deleted counters always equal a recount', async () => {
    const { store } = setup()
    const s = store.session('joe')
    for (let i = 0; i < 12; i++) await s.append('INBOX', msg('c' + i), { flags: i % 3 === 0 ? ['\\Seen'] : i % 3 === 1 ? ['\\Deleted', '\\Seen'] : [] })
    const v = s.open('INBOX')
    const check = () => {
      const r = store.db('joe')!.db.prepare(`SELECT COUNT(*) AS n, SUM((flags & 1) = 0) AS unseen, SUM((flags & 8) != 0) AS del
        FROM messages WHERE mailbox_id = ?`).get(v.info.id) as { n: number; unseen: number; del: number }
      const st = s.status('INBOX')
      expect([st.messages, st.unseen, st.deleted]).toEqual([r.n, r.unseen ?? 0, r.del ?? 0])
    }
    check()
    v.storeFlags([1, 2, 3, 4], { mode: 'replace', flags: ['\\Deleted'] }); check()
    v.storeFlags([5, 6, 7], { mode: 'add', flags: ['\\Seen'] }); check()
    v.storeFlags([2, 8], { mode: 'remove', flags: ['\\Deleted', '\\Seen'] }); check()
    await v.expunge([1, 5]); check()
    await v.move([6, 7], 'Trash'); check()
    await v.expunge(); check()
    await s.rename('INBOX', 'Old'); check()
    v.close()
  })
  it('STATUS counters', async () => {
    const { store } = setup()
    const s = store.session('joe')
    await s.append('INBOX', msg('a'), { flags: ['\\Seen'] })
    await s.append('INBOX', msg('b'))
    const st = s.status('INBOX')
    expect(st).toMatchObject({ messages: 2, recent: 2, unseen: 1, uidNext: 3, deleted: 0 })
    expect(st.size).toBe(msg('a').length + msg('b').length)
  })
})

describe('SEARCH substring semantics (spec 03 §25)', () => {
  it('matches substrings case-insensitively in simple and encoded messages', async () => {
    const { store } = setup()
    const s = store.session('joe')
    await s.append('INBOX', msg('plain', 'Hello World! This is a test.\r\n'))
    await s.append('INBOX', msg('b64', Buffer.from('Hello World!').toString('base64') + '\r\n',
      'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n'))
    await s.append('INBOX', msg('other', 'nothing here\r\n'))
    await s.append('INBOX', msg('utf', 'Grüße aus Köln\r\n', 'Content-Type: text/plain; charset=utf-8\r\n'))
    const v = s.open('INBOX')
    const all = Array.from(v.uids())
    // First through the text cache, then (cache emptied) through the message files.
    for (const pass of ['cache', 'files']) {
      if (pass === 'files') store.db('joe')!.db.exec('DELETE FROM textcache')
      for (const needle of ['world', 'wor', 'llo', 'lo Wor', '!']) expect(await v.searchMany(all, needle, 'body')).toEqual([1, 2])
      expect(await v.searchMany(all, 'plain', 'body')).toEqual([])
      expect(await v.searchMany(all, 'Subject: pla', 'text')).toEqual([1])
      expect(await v.searchMany(all, 'GRÜSSE'.replace('SS', 'ß').toLowerCase(), 'body')).toEqual([4])
      expect(await v.searchMany(all, 'KÖLN', 'body')).toEqual([4])
      expect(await v.searchMany([1, 3], 'world', 'body')).toEqual([1])
      expect(await v.search(3, 'HERE', 'body')).toBe(true)
    }
    v.close()
  })
})

describe('Recent and notifications across sessions and processes', () => {
  it('a uid is Recent for exactly one session, also across store instances (processes)', async () => {
    const { store, root } = setup()
    const other = openStore({ dataRoot: root, config: staticConfigView({}) })
    cleanups.push(() => other.close())
    const s1 = store.session('joe')
    await s1.append('INBOX', msg('a'))
    const v1 = s1.open('INBOX')
    const v2 = other.session('joe').open('INBOX')
    expect(v1.claimRecent()).toEqual([1])
    expect(v2.claimRecent()).toEqual([])
    await store.deliver({ userid: 'joe' }, msg('b'))
    expect(v2.claimRecent()).toEqual([2])
    expect(v1.claimRecent()).toEqual([])
    expect(other.session('joe').open('INBOX', { readOnly: true }).claimRecent()).toEqual([])
    v1.close(); v2.close()
  })
  it('10,000 idle watchers: one inotify watch, one counter read per ring', async () => {
    const { store, root } = setup()
    const other = openStore({ dataRoot: root, config: staticConfigView({}) })
    cleanups.push(() => other.close())
    const s = store.session('joe')
    const views = Array.from({ length: 10_000 }, () => s.open('INBOX'))
    let notified = 0
    for (const v of views) v.watch(() => { notified++ })
    await other.deliver({ userid: 'joe' }, msg('to-all'))
    await waitFor(() => notified === 10_000, 10_000)
    for (const v of views) v.close()
  })
  it('the cached uid list follows appends and expunges made by another process', async () => {
    const { store, root } = setup()
    const other = openStore({ dataRoot: root, config: staticConfigView({}) })
    cleanups.push(() => other.close())
    const s = store.session('joe')
    for (const n of [1, 2, 3]) await s.append('INBOX', msg('u' + n))
    const v = s.open('INBOX')
    expect(Array.from(v.uids())).toEqual([1, 2, 3])
    await other.deliver({ userid: 'joe' }, msg('u4'))
    expect(Array.from(v.uids())).toEqual([1, 2, 3, 4])
    const ov = other.session('joe').open('INBOX')
    ov.storeFlags([2], { mode: 'add', flags: ['\\Deleted'] })
    await ov.expunge()
    await other.deliver({ userid: 'joe' }, msg('u5'))
    expect(Array.from(v.uids())).toEqual([1, 3, 4, 5])
    ov.close(); v.close()
  })
  it('watchers in another store instance learn about deliveries and flag changes', async () => {
    const { store, root } = setup()
    const other = openStore({ dataRoot: root, config: staticConfigView({}) })
    cleanups.push(() => other.close())
    store.ensureUser('joe')
    const v = other.session('joe').open('INBOX')
    const seen: number[] = []
    v.watch((n) => seen.push(n.messages))
    await store.deliver({ userid: 'joe' }, msg('a'))
    await waitFor(() => seen.length >= 1)
    expect(seen.at(-1)).toBe(1)
    const mine = store.session('joe').open('INBOX')
    const before = seen.length
    mine.storeFlags([1], { mode: 'add', flags: ['\\Seen'] })
    await waitFor(() => seen.length > before)
    expect(v.changesSince(0).changed[0].flags).toBe(FLAG_SEEN)
    mine.close(); v.close()
  })
})

describe('mailbox management', () => {
  it('creates parents, refuses duplicates, renames with children', async () => {
    const { store } = setup()
    const s = store.session('joe')
    s.create('Projects/2024/Q1')
    expect(() => s.create('projects/2024/Q1')).not.toThrow() // case-sensitive: a different name
    expect(() => s.create('Projects/2024/Q1')).toThrow(MailboxExistsError)
    await s.append('Projects/2024/Q1', msg('q1'))
    const uv = s.get('Projects/2024/Q1')!.uidValidity
    await s.rename('Projects', 'Old/Projects')
    const names = s.list({ pattern: 'Old/*' }).map((e) => e.folder)
    expect(names).toEqual(expect.arrayContaining(['Old/Projects', 'Old/Projects/2024', 'Old/Projects/2024/Q1']))
    expect(s.get('Projects')).toBeNull()
    const info = s.get('Old/Projects/2024/Q1')!
    expect(info.uidValidity).toBe(uv)
    expect(s.status('Old/Projects/2024/Q1').messages).toBe(1)
  })
  it('renaming INBOX moves its messages and leaves INBOX empty (RFC 3501 §6.3.5)', async () => {
    const { store } = setup()
    const s = store.session('joe')
    await s.append('INBOX', msg('a'))
    await s.append('INBOX', msg('b'))
    s.create('INBOX/child')
    await s.rename('INBOX', 'Saved')
    expect(s.status('INBOX').messages).toBe(0)
    expect(s.status('Saved').messages).toBe(2)
    expect(s.get('INBOX/child')).not.toBeNull()
    const v = s.open('Saved')
    expect((await v.read(2)).toString()).toContain('Subject: b')
    v.close()
    expect((await s.append('INBOX', msg('c'))).uid).toBe(3)
  })
  it('deletes mailboxes; a re-created name gets a new UIDVALIDITY; INBOX cannot be deleted', async () => {
    const { store } = setup()
    const s = store.session('joe')
    s.create('tmp')
    const uv = s.get('tmp')!.uidValidity
    await s.delete('tmp')
    expect(s.get('tmp')).toBeNull()
    s.create('tmp')
    expect(s.get('tmp')!.uidValidity).toBeGreaterThan(uv)
    await expect(s.delete('INBOX')).rejects.toThrow(StoreError)
    await expect(s.delete('nope')).rejects.toThrow(MailboxNotFoundError)
  })
  it('store.pin protects folders from non-admins', async () => {
    const { store } = setup({ 'store.pin': 'Drafts%Backup', 'store.admins': 'admin' })
    const s = store.session('joe')
    await expect(s.delete('Drafts')).rejects.toThrow('mailbox is pinned')
    await store.session('admin').delete({ owner: 'joe', folder: 'Drafts' })
    expect(s.get('Drafts')).toBeNull()
  })
  it('subscriptions, LSUB of missing mailboxes, and the \\NonExistent parent', async () => {
    const { store } = setup()
    const s = store.session('joe')
    s.create('a/b')
    await s.delete('a')
    s.subscribe('a/b')
    s.subscribe('gone')
    const list = s.list({ pattern: '*' })
    expect(list.find((e) => e.folder === 'a')).toMatchObject({ nonExistent: true, hasChildren: true })
    const subs = s.list({ pattern: '*', subscribedOnly: true }).map((e) => [e.folder, e.nonExistent])
    expect(subs).toEqual(expect.arrayContaining([['a/b', false], ['gone', true]]))
  })
})

describe('delivery', () => {
  it('a repeated deliveryId (MTA retry after a crash) stores nothing twice and answers the first UID', async () => {
    const { store, events } = setup()
    const first = await store.deliverBatch([{ req: { userid: 'joe', deliveryId: 'm1/ims-ms/0' }, message: msg('once') }])
    const again = await store.deliverBatch([
      { req: { userid: 'joe', deliveryId: 'm1/ims-ms/0' }, message: msg('once') },
      { req: { userid: 'joe', deliveryId: 'm1/ims-ms/1' }, message: msg('once') },
    ])
    expect(first[0]).toMatchObject({ ok: true, uid: 1, folder: 'INBOX' })
    expect(again[0]).toMatchObject({ ok: true, uid: 1, folder: 'INBOX' })
    expect(again[1]).toMatchObject({ ok: true, uid: 2 })
    const v = store.session('joe').open('INBOX', { readOnly: true })
    expect([...v.uids()]).toEqual([1, 2])
    v.close()
    expect(events.filter((e) => e.evtType === 'NewMsg').length).toBe(2)
  })
  it('deliverMany writes one file and hard-links it to every recipient', async () => {
    const { store, events } = setup()
    const out = await store.deliverMany([{ userid: 'a' }, { userid: 'b' }, { userid: 'c', folder: 'Lists', createFolder: true }], msg('x'))
    expect(out.every((o) => o.ok)).toBe(true)
    const v = store.session('a').open('INBOX')
    expect(fs.statSync(v.filePath(1)).nlink).toBe(3)
    expect(out[2]).toMatchObject({ folder: 'Lists', uid: 1 })
    const ev = events.filter((e) => e.evtType === 'NewMsg')
    expect(ev.map((e) => e.mailboxName)).toEqual(['a', 'b'])
    expect(ev[0]).toMatchObject({ imapUid: 1, numMsgs: 1, size: msg('x').length, hostname: expect.any(String), process: 'stored' })
    v.close()
  })
  it('a leftover file at a new UID (crash before its commit, linked to a stored message) is replaced, never overwritten', async () => {
    const { store } = setup()
    await store.deliver({ userid: 'joe', deliveryId: 'o1/ims-ms/0' }, msg('kept'))
    const v = store.session('joe').open('INBOX')
    // The orphan: uid 2's path hard-linked to uid 1's file, as a crash between link and commit leaves it.
    fs.linkSync(v.filePath(1), v.filePath(1).replace(/1\.msg$/, '2.msg'))
    const out = await store.deliver({ userid: 'joe', deliveryId: 'o2/ims-ms/0' }, msg('new one'))
    expect(out).toMatchObject({ ok: true, uid: 2 })
    expect(fs.readFileSync(v.filePath(1)).equals(msg('kept'))).toBe(true)
    expect(fs.readFileSync(v.filePath(2)).equals(msg('new one'))).toBe(true)
    v.close()
  })
  it('ENS events: ReadMsg/TrashMsg/ExpungeMsg with the manual\'s fields; XNOTNOTIFY-style suppression', async () => {
    const { store, events } = setup()
    await store.deliver({ userid: 'joe' }, msg('e1'))
    const s = store.session('joe')
    const v = s.open('INBOX')
    v.storeFlags([1], { mode: 'add', flags: ['\\Seen'] })
    expect(events.at(-1)).toMatchObject({ evtType: 'ReadMsg', mailboxName: 'joe', uidList: '1', pid: process.pid })
    s.setNotify(false)
    const n = events.length
    v.storeFlags([1], { mode: 'add', flags: ['\\Deleted'] })
    await v.expunge()
    expect(events.length).toBe(n)
    s.setNotify(true)
    await s.append('INBOX', msg('e2'))
    expect(events.at(-1)).toMatchObject({ evtType: 'UpdateMsg', imapUid: 2, numMsgs: 1 })
    v.close()
  })
  it('deliverBatch commits many messages; a missing folder falls back to INBOX; bad ids are permanent', async () => {
    const { store } = setup()
    const items = Array.from({ length: 20 }, (_, i) => ({ req: { userid: i % 2 ? 'u1' : 'u2', folder: i === 0 ? 'Nope' : undefined, flags: ['\\Flagged'] }, message: msg('b' + i) }))
    items.push({ req: { userid: '-bad' } as never, message: msg('bad') })
    const out = await store.deliverBatch(items)
    expect(out.slice(0, 20).every((o) => o.ok)).toBe(true)
    expect(out[0]).toMatchObject({ folder: 'INBOX' })
    expect(out[20]).toMatchObject({ ok: false, code: 'nosuchuser', temporary: false, enhancedStatus: '5.1.1' })
    expect(store.session('u1').status('INBOX').messages).toBe(10)
  })
  it('delivers from a queue file with an envelope prefix', async () => {
    const { store, root } = setup()
    const f = path.join(root, 'q.txt')
    const body = msg('fromfile')
    fs.writeFileSync(f, Buffer.concat([Buffer.from('ENVELOPE\n'), body]))
    const o = await store.deliver({ userid: 'joe' }, { path: f, offset: 9 })
    expect(o.ok).toBe(true)
    const v = store.session('joe').open('INBOX')
    expect((await v.read(1)).equals(body)).toBe(true)
    v.close()
  })
})

export async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}
