/**
 * Memory per idle, authenticated, selected IMAP connection (issue 4 target: < 100 KB and < 1/10 of
 * Dovecot's on the same machine, measured in the same run). The clients live in a separate python3
 * process so that only the server's memory is measured. Wren: RSS delta of the server process.
 * Dovecot (bench/imap/dovecot.ts, same users and mailboxes): delta of the summed PSS (and RSS) of the
 * dovecot master and all its children (one imap process per connection, the login processes).
 * Run: node --expose-gc node_modules/.bin/tsx bench/imap/idle-memory.ts [-c 500] [--no-dovecot]
 */
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { staticConfigView, nullLogger } from '@wren/kernel'
import { openStore } from '@wren/store'
import { ImapServer } from '../../packages/imap/src/server/server.js'
import { passwordAuthenticator } from '../../e2e/imap/harness.js'
import { startDovecot } from './dovecot.js'

/** Summed PSS and RSS (bytes) of a process and all its descendants (/proc smaps_rollup). */
function treeMemory(root: number): { pss: number; rss: number; procs: number } {
  const children = new Map<number, number[]>()
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const st = fs.readFileSync(`/proc/${d}/stat`, 'latin1')
      const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1])
      const list = children.get(ppid) ?? []
      list.push(Number(d))
      children.set(ppid, list)
    } catch { /* gone */ }
  }
  let pss = 0, rss = 0, procs = 0
  const walk = (pid: number) => {
    try {
      const r = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1')
      pss += Number(/^Pss:\s+(\d+)/m.exec(r)?.[1] ?? 0) * 1024
      rss += Number(/^Rss:\s+(\d+)/m.exec(r)?.[1] ?? 0) * 1024
      procs++
    } catch { /* gone */ }
    for (const c of children.get(pid) ?? []) walk(c)
  }
  walk(root)
  return { pss, rss, procs }
}

const cArg = process.argv.indexOf('-c')
const C = cArg > 0 ? Number(process.argv[cArg + 1]) : 500
const USERS = 50

function mem(): { rss: number; heap: number } {
  ;(globalThis as { gc?: () => void }).gc?.()
  const m = process.memoryUsage()
  return { rss: m.rss, heap: m.heapUsed + m.external + m.arrayBuffers }
}

async function main(): Promise<void> {
  const dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'wren-mem-'))
  const config = staticConfigView({ 'imap.allowplaintextlogin': 1 })
  const store = openStore({ dataRoot, config, logger: nullLogger })
  const users: Record<string, string> = {}
  for (let u = 0; u < USERS; u++) {
    users[`u${u}`] = 'pw'
    store.ensureUser(`u${u}`)
    await store.deliverBatch(Array.from({ length: 20 }, (_, i) => ({ req: { userid: `u${u}` }, message: Buffer.from(`Subject: m${i}\r\n\r\nbody ${i}\r\n`) })))
  }
  const server = new ImapServer({ config, store, auth: passwordAuthenticator(users), logger: nullLogger, hostname: 'bench', product: 'Wren', version: '0' })
  const { port } = await server.listen({ host: '127.0.0.1', port: 0, tls: 'none' })
  // warm up code paths with one session so that JIT/code memory is not counted per connection
  const py = `
import socket, sys, time
port, n, users = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
socks = []
def cmd(s, line, tag):
    s.sendall(line.encode() + b'\\r\\n')
    buf = b''
    while not any(l.startswith(tag.encode() + b' ') for l in buf.split(b'\\r\\n')):
        buf += s.recv(65536)
for i in range(n):
    s = socket.create_connection(('127.0.0.1', port)); s.recv(4096)
    cmd(s, 'a LOGIN u%d pw' % (i % users), 'a'); cmd(s, 'b SELECT INBOX', 'b')
    socks.append(s)
print('ready', flush=True)
sys.stdin.readline()
`
  const run = (n: number, p = port) => new Promise<ReturnType<typeof spawn>>((resolve) => {
    const child = spawn('python3', ['-c', py, String(p), String(n), String(USERS)], { stdio: ['pipe', 'pipe', 'inherit'] })
    child.stdout!.on('data', (d) => { if (String(d).includes('ready')) resolve(child) })
  })
  const warm = await run(USERS)
  warm.stdin!.end('\n')
  await new Promise((r) => warm.on('close', r))
  await new Promise((r) => setTimeout(r, 500))
  const before = mem()
  const child = await run(C)
  await new Promise((r) => setTimeout(r, 500))
  const after = mem()
  console.log(`load: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores shared)`)
  console.log(`Wren: ${C} idle selected connections (${server.sessionCount} sessions)`)
  // The larger of the two deltas counts (RSS can grow less than the heap when the heap had room).
  const wrenKb = Math.max(after.rss - before.rss, after.heap - before.heap) / C / 1024
  console.log(`  RSS  delta ${((after.rss - before.rss) / 1024 / 1024).toFixed(1)} MB = ${((after.rss - before.rss) / C / 1024).toFixed(1)} KB per connection`)
  console.log(`  heap+external delta ${((after.heap - before.heap) / 1024 / 1024).toFixed(1)} MB = ${((after.heap - before.heap) / C / 1024).toFixed(1)} KB per connection`)
  child.stdin!.end('\n')
  await new Promise((r) => child.on('close', r))
  await server.close()
  store.close()
  if (!process.argv.includes('--no-dovecot')) {
    const dc = await startDovecot(path.join(dataRoot, 'dovecot'), Object.keys(users), (i) => `Subject: m${i}\r\n\r\nbody ${i}\r\n`, 20)
    try {
      const dWarm = await run(USERS, dc.port)
      dWarm.stdin!.end('\n')
      await new Promise((r) => dWarm.on('close', r))
      await new Promise((r) => setTimeout(r, 1000))
      const b = treeMemory(dc.child.pid!)
      const dChild = await run(C, dc.port)
      await new Promise((r) => setTimeout(r, 500))
      const a = treeMemory(dc.child.pid!)
      const dKb = (a.pss - b.pss) / C / 1024
      console.log(`Dovecot: ${C} idle selected connections (${a.procs - b.procs} more processes)`)
      console.log(`  PSS delta ${((a.pss - b.pss) / 1024 / 1024).toFixed(1)} MB = ${dKb.toFixed(1)} KB per connection (RSS sum ${((a.rss - b.rss) / C / 1024).toFixed(1)} KB)`)
      console.log(`Wren ${wrenKb.toFixed(1)} KB / Dovecot ${dKb.toFixed(1)} KB per connection = ${(wrenKb / dKb).toFixed(3)} (targets: Wren < 100 KB, ratio < 0.1)`)
      dChild.stdin!.end('\n')
      await new Promise((r) => dChild.on('close', r))
    } finally {
      await dc.stop()
    }
  }
  fs.rmSync(dataRoot, { recursive: true, force: true })
}

main().catch((e) => { console.error(e); process.exit(1) })
