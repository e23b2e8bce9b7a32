// kill -9 in the middle of a submission run, restart: every acknowledged message is delivered
// exactly once (and nothing is delivered twice), and mail.log has its E and D records.
import { afterAll, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { staticConfigView } from '@wren/kernel'
import { openStore } from '@wren/store'
import { parseLogText } from '@wren/mta/maillog/parse'
import { freePort, waitFor } from './harness.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '')

/** Every runner this file started: killed after the tests even if one timed out mid-way (no orphans). */
const runners: ChildProcess[] = []

function startRunner(dataRoot: string, port: number, role = 'all'): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', `${ROOT}/node_modules/tsx/dist/loader.mjs`, `${ROOT}/e2e/mta/mta-runner.ts`, dataRoot, String(port), role], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
    runners.push(p)
    let out = ''
    p.stdout!.on('data', (d) => { out += d; if (out.includes('READY')) resolve(p) })
    p.on('exit', (code) => reject(new Error(`runner exited ${code}: ${out}`)))
  })
}

const CLIENT = `
import smtplib, sys, threading
port, threads, per = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
lock = threading.Lock()
def worker(t):
    try:
        s = smtplib.SMTP('127.0.0.1', port, timeout=30)
        s.ehlo('client')
        for i in range(per):
            subj = 'crash-%d-%d' % (t, i)
            s.sendmail('load@remote.test', ['joe@example.org'], 'Subject: %s\\r\\nMessage-ID: <%s@client.test>\\r\\n\\r\\nbody %s\\r\\n' % (subj, subj, 'x' * 900))
            with lock:
                sys.stdout.write('ACK %s\\n' % subj); sys.stdout.flush()
    except Exception as e:
        with lock:
            sys.stdout.write('ERR %s\\n' % e); sys.stdout.flush()
ts = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
[t.start() for t in ts]; [t.join() for t in ts]
`

/** The Python client: `threads` connections × `per` messages; the subjects acknowledged with 250 so far, and its end. */
function startClient(port: number, threads: number, per: number): { acked: Set<string>; done: Promise<unknown> } {
  const acked = new Set<string>()
  const client = spawn('python3', ['-c', CLIENT, String(port), String(threads), String(per)])
  let buf = ''
  client.stdout.on('data', (d) => {
    buf += d
    let nl
    while ((nl = buf.indexOf('\n')) >= 0) { const l = buf.slice(0, nl); buf = buf.slice(nl + 1); if (l.startsWith('ACK ')) acked.add(l.slice(4)) }
  })
  return { acked, done: new Promise((r) => client.on('close', r)) }
}

describe('crash safety', () => {
  const dataRoot = mkdtempSync(join(tmpdir(), 'wren-crash-'))
  let runner: ChildProcess | undefined
  afterAll(() => {
    for (const p of runners) p.kill('SIGKILL')
    rmSync(dataRoot, { recursive: true, force: true })
  })

  it('kill -9 during a 10-connection run loses and duplicates nothing', async () => {
    const port = await freePort()
    runner = await startRunner(dataRoot, port)
    const { acked, done: clientDone } = startClient(port, 10, 300)
    await waitFor(() => acked.size >= 600, '600 acknowledged messages', 60_000)
    runner.kill('SIGKILL')
    await clientDone
    expect(acked.size).toBeGreaterThanOrEqual(600)
    expect(acked.size).toBeLessThan(3000) // the kill landed mid-run
    // restart on the same data root: the queue drains
    runner = await startRunner(dataRoot, port)
    const { QueueIndex } = await import('@wren/mta/queue/index-db')
    const idx = new QueueIndex(join(dataRoot, 'db', 'queue-index.sqlite'))
    await waitFor(() => idx.count() === 0, 'queue drained after restart', 60_000)
    idx.close()
    await new Promise<void>((r) => { runner!.once('exit', () => r()); runner!.kill('SIGTERM') })
    runner = undefined
    await expectExactlyOnce(dataRoot, acked)
    expectLogged(dataRoot, acked)
  }, 150_000)

  it('kill -9 of the job controller alone: what the dispatcher handed it is indexed and delivered once', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wren-crash-jc-'))
    const procs: ChildProcess[] = []
    try {
      const port = await freePort()
      procs.push(await startRunner(root, port, 'dispatcher'))
      let jobs = await startRunner(root, port, 'jobs')
      procs.push(jobs)
      const { acked, done: clientDone } = startClient(port, 10, 150)
      await waitFor(() => acked.size >= 300, '300 acknowledged messages', 60_000)
      jobs.kill('SIGKILL')
      await waitFor(() => acked.size >= 600, '600 more while the job controller is down', 60_000)
      jobs = await startRunner(root, port, 'jobs')
      procs.push(jobs)
      await clientDone
      expect(acked.size).toBe(1500)
      const { QueueIndex } = await import('@wren/mta/queue/index-db')
      const idx = new QueueIndex(join(root, 'db', 'queue-index.sqlite'))
      // (the index empty and joe's INBOX complete: handed-off mail never shows in the index)
      const deadline = Date.now() + 60_000
      while (!(idx.count() === 0 && (await inboxSubjects(root)).size >= acked.size)) {
        if (Date.now() > deadline) throw new Error(`not delivered: ${idx.count()} queued, ${(await inboxSubjects(root)).size} of ${acked.size} in the store`)
        await new Promise((r) => setTimeout(r, 500))
      }
      idx.close()
      for (const p of procs) if (p.exitCode === null && p.signalCode === null) await new Promise<void>((r) => { p.once('exit', () => r()); p.kill('SIGTERM') })
      await expectExactlyOnce(root, acked)
      expectLogged(root, acked)
    } finally {
      for (const p of procs) p.kill('SIGKILL')
      rmSync(root, { recursive: true, force: true })
    }
  }, 150_000)
})

/** Subject → how many copies joe's INBOX holds. */
async function inboxSubjects(dataRoot: string): Promise<Map<string, number>> {
  const store = openStore({ dataRoot, config: staticConfigView({}) })
  try {
    const view = store.session('joe').open('INBOX', { readOnly: true })
    const subjects = new Map<string, number>()
    for (const uid of view.uids()) {
      const h = (await view.header(uid)).toString()
      const s = /^Subject: (crash-\d+-\d+)/m.exec(h)?.[1]
      if (s) subjects.set(s, (subjects.get(s) ?? 0) + 1)
    }
    view.close()
    return subjects
  } finally { store.close() }
}

async function expectExactlyOnce(dataRoot: string, acked: Set<string>): Promise<void> {
  const subjects = await inboxSubjects(dataRoot)
  const missing = [...acked].filter((s) => !subjects.has(s))
  const dupes = [...subjects].filter(([, n]) => n > 1)
  expect(missing).toEqual([])
  expect(dupes).toEqual([])
}

/**
 * Each acknowledged message has its E record (written before the 250) and a D record (written
 * before its queue entry went): the killed process had lost none of them (maillog/writer.ts sync).
 */
function expectLogged(dataRoot: string, acked: Set<string>): void {
  const records = parseLogText(readFileSync(join(dataRoot, 'log', 'mail.log_current'), 'utf8'), { messageId: true })
  const seen = (action: string) => new Set(records.flatMap((r) => (r.kind === 'message' && r.action === action && r.messageId ? [r.messageId.replace(/^<|@client\.test>$/g, '')] : [])))
  const enqueued = seen('E')
  const delivered = seen('D')
  expect([...acked].filter((s) => !enqueued.has(s))).toEqual([])
  expect([...acked].filter((s) => !delivered.has(s))).toEqual([])
}
