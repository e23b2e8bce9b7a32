// Test harness for the MTA transport: a real message store, the dispatcher's listeners on free
// loopback ports and the job controller, all in this process; plus helpers for real outside tools.
import { fileURLToPath } from 'node:url'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer, connect } from 'node:net'
import { createLocalBus, nullLogger, staticConfigView, type OptionValue } from '@wren/kernel'
import { openStore, type MailStore } from '@wren/store'
import { DispatcherService } from '@wren/mta/dispatcher-service'
import { JobControllerService } from '@wren/mta/job-controller-service'
import { basicPolicy } from '@wren/mta/basic-policy'
import { defaultPolicy } from '@wren/mta/runtime'
import { staticDirectory } from '@wren/mta/ports'
import { QueueStore } from '@wren/mta/queue/queue-store'
import type { ListenerDef } from '@wren/mta/dispatcher/smtp-listener'
import { RawSmtpClient } from '../../packages/mta/src/dispatcher/smtp-engine/raw-smtp-client.js'

// postfix's smtp-source/smtp-sink, extracted from the Debian package by scripts/install-system-packages.sh
const TOOLS = fileURLToPath(new URL('../../.tools/pf/usr', import.meta.url))
export const PF = `${TOOLS}/sbin`
export const PF_ENV = { ...process.env, LD_LIBRARY_PATH: `${TOOLS}/lib/postfix` }

export interface MtaOptions {
  localDomains?: string[]
  users?: Parameters<typeof staticDirectory>[0]['users']
  groups?: Parameters<typeof staticDirectory>[0]['groups']
  internalIps?: string[]
  config?: Record<string, OptionValue>
  dayMs?: number
  pollMs?: number
  dataRoot?: string
  /** Use the configured policy (rewrite rules, channels, mapping tables of `config`) instead of basicPolicy. */
  realPolicy?: boolean
  hostname?: string
}

export function makeCert(dataRoot: string): void {
  const dir = join(dataRoot, 'tls')
  mkdirSync(dir, { recursive: true })
  if (existsSync(join(dir, 'server.crt'))) return
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'server.key'), '-out', join(dir, 'server.crt'),
    '-days', '2', '-subj', '/CN=mx.example.org'], { stdio: 'ignore' })
}

export function listenerSet(): ListenerDef[] {
  const base = { host: '127.0.0.1', port: 0, allowInsecureAuth: false, maxConns: 50, idleTimeout: 30_000, size: 1_000_000, lmtp: false }
  return [
    { ...base, name: 'SMTP', channel: 'tcp_local', tls: 'starttls', authRequired: false },
    { ...base, name: 'SUBMISSION', channel: 'tcp_submit', tls: 'starttls', authRequired: true },
    { ...base, name: 'SMTP_SUBMISSION', channel: 'tcp_submit', tls: 'implicit', authRequired: true },
    { ...base, name: 'LMTP', channel: 'tcp_lmtpss', tls: 'none', authRequired: false, lmtp: true },
  ]
}

export async function startMta(o: MtaOptions = {}) {
  const dataRoot = o.dataRoot ?? mkdtempSync(join(tmpdir(), 'wren-mta-'))
  makeCert(dataRoot)
  const config = staticConfigView({ 'base.defaultdomain': 'example.org', ...(o.config ?? {}) })
  const bus = createLocalBus()
  const store = openStore({ dataRoot, config, bus })
  const users = o.users ?? [
    { uid: 'joe', mail: 'joe@example.org', password: 'joepass' },
    { uid: 'ann', mail: 'ann@example.org', password: 'annpass', aliases: ['ann.smith@example.org'] },
    { uid: 'postmaster', mail: 'postmaster@example.org' },
  ]
  for (const u of users) store.ensureUser(u.uid)
  const directory = staticDirectory({ users, groups: o.groups })
  const hostname = o.hostname ?? 'mx.example.org'
  const policy = o.realPolicy ? defaultPolicy({ config, hostname }) : basicPolicy({ localDomains: o.localDomains ?? ['example.org'], internalIps: o.internalIps })
  const queue = new QueueStore({ dataRoot, journal: true, checkpointEveryMs: 1000 })
  const ctx = {
    dataRoot, hostname, config, bus, logger: () => nullLogger,
    lookup: <T,>(n: string) => (n === 'store' ? (store as unknown as T) : undefined),
  }
  const dispatcher = new DispatcherService({ policy, directory, queue, listeners: listenerSet() })
  const jobs = new JobControllerService({ policy, directory, queue, store, pollMs: o.pollMs ?? 200, dayMs: o.dayMs })
  await dispatcher.start(ctx)
  await jobs.start(ctx)
  const ports = Object.fromEntries(dispatcher.listeners().map((l) => [l.name, l.port])) as Record<string, number>
  return {
    dataRoot, store: store as MailStore, queue, dispatcher, jobs, ports, config,
    mailLog: () => { try { return readFileSync(join(dataRoot, 'log', 'mail.log_current'), 'utf8') } catch { return '' } },
    inbox(uid: string, folder = 'INBOX') { return store.session(uid).status(folder).messages },
    async stop() {
      await dispatcher.stop().catch(() => {})
      await jobs.stop().catch(() => {})
      queue.close()
      store.close()
      if (!o.dataRoot) rmSync(dataRoot, { recursive: true, force: true })
    },
  }
}

export type Mta = Awaited<ReturnType<typeof startMta>>

export async function waitFor<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => { const a = s.address(); const p = typeof a === 'object' && a ? a.port : 0; s.close(() => resolve(p)) })
    s.on('error', reject)
  })
}

/** Runs swaks; resolves its exit code and transcript. */
export function swaks(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const p = spawn('swaks', ['--timeout', '20', ...args])
    let out = ''
    p.stdout.on('data', (d) => (out += d))
    p.stderr.on('data', (d) => (out += d))
    p.on('close', (code) => resolve({ code: code ?? -1, out }))
  })
}

/** postfix smtp-sink on a free port; `args` e.g. ['-r', 'rcpt', '-B', '550 5.1.1 no such user']. */
export async function startSink(args: string[] = []): Promise<{ port: number; dir: string; proc: ChildProcess; stop(): void }> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'wren-sink-'))
  execFileSync('chmod', ['777', dir])
  const proc = spawn(join(PF, 'smtp-sink'), ['-u', 'nobody', '-d', `${dir}/%M.`, ...args, `127.0.0.1:${port}`, '50'], { env: PF_ENV, stdio: 'ignore' })
  await waitFor(() => new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1')
    s.on('connect', () => { s.destroy(); resolve(true) })
    s.on('error', () => resolve(false))
  }), 'smtp-sink to listen')
  return { port, dir, proc, stop() { proc.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }) } }
}

/** The texts of every message in a user's INBOX, read straight from the store. */
/** A raw session on the MTA's SMTP port, past the greeting and EHLO (throws on any other answer). */
export async function smtpSession(mta: Mta): Promise<RawSmtpClient> {
  const c = await RawSmtpClient.open(mta.ports.SMTP)
  const greeting = await c.reply()
  const ehlo = greeting.startsWith('220 ') ? await c.cmd('EHLO client.test') : ''
  if (!ehlo.startsWith('250')) { c.close(); throw new Error(`no SMTP session: ${greeting} / ${ehlo}`) }
  return c
}

export async function inboxTexts(mta: Mta, uid: string): Promise<string[]> {
  const view = mta.store.session(uid).open('INBOX', { readOnly: true })
  try { return await Promise.all([...view.uids()].map(async (u) => (await view.read(u)).toString('utf8'))) } finally { view.close() }
}

/**
 * Authenticated submission as joe over STARTTLS with DSN parameters (python smtplib, an independent
 * client): MAIL options (RET, ENVID) and per-recipient RCPT options (NOTIFY, ORCPT). Answers `ok` or
 * the client's error output.
 */
export function pySubmit(port: number, to: string, o: { mail?: string[]; rcpt?: string[]; subject?: string; messageId?: string } = {}): Promise<string> {
  const py = `
import smtplib, ssl, sys, json
a = json.loads(sys.argv[1])
s = smtplib.SMTP('127.0.0.1', a['port'], timeout=20)
s.ehlo(); s.starttls(context=ssl._create_unverified_context()); s.ehlo()
s.login('joe', 'joepass')
mid = ('Message-ID: ' + a['mid'] + '\\r\\n') if a['mid'] else ''
msg = 'From: joe@example.org\\r\\nTo: ' + a['to'] + '\\r\\nSubject: ' + a['subject'] + '\\r\\n' + mid + '\\r\\nbody\\r\\n'
s.sendmail('joe@example.org', [a['to']], msg, mail_options=a['mail'], rcpt_options=a['rcpt'])
s.quit(); print('ok')
`
  const args = { port, to, mail: o.mail ?? [], rcpt: o.rcpt ?? [], subject: o.subject ?? 'report me', mid: o.messageId ?? '' }
  return new Promise((resolve) => {
    const p = spawn('python3', ['-c', py, JSON.stringify(args)])
    let out = ''
    p.stdout.on('data', (d) => (out += d)); p.stderr.on('data', (d) => (out += d))
    p.on('close', () => resolve(out.trim()))
  })
}
