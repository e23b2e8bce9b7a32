/**
 * Memory per idle, authenticated, selected IMAP connection (issue 4 target: < 100 KB).
 * The clients live in a separate python3 process so that only the server's memory is measured.
 * Run: node --expose-gc node_modules/.bin/tsx bench/imap/idle-memory.ts [-c 500]
 */
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { staticConfigView, nullLogger } from '@wren/kernel'
import { openStore } from '@wren/store'
import { ImapServer } from '../../packages/imap/src/server/server.js'
import { passwordAuthenticator } from '../../e2e/imap/harness.js'

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
  const run = (n: number) => new Promise<ReturnType<typeof spawn>>((resolve) => {
    const child = spawn('python3', ['-c', py, String(port), String(n), String(USERS)], { stdio: ['pipe', 'pipe', 'inherit'] })
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
  console.log(`${C} idle selected connections (${server.sessionCount} sessions)`)
  console.log(`  RSS  delta ${((after.rss - before.rss) / 1024 / 1024).toFixed(1)} MB = ${((after.rss - before.rss) / C / 1024).toFixed(1)} KB per connection`)
  console.log(`  heap+external delta ${((after.heap - before.heap) / 1024 / 1024).toFixed(1)} MB = ${((after.heap - before.heap) / C / 1024).toFixed(1)} KB per connection`)
  child.stdin!.end('\n')
  await new Promise((r) => child.on('close', r))
  await server.close()
  store.close()
  fs.rmSync(dataRoot, { recursive: true, force: true })
}

main().catch((e) => { console.error(e); process.exit(1) })
