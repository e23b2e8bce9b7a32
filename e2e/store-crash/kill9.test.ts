// kill -9 during delivery (issue 4 Done-when; brief S2-store item 1): a child process delivers batches
// in a loop and is killed at random points several times; each restart re-sends a window of ids
// around the kill (as the MTA retries what it had in flight). Afterwards every acknowledged deliveryId
// is stored exactly once, no id is stored twice, every index passes integrity_check and imcheck, and
// quota usage equals the real sum of the message files.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { staticConfigView } from '@wren/kernel'
import { openStore } from '@wren/store'
import { messagePath } from '@wren/store/layout'
import { memoryIO } from '../../apps/cli/src/io.js'
import { run as imcheck } from '../../apps/cli/src/commands/imcheck.js'

const ROOT = path.resolve(import.meta.dirname, '../..')
const USERS = 20
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wren-store-crash-'))
const children: ChildProcess[] = []
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  fs.rmSync(root, { recursive: true, force: true })
})

/** Run the child from `start` until it has acknowledged `target` more ids, then kill -9 it. */
function runAndKill(start: number, target: number, acked: Set<number>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'e2e/store-crash/deliver-child.ts'), root, String(start), String(USERS)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    children.push(child)
    let buf = ''
    let got = 0
    let err = ''
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`child made no progress: ${err}`)) }, 60_000)
    child.stderr!.on('data', (d) => { err += d })
    child.stdout!.on('data', (d) => {
      buf += d
      let nl
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl)
        buf = buf.slice(nl + 1)
        if (!line.startsWith('ACK ')) continue
        for (const id of line.slice(4).split(' ')) { acked.add(Number(id)); got++ }
        if (got >= target && child.signalCode === null) child.kill('SIGKILL')
      }
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (signal === 'SIGKILL') resolve()
      else reject(new Error(`child exited ${code}: ${err}`))
    })
  })
}

describe('kill -9 during delivery, then recovery', () => {
  it('keeps every acknowledged delivery exactly once, indexes intact, quota exact', async () => {
    const acked = new Set<number>()
    let next = 0
    for (let round = 0; round < 4; round++) {
      await runAndKill(next, 150 + Math.floor(Math.random() * 300), acked)
      // The restart re-sends ids from before the kill: acknowledged ones and the in-flight ones.
      next = Math.max(0, Math.max(...acked) - 40)
    }
    expect(acked.size).toBeGreaterThan(400)

    const store = openStore({ dataRoot: root, config: staticConfigView({}) }) // replays the dead journals
    try {
      expect(fs.readdirSync(store.journalDir())).toEqual([])
      const seen = new Map<number, number>()
      for (let u = 0; u < USERS; u++) {
        const userid = `u${u}`
        const udb = store.db(userid)!
        expect(new Database(path.join(udb.dir, 'store.idx'), { readonly: true }).pragma('integrity_check', { simple: true })).toBe('ok')
        const v = store.session(userid).open('INBOX')
        const inbox = udb.mailboxByFolder('INBOX')!
        let bytes = 0
        for (const uid of v.uids()) {
          const file = messagePath(udb.dir, inbox.id, uid)
          const data = fs.readFileSync(file)
          bytes += data.length
          const id = Number(/X-Delivery: (\d+)/.exec(data.toString())![1])
          expect(id % USERS).toBe(u)
          seen.set(id, (seen.get(id) ?? 0) + 1)
        }
        const q = await store.quotaReport(userid)
        expect(q.msgUsed).toBe(v.uids().length)
        expect(q.diskUsed).toBe(bytes)
        v.close()
        const io = memoryIO({ env: { WREN_DATA: root } })
        expect(await imcheck(['-m', `user/${userid}/INBOX`], io.io)).toBe(0)
      }
      for (const id of acked) expect(seen.get(id), `acknowledged delivery ${id}`).toBe(1)
      for (const [id, n] of seen) expect(n, `delivery ${id} stored ${n} times`).toBe(1)
    } finally {
      store.close()
    }
  }, 180_000)
})
