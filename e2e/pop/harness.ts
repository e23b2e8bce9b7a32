// Test harness for the POP3 e2e tests: a temporary data root with a TLS certificate, the real store,
// the POP server on free ports, and python3 poplib sessions run as child processes.
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readFileSync } from 'node:fs'
import { staticConfigView, type Logger, type LogCategory, type LogLevel } from '@wren/kernel'
import { openStore, type MailStore } from '@wren/store'
import { openConfig, type ConfigService } from '@wren/config'
import { openDirectory, type Directory } from '@wren/directory'
import { PopServer, directoryAuthenticator } from '@wren/pop'

export function makeDataRoot(prefix = 'wren-pop-'): string {
  const root = mkdtempSync(join(tmpdir(), prefix))
  const tls = join(root, 'tls')
  mkdirSync(tls, { recursive: true })
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
    '-keyout', join(tls, 'server.key'), '-out', join(tls, 'server.crt'),
  ], { stdio: 'ignore' })
  return root
}

/** A logger that keeps the product-format message parts for assertions. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  const log = (c: LogCategory, l: LogLevel, m: string) => { lines.push(`${c} ${l}: ${m}`) }
  return {
    lines,
    log,
    critical: (c, m) => log(c, 'Critical', m),
    error: (c, m) => log(c, 'Error', m),
    warning: (c, m) => log(c, 'Warning', m),
    notice: (c, m) => log(c, 'Notice', m),
    info: (c, m) => log(c, 'Information', m),
    debug: (c, m) => log(c, 'Debug', m),
    enabled: () => true,
  }
}

export interface PopFixture {
  root: string
  directory: Directory
  addUser(uid: string, password: string, attributes?: Record<string, string>): Promise<void>
  store: MailStore
  server: PopServer
  port: number
  sslPort: number
  logger: ReturnType<typeof memoryLogger>
  close(): Promise<void>
}

const ACTOR = { actor: 'e2e', source: 'cli' }

/** A data root with the embedded directory (default domain provisioned), the store and the POP server. */
export async function startPop(opts: { allowPlaintext?: boolean; idleTimeoutMs?: number; maxSessions?: number } = {}): Promise<PopFixture> {
  const root = makeDataRoot()
  const config: ConfigService = await openConfig(root)
  const directory = await openDirectory({ dataRoot: root, config: config.view(), hostname: 'pop.test' })
  if (!(await directory.getDomain(directory.defaultDomain))) await directory.createDomain({ name: directory.defaultDomain }, ACTOR)
  const auth = directoryAuthenticator(directory)
  const store = openStore({ dataRoot: root, config: staticConfigView({}), processName: 'popd' })
  const logger = memoryLogger()
  const server = new PopServer({
    store, auth, logger, dataRoot: root, hostname: 'pop.test',
    greeting: 'pop.test POP3 service (Wren Messaging Server)',
    tls: { cert: readFileSync(join(root, 'tls/server.crt')), key: readFileSync(join(root, 'tls/server.key')) },
    allowPlaintext: opts.allowPlaintext ?? false,
    idleTimeoutMs: opts.idleTimeoutMs ?? 600_000,
    maxSessions: opts.maxSessions ?? 600,
  })
  const plain = await server.listen(0, '127.0.0.1', false)
  const ssl = await server.listen(0, '127.0.0.1', true)
  return {
    root, store, server, logger, port: plain.port, sslPort: ssl.port, directory,
    async addUser(uid, password, attributes) {
      await directory.createUser({ uid, password, attributes }, ACTOR)
    },
    async close() {
      await server.close()
      store.close()
      await directory.close()
      await config.close()
      rmSync(root, { recursive: true, force: true })
    },
  }
}

/**
 * Runs a python3 script with poplib available; `PORT`, `SSLPORT` in the environment, a helper
 * `ctx` (unverified TLS context) and `out(obj)` printing JSON. Resolves with what the script printed.
 */
export function python(script: string, env: Record<string, string | number>, timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const prelude = [
    'import poplib, ssl, json, os, base64, socket, sys',
    'ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE',
    'PORT = int(os.environ["PORT"]); SSLPORT = int(os.environ.get("SSLPORT", "0"))',
    'def out(o): print(json.dumps(o)); sys.stdout.flush()',
    'def b(x): return x.decode("latin-1") if isinstance(x, bytes) else x',
  ].join('\n')
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', `${prelude}\n${script}`], {
      env: { ...process.env, ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])) },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`python timed out: ${stderr}`)) }, timeoutMs)
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
  })
}

/** Waits until `check` holds (polling), or throws after the timeout. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** The JSON a python script printed with `out()`; fails with the script's stderr otherwise. */
export function parsed<T = any>(r: { code: number | null; stdout: string; stderr: string }): T {
  try {
    return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as T
  } catch {
    throw new Error(`python exited ${r.code}: ${r.stderr || r.stdout}`)
  }
}
