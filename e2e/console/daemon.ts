// The daemon the console's Playwright tests drive: a temporary data root, free ports for every
// listener (WREN_OPTIONS, as e2e/server/harness.ts does), started by scripts/start.mjs exactly as
// `npm start` starts it (console build check, daemon, console service), its printed admin password
// and console URL captured from the terminal output.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer()
    s.once('error', rej)
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => res(p)) })
  })
}

export interface ConsoleDaemon {
  dataRoot: string
  consoleUrl: string
  adminUrl: string
  adminPassword: string
  defaultDomain: string
  output(): string
  stop(): Promise<void>
}

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs: number, exited: () => boolean, output: () => string): Promise<T> {
  const t0 = Date.now()
  for (;;) {
    const v = check()
    if (v) return v
    if (exited()) throw new Error(`the daemon exited while waiting for ${what}:\n${output()}`)
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}:\n${output()}`)
    await new Promise((r) => setTimeout(r, 150))
  }
}

export async function startConsoleDaemon(): Promise<ConsoleDaemon> {
  const dataRoot = mkdtempSync(join(tmpdir(), 'wren-e2e-console-'))
  const [admin, consolePort, imap, pop, smtp, submit] = await Promise.all(Array.from({ length: 6 }, () => freePort()))
  const options = {
    'admin.port': admin,
    'console.port': consolePort,
    'imap.port': imap, 'imap.enablesslport': 0,
    'pop.port': pop, 'pop.enablesslport': 0,
    'dispatcher.service:SMTP.tcp_ports': [String(smtp)],
    'dispatcher.service:SMTP_SUBMIT.tcp_ports': [String(submit)],
    'dispatcher.service:SMTP_SUBMIT.ssl_ports': [],
    'schedule.enable': 0,
    'ens.enable': 0,
    'metermaid.enable': 0,
  }
  const env = { ...process.env, WREN_DATA: dataRoot, WREN_OPTIONS: JSON.stringify(options), WREN_TEST_SERVICES: '' }
  const child: ChildProcess = spawn(process.execPath, [join(repo, 'scripts/start.mjs')], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { out += d.toString() })
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  const output = () => out
  const hasExited = () => child.exitCode !== null || child.signalCode !== null

  const stop = async () => {
    if (!hasExited()) {
      child.kill('SIGTERM')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))])
      if (!hasExited()) child.kill('SIGKILL')
    }
    rmSync(dataRoot, { recursive: true, force: true })
  }
  try {
    await until('wren: ready', () => out.includes('wren: ready'), 240_000, hasExited, output)
    const consoleUrl = await until('the console URL', () => /console URL {2}(http:\/\/\S+?)\/?$/m.exec(out)?.[1], 5_000, hasExited, output)
    const adminPassword = /administrator {3}admin \/ (\S+)/.exec(out)?.[1]
    const defaultDomain = /default domain {2}(\S+)/.exec(out)?.[1]
    if (!adminPassword || !defaultDomain) throw new Error(`no administrator password / default domain in the daemon's output:\n${out}`)
    return { dataRoot, consoleUrl, adminUrl: `http://127.0.0.1:${admin}`, adminPassword, defaultDomain, output, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
