// Helpers for the directory / quota specs (console-a): the daemon's listener ports from its control
// API, and real IMAP clients (python3 imaplib) to check passwords and to put mail in a mailbox.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

function dataRoot(): string {
  const d = process.env.WREN_E2E_DATA
  if (!d) throw new Error('WREN_E2E_DATA is not set (global setup starts the daemon)')
  return d
}

/** The port a service listens on, from the daemon's control API (run/control.json has its token). */
export async function listenerPort(service: string): Promise<number> {
  const { port, token } = JSON.parse(readFileSync(join(dataRoot(), 'run', 'control.json'), 'utf8')) as { port: number; token: string }
  const res = await fetch(`http://127.0.0.1:${port}/control/status`, { headers: { authorization: `Bearer ${token}` } })
  const st = (await res.json()) as { services: Array<{ name: string; listeners?: Array<{ port: number }> }> }
  const p = st.services.find((s) => s.name === service)?.listeners?.[0]?.port
  if (!p) throw new Error(`no ${service} listener in the daemon's status`)
  return p
}

function python(script: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((res) => {
    execFile('python3', ['-c', script, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr })
    })
  })
}

// The daemon refuses plaintext LOGIN before STARTTLS (imap.allowplaintextpassword / PRIVACYREQUIRED);
// its certificate is the data root's self-signed one.
const CONNECT = `
import imaplib, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
c = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
c.starttls(ssl_context=ctx)
`

const LOGIN = `${CONNECT}
try:
    c.login(sys.argv[2], sys.argv[3])
    print('OK')
except imaplib.IMAP4.error as e:
    print('NO', e)
    sys.exit(2)
finally:
    try: c.logout()
    except Exception: pass
`

/** IMAP LOGIN with python's imaplib: true when the server accepts the password. */
export async function imapLoginWorks(login: string, password: string): Promise<boolean> {
  const r = await python(LOGIN, [String(await listenerPort('imap')), login, password])
  return r.code === 0 && r.out.includes('OK')
}

const APPEND = `${CONNECT}
c.login(sys.argv[2], sys.argv[3])
body = ('x' * 76 + '\\r\\n') * (int(sys.argv[4]) // 78)
msg = ('From: bench@example.com\\r\\nTo: %s\\r\\nSubject: filler\\r\\n\\r\\n' % sys.argv[2] + body).encode()
for i in range(int(sys.argv[5])):
    typ, data = c.append('INBOX', None, None, msg)
    if typ != 'OK':
        print('APPEND failed', data); sys.exit(3)
c.logout()
print('OK')
`

/** Appends `count` messages of about `bytes` each to the user's INBOX over IMAP. */
export async function imapAppend(login: string, password: string, bytes: number, count = 1): Promise<void> {
  const r = await python(APPEND, [String(await listenerPort('imap')), login, password, String(bytes), String(count)])
  if (r.code !== 0) throw new Error(`IMAP APPEND failed: ${r.out}`)
}
