// Helpers the whole-daemon flow tests share: free ports for the listeners, running real clients
// (swaks, python3) and the IMAP reader script (python imaplib over STARTTLS).
import { execFile } from 'node:child_process'
import { createServer } from 'node:net'
import { cleanup, foregroundDaemon, status, svc, until } from '../server/harness.js'

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)) })
  })
}

export function run(cmd: string, args: string[], timeout = 60_000): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }))
  })
}

/** Logs in over STARTTLS, waits (60 s) for a message with the subject in INBOX, prints its Subject header. */
export const IMAP_READ = `
import imaplib, ssl, sys, time
port, user, pw, subject = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
M = imaplib.IMAP4('127.0.0.1', port); M.starttls(ssl_context=ctx); M.login(user, pw)
deadline = time.time() + 60
while True:
    M.select('INBOX'); ids = M.search(None, 'SUBJECT', '"%s"' % subject)[1][0].split()
    if ids or time.time() > deadline: break
    time.sleep(0.2)
print(M.fetch(ids[-1], '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])')[1][0][1].decode().strip())
M.logout()
`

export type FlowDaemon = ReturnType<typeof foregroundDaemon>

/** Starts the daemon as `npm start` does and waits until the named services are running. */
export async function startFlowDaemon(env: NodeJS.ProcessEnv, services: string[]): Promise<FlowDaemon> {
  const daemon = foregroundDaemon(env)
  await until('daemon ready', () => daemon.output().includes('wren: ready'), 180_000)
  let last: Awaited<ReturnType<typeof status>>
  await until(`${services.join(', ')} running`, async () => {
    const st = last = await status(env)
    return services.every((n) => svc(st, n)?.state === 'running') || undefined
  }, 120_000).catch((e: Error) => {
    // (which service, in what state, and what the daemon said: a flake in CI is otherwise a guess)
    const states = services.map((n) => `${n}=${JSON.stringify(svc(last, n) ?? null)}`).join(' ')
    throw new Error(`${e.message}\n${states}\n--- daemon output (tail) ---\n${daemon.output().slice(-4000)}`)
  })
  return daemon
}

/** Stops the daemon (SIGTERM, up to 20 s) and removes the data root. */
export async function stopFlowDaemon(daemon: FlowDaemon | undefined, dataRoot: string, env: NodeJS.ProcessEnv): Promise<void> {
  daemon?.child.kill('SIGTERM')
  await Promise.race([daemon?.exited, new Promise((r) => setTimeout(r, 20_000))])
  await cleanup(dataRoot, env)
}
