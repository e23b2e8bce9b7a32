/**
 * Several sessions on one mailbox (RFC 3501 §5.2, §7.4.1): EXISTS, EXPUNGE, FETCH FLAGS from other
 * sessions, \Recent for one session only, no EXPUNGE during FETCH/STORE/SEARCH, no UID reuse; IDLE
 * (RFC 2177) receiving a delivery by another process within one second.
 */
import { spawn } from 'node:child_process'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RawClient } from './raw-client.js'
import { rawSessions, startHarness, type Harness } from './harness.js'

let h: Harness
const sessions = rawSessions(() => h)
const session = sessions.open
beforeAll(async () => { h = await startHarness() })
afterAll(async () => {
  sessions.closeAll()
  await h?.close()
})


const msg = (n: number) => `From: a@example.com\r\nSubject: m${n}\r\n\r\nbody ${n}\r\n`
async function append(c: RawClient, box: string, n: number): Promise<number> {
  const m = msg(n)
  const r = await c.cmd(`APPEND ${box} {${m.length}+}\r\n${m}`)
  const uid = /APPENDUID \d+ (\d+)/.exec(r.tagged)
  if (!uid) throw new Error(r.tagged)
  return Number(uid[1])
}

describe('two sessions on one mailbox', () => {
  it('see each other\'s appends, flag changes, expunges and moves as the RFC allows', async () => {
    const a = await session()
    const b = await session()
    await a.cmd('CREATE Shared1')
    await a.cmd('CREATE Dest1')
    const u1 = await append(a, 'Shared1', 1)
    const u2 = await append(a, 'Shared1', 2)
    expect(u2).toBeGreaterThan(u1)

    const selA = await a.cmd('SELECT Shared1')
    expect(selA.untagged).toContain('* 2 EXISTS')
    expect(selA.untagged).toContain('* 2 RECENT')
    const selB = await b.cmd('SELECT Shared1')
    expect(selB.untagged).toContain('* 2 EXISTS')
    // \Recent is given to one session only
    expect(selB.untagged).toContain('* 0 RECENT')

    // B appends: A learns about it at its next command
    const u3 = await append(b, 'Shared1', 3)
    const noop = await a.cmd('NOOP')
    expect(noop.untagged).toContain('* 3 EXISTS')

    // A sets \Seen on message 1: B gets an unsolicited FETCH FLAGS
    const st = await a.cmd('STORE 1 +FLAGS (\\Seen)')
    expect(st.untagged[0]).toMatch(/^\* 1 FETCH \(FLAGS \(\\Seen \\Recent\)\)$/)
    const nb = await b.cmd('NOOP')
    expect(nb.untagged).toContain('* 1 FETCH (FLAGS (\\Seen))')
    // the changer does not get an echo of its own change
    expect((await a.cmd('NOOP')).untagged.filter((l) => l.includes('FETCH'))).toEqual([])

    // B deletes and expunges message 1; A must not see EXPUNGE during FETCH, but after NOOP
    await b.cmd('STORE 1 +FLAGS.SILENT (\\Deleted)')
    const ex = await b.cmd('EXPUNGE')
    expect(ex.untagged).toContain('* 1 EXPUNGE')
    const f = await a.cmd('FETCH 1:* (UID)')
    expect(f.untagged.some((l) => /EXPUNGE/.test(l))).toBe(false)
    expect(f.untagged.filter((l) => /FETCH/.test(l)).length).toBe(2) // the expunged one is not returned
    const after = await a.cmd('NOOP')
    expect(after.untagged).toContain('* 1 EXPUNGE')
    const uids = await a.cmd('UID SEARCH ALL')
    expect(uids.untagged).toContain(`* SEARCH ${u2} ${u3}`)

    // A moves message 1 (uid u2) to Dest1: COPYUID + EXPUNGE for A; B sees the EXPUNGE later
    const mv = await a.cmd('MOVE 1 Dest1')
    expect(mv.untagged[0]).toMatch(new RegExp(`^\\* OK \\[COPYUID \\d+ ${u2} \\d+\\]`))
    expect(mv.untagged).toContain('* 1 EXPUNGE')
    expect((await b.cmd('NOOP')).untagged).toContain('* 1 EXPUNGE')
    expect((await b.cmd('UID SEARCH ALL')).untagged).toContain(`* SEARCH ${u3}`)

    // UIDs are never reused within a UIDVALIDITY
    const u4 = await append(b, 'Shared1', 4)
    expect(u4).toBeGreaterThan(u3)
    const st2 = await a.cmd('STATUS Shared1 (MESSAGES UIDNEXT)')
    expect(st2.untagged[0]).toBe(`* STATUS "Shared1" (MESSAGES 2 UIDNEXT ${u4 + 1})`)
  })

  it('reports flag changes with MODSEQ and UNCHANGEDSINCE conflicts under CONDSTORE', async () => {
    const a = await session()
    const b = await session()
    await a.cmd('CREATE Cond')
    await append(a, 'Cond', 1)
    await a.cmd('ENABLE CONDSTORE')
    const sel = await a.cmd('SELECT Cond (CONDSTORE)')
    const hms = Number(/HIGHESTMODSEQ (\d+)/.exec(sel.untagged.join('\n'))![1])
    await b.cmd('SELECT Cond')
    await b.cmd('STORE 1 +FLAGS (\\Flagged)')
    const r = await a.cmd(`STORE 1 (UNCHANGEDSINCE ${hms}) +FLAGS (\\Seen)`)
    expect(r.tagged).toMatch(/OK \[MODIFIED 1\]/)
    const fetched = await a.cmd(`FETCH 1 (FLAGS) (CHANGEDSINCE ${hms})`)
    expect(fetched.untagged.join('\n')).toMatch(/\* 1 FETCH \(.*FLAGS \(\\Flagged.*MODSEQ \(\d+\)\)/)
  })
})

describe('IDLE', () => {
  it('pushes EXISTS within one second of a delivery by another process', async () => {
    const a = await session('bob')
    await a.cmd('SELECT INBOX')
    const child = spawn(path.resolve('node_modules/.bin/tsx'), [path.resolve('e2e/imap/deliver-child.ts'), h.dataRoot, 'bob', '1'], { stdio: ['pipe', 'pipe', 'inherit'] })
    try {
      let out = ''
      child.stdout.on('data', (d) => { out += d })
      const waitOut = async (re: RegExp) => {
        const deadline = Date.now() + 30_000
        while (!re.test(out)) {
          if (Date.now() > deadline) throw new Error(`child: ${out}`)
          await new Promise((r) => setTimeout(r, 20))
        }
      }
      await waitOut(/ready/)
      const start = a.lines.length
      a.write('idle1 IDLE\r\n')
      await a.waitFor(/^\+ idling/, 5000, start)
      child.stdin.write('go\n')
      const i = await a.waitFor(/^\* \d+ EXISTS/, 5000, start)
      const arrived = Date.now()
      await waitOut(/delivered \d+/)
      const deliveredAt = Number(/delivered (\d+)/.exec(out)![1])
      expect(arrived - deliveredAt).toBeLessThan(1000)
      expect(a.lines[i]).toBe('* 1 EXISTS')
      a.write('DONE\r\n')
      expect(a.lines[await a.waitFor(/^idle1 /, 5000, start)]).toBe('idle1 OK IDLE terminated')
    } finally {
      child.kill('SIGKILL')
    }
  })

  it('pushes flag changes made by another session while idling', async () => {
    const a = await session('bob')
    const b = await session('bob')
    await a.cmd('SELECT INBOX')
    await b.cmd('SELECT INBOX')
    const start = a.lines.length
    a.write('idle2 IDLE\r\n')
    await a.waitFor(/^\+ idling/, 5000, start)
    const t0 = Date.now()
    await b.cmd('STORE 1 +FLAGS (\\Seen)')
    const i = await a.waitFor(/^\* 1 FETCH \(FLAGS/, 2000, start)
    expect(Date.now() - t0).toBeLessThan(1000)
    expect(a.lines[i]).toMatch(/\\Seen/)
    a.write('DONE\r\n')
    await a.waitFor(/^idle2 OK/, 5000, start)
  })
})
