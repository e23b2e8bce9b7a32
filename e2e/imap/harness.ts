/**
 * Test harness: a real store in a temp data root, the real IMAP server on 127.0.0.1:0 (plain with
 * STARTTLS, and implicit TLS), a self-signed certificate made with openssl, and a password table as
 * the authenticator (the directory provider is tested on its own).
 */
import { execFileSync, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { createLocalBus, staticConfigView, type Logger, type LogLevel, type OptionValue } from '@wren/kernel'
import { openStore, type MailStore } from '@wren/store'
import { ImapServer } from '../../packages/imap/src/server/server.js'
import type { Authenticator } from '../../packages/imap/src/server/ports.js'
import { loadTlsCredentials } from '../../packages/imap/src/server/tls.js'
import type { TransactSink } from '../../packages/imap/src/server/transact-log.js'
import { RawClient } from './raw-client.js'

export interface Harness {
  dataRoot: string
  store: MailStore
  server: ImapServer
  port: number
  tlsPort: number
  logs: string[]
  transact: string[]
  close(): Promise<void>
}

export const PASSWORDS: Record<string, string> = { alice: 'alice-pw', bob: 'bob-pw', admin: 'admin-pw' }

export function passwordAuthenticator(users: Record<string, string>): Authenticator {
  return {
    async authenticate(login, password) {
      if (!(login in users)) return { ok: false, reason: 'nouser' }
      if (users[login] !== password) return { ok: false, reason: 'badpassword' }
      return { ok: true, userid: login }
    },
    async lookup(login) {
      return login in users ? { userid: login } : null
    },
  }
}

export function memoryLogger(lines: string[]): Logger {
  const log = (category: string, level: LogLevel, message: string) => { lines.push(`${category} ${level}: ${message}`) }
  return {
    log, enabled: () => true,
    critical: (c, m) => log(c, 'Critical', m), error: (c, m) => log(c, 'Error', m), warning: (c, m) => log(c, 'Warning', m),
    notice: (c, m) => log(c, 'Notice', m), info: (c, m) => log(c, 'Information', m), debug: (c, m) => log(c, 'Debug', m),
  }
}

export function makeCert(dir: string): void {
  fs.mkdirSync(dir, { recursive: true })
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', path.join(dir, 'server.key'), '-out', path.join(dir, 'server.crt')], { stdio: 'ignore' })
}

export async function startHarness(options: Record<string, OptionValue> = {}): Promise<Harness> {
  const dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'wren-imap-'))
  makeCert(path.join(dataRoot, 'tls'))
  const config = staticConfigView({ 'imap.allowplaintextlogin': 1, 'store.admins': 'admin', ...options })
  const logs: string[] = []
  const transact: string[] = []
  const bus = createLocalBus()
  const store = openStore({ dataRoot, config, bus, logger: memoryLogger(logs), processName: 'imapd' })
  for (const u of Object.keys(PASSWORDS)) store.ensureUser(u)
  const sink: TransactSink = { write: (l) => transact.push(l) }
  const server = new ImapServer({
    config, store, auth: passwordAuthenticator(PASSWORDS), logger: memoryLogger(logs), hostname: 'wren.test', bus,
    tls: loadTlsCredentials(dataRoot), transact: sink, product: 'Wren Messaging Server', version: '0.1.0',
  })
  const plain = await server.listen({ host: '127.0.0.1', port: 0, tls: 'none' })
  const secure = await server.listen({ host: '127.0.0.1', port: 0, tls: 'implicit' })
  return {
    dataRoot, store, server, port: plain.port, tlsPort: secure.port, logs, transact,
    async close() {
      await server.close()
      store.close()
      fs.rmSync(dataRoot, { recursive: true, force: true })
    },
  }
}

/** Runs a python3 script (stdin) with PORT/TLSPORT in its environment; resolves stdout, rejects on failure. */
export function python(script: string, env: Record<string, string | number>, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-'], { env: { ...process.env, ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])) } })
    let out = ''
    let err = ''
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`python timed out\n${out}\n${err}`)) }, timeoutMs)
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => { err += d })
    child.on('close', (code) => {
      clearTimeout(timer)
      if (code === 0) resolve(out)
      else reject(new Error(`python exited ${code}\n${out}\n${err}`))
    })
    child.stdin.end(script)
  })
}

/** Raw IMAP sessions a test file opens (logged in as `<user>` / `<user>-pw`) and closes together. */
export function rawSessions(harness: () => Harness) {
  const clients: RawClient[] = []
  return {
    async open(user = 'alice'): Promise<RawClient> {
      const c = await RawClient.connect(harness().port)
      clients.push(c)
      await c.login(user, `${user}-pw`)
      return c
    },
    /** Closes with the others a client the test connected itself. */
    track(c: RawClient): void { clients.push(c) },
    closeAll(): void { for (const c of clients.splice(0)) c.close() },
  }
}
