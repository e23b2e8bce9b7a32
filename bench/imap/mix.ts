/**
 * The common IMAP mix at 10 and 50 concurrent clients (bench/imap): operations/s and p99
 * latency. Load comes from separate processes (mix-worker.ts). Mailboxes: U users × 1,000 messages.
 * With `--dovecot` the same load also runs against Debian's dovecot-imapd (same users and messages).
 * Run: node_modules/.bin/tsx bench/imap/mix.ts [-s seconds] [-u users] [-m messages] [--dovecot]
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

const arg = (f: string, d: number) => { const i = process.argv.indexOf(f); return i > 0 ? Number(process.argv[i + 1]) : d }
const SECONDS = arg('-s', 15)
const USERS = arg('-u', 20)
const MESSAGES = arg('-m', 1000)

async function main(): Promise<void> {
  const dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'wren-mix-'))
  const config = staticConfigView({ 'imap.allowplaintextlogin': 1 })
  const store = openStore({ dataRoot, config, logger: nullLogger })
  const users: Record<string, string> = {}
  const message = (n: number, user: string) => `From: s${n}@example.com\r\nTo: ${user}@example.com\r\nSubject: message ${n}\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\n${'hello world '.repeat(200)}\r\n`
  for (let u = 0; u < USERS; u++) {
    users[`u${u}`] = 'pw'
    store.ensureUser(`u${u}`)
    for (let i = 0; i < MESSAGES; i += 500) {
      await store.deliverBatch(Array.from({ length: Math.min(500, MESSAGES - i) }, (_, k) => ({
        req: { userid: `u${u}` },
        message: Buffer.from(message(i + k, `u${u}`)),
      })))
    }
  }
  const server = new ImapServer({ config, store, auth: passwordAuthenticator(users), logger: nullLogger, hostname: 'bench', product: 'Wren', version: '0' })
  const { port: wrenPort } = await server.listen({ host: '127.0.0.1', port: 0, tls: 'none' })
  const targets: Array<{ name: string; port: number }> = [{ name: 'wren', port: wrenPort }]
  const dovecot = process.argv.includes('--dovecot') ? await startDovecot(path.join(dataRoot, 'dovecot'), Object.keys(users), message, MESSAGES) : null
  if (dovecot) targets.push({ name: 'dovecot', port: dovecot.port })
  const tsx = path.resolve('node_modules/.bin/tsx')
  try {
  for (const { name, port } of targets) for (const clients of [10, 50]) {
    const procs = 2
    const results = await Promise.all(Array.from({ length: procs }, () => new Promise<{ ops: number; errors: number; lat: number[] }>((resolve, reject) => {
      const child = spawn(tsx, [path.resolve('bench/imap/mix-worker.ts'), String(port), String(USERS), String(clients / procs), String(SECONDS)], { stdio: ['ignore', 'pipe', 'inherit'] })
      let out = ''
      child.stdout.on('data', (d) => { out += d })
      child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`worker exited ${code}`))))
    })))
    const lat = results.flatMap((r) => r.lat).sort((a, b) => a - b)
    const ops = results.reduce((a, r) => a + r.ops, 0)
    const errors = results.reduce((a, r) => a + r.errors, 0)
    const p99 = lat[Math.floor(lat.length * 0.99)] ?? 0
    console.log(`${name.padEnd(8)} ${String(clients).padStart(3)} clients: ${(ops / SECONDS).toFixed(0)} ops/s, p50 ${lat[Math.floor(lat.length / 2)]?.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, ${errors} errors`)
  }
  } finally {
    await dovecot?.stop()
  }
  await server.close()
  store.close()
  fs.rmSync(dataRoot, { recursive: true, force: true })
}

main().catch((e) => { console.error(e); process.exitCode = 1 })
