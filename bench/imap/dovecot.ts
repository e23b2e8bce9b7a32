/**
 * A user-level Dovecot (Debian dovecot-imapd) with the same users and mailboxes as the mix benchmark,
 * configured from ../shared/design/recipes/dovecot.conf (maildir, passwd-file, plaintext allowed).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'

/**
 * The user-level part of a Dovecot configuration shared by the benches (recipe
 * ../shared/design/recipes/dovecot.conf): scratch dirs under `dir`, no TLS, maildirs, a passwd-file of
 * PLAIN passwords and a static userdb. `user` is the username variable (`%u` for IMAP logins, `%n`
 * for LMTP recipients without their domain).
 */
export function dovecotBaseConfig(dir: string, protocols: string, user: '%u' | '%n'): string {
  return `protocols = ${protocols}
listen = 127.0.0.1
base_dir = ${dir}/base
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
mail_location = maildir:${dir}/mail/${user}
first_valid_uid = 100
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=${user} ${dir}/passwd
}
userdb {
  driver = static
  args = uid=vmail gid=vmail home=${dir}/home/${user}
}
`
}

export interface Dovecot { port: number; child: ChildProcess; stop(): Promise<void> }

export async function startDovecot(dir: string, users: string[], messages: (i: number, user: string) => string, count: number): Promise<Dovecot> {
  const port = 41143 + Math.floor(Math.random() * 1000)
  // dovecot's auth process (user dovecot) must reach the passwd file: open up the mkdtemp parents
  for (let d = path.dirname(dir); d.startsWith(os.tmpdir() + path.sep); d = path.dirname(d)) fs.chmodSync(d, 0o755)
  for (const d of ['base', 'state', 'mail', 'home']) fs.mkdirSync(path.join(dir, d), { recursive: true })
  fs.writeFileSync(path.join(dir, 'passwd'), users.map((u) => `${u}:{PLAIN}pw`).join('\n') + '\n')
  for (const u of users) {
    const md = path.join(dir, 'mail', u)
    for (const sub of ['cur', 'new', 'tmp']) fs.mkdirSync(path.join(md, sub), { recursive: true })
    for (let i = 0; i < count; i++) fs.writeFileSync(path.join(md, 'cur', `${1700000000 + i}.M${i}P1.bench:2,`), messages(i, u))
  }
  fs.writeFileSync(path.join(dir, 'dovecot.conf'), `
${dovecotBaseConfig(dir, 'imap', '%u')}auth_mechanisms = plain login
service imap-login {
  chroot =
  process_limit = 4096
  inet_listener imap {
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service imap {
  process_limit = 4096
}
default_client_limit = 8192
`)
  execFileSync('chown', ['-R', 'vmail:vmail', path.join(dir, 'mail'), path.join(dir, 'home')])
  const child = spawn('/usr/sbin/dovecot', ['-F', '-c', path.join(dir, 'dovecot.conf')], { stdio: 'ignore' })
  const deadline = Date.now() + 15_000
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1')
      s.once('data', () => { s.destroy(); resolve(true) })
      s.once('error', () => resolve(false))
    })
    if (ok) break
    if (Date.now() > deadline) throw new Error(`dovecot did not start; see ${dir}/dovecot.log`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    port, child,
    async stop() {
      child.kill('SIGTERM')
      await new Promise((r) => child.once('close', r))
    },
  }
}

