// A user-level Postfix 3.7 (Debian package) delivering to a user-level Dovecot LMTP, for the
// comparison in compare.ts. Own config_directory, queue_directory and data_directory under a
// scratch dir; smtpd on 127.0.0.1:<port>; `virtual_transport = lmtp:inet:127.0.0.1:<lmtp port>`;
// fsync behaviour left at the defaults of both (Postfix fsyncs every queue file before 250,
// Dovecot's `mail_fsync = optimized` fsyncs each delivery). Dovecot follows
// /work/shared/design/recipes/dovecot.conf, as bench/imap/dovecot.ts does, with the LMTP service.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { connect } from 'node:net'
import { freePort, sleep, until } from './util.js'
import { dovecotBaseConfig } from '../imap/dovecot.js'

export interface Instance { port: number; stop(): Promise<void>; pids(): number[] }

/**
 * Memory (MB) of a process and all its descendants: the sum of their PSS (proportional set size,
 * /proc/<pid>/smaps_rollup), so that the libraries and text shared by Postfix's many processes
 * are counted once rather than once per process.
 */
export function treePssMb(rootPids: number[]): number {
  const parent = new Map<number, number>()
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try { parent.set(Number(d), Number(readFileSync(`/proc/${d}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1])) } catch { /* gone */ }
  }
  const inTree = (pid: number): boolean => { for (let p: number | undefined = pid, n = 0; p && n < 64; p = parent.get(p), n++) if (rootPids.includes(p)) return true; return false }
  let kb = 0
  for (const pid of parent.keys()) {
    if (!inTree(pid)) continue
    try { kb += Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) } catch { /* gone */ }
  }
  return kb / 1024
}

async function waitBanner(port: number, timeoutMs: number): Promise<void> {
  await until(`listener on ${port}`, () => new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1')
    s.once('data', () => { s.end('QUIT\r\n'); s.destroy(); resolve(true) })
    s.once('error', () => resolve(false))
  }), timeoutMs, 100)
}

export async function startDovecotLmtp(dir: string, users: string[]): Promise<Instance & { maildir(user: string): string }> {
  const lmtpPort = await freePort()
  mkdirSync(dir, { recursive: true, mode: 0o755 })
  // dovecot's auth process (user dovecot) must reach the passwd file: open up the scratch parents
  for (let d = dir; d.startsWith(tmpdir() + '/'); d = dirname(d)) chmodSync(d, 0o755)
  for (const d of ['base', 'state', 'mail', 'home']) mkdirSync(join(dir, d), { recursive: true })
  writeFileSync(join(dir, 'passwd'), users.map((u) => `${u}:{PLAIN}pw`).join('\n') + '\n')
  writeFileSync(join(dir, 'dovecot.conf'), `
${dovecotBaseConfig(dir, 'lmtp', '%n')}service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${lmtpPort}
  }
}
service anvil {
  chroot =
}
`)
  execFileSync('chown', ['-R', 'vmail:vmail', join(dir, 'mail'), join(dir, 'home')])
  const child: ChildProcess = spawn('/usr/sbin/dovecot', ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: 'ignore' })
  await waitBanner(lmtpPort, 15_000).catch((e) => { child.kill('SIGKILL'); throw new Error(`${e.message}; see ${dir}/dovecot.log`) })
  return {
    port: lmtpPort,
    pids: () => (child.pid ? [child.pid] : []),
    maildir: (u) => join(dir, 'mail', u),
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
    },
  }
}

/** `inFlowDelay`: Postfix's `in_flow_delay` (default 1s: smtpd pauses when arrivals outpace deliveries). */
export async function startPostfix(dir: string, lmtpPort: number, recipients: string[], opts: { inFlowDelay?: string } = {}): Promise<Instance> {
  const port = await freePort()
  const conf = join(dir, 'etc')
  for (const d of [conf, join(dir, 'data'), join(dir, 'queue')]) mkdirSync(d, { recursive: true })
  // the postfix user must reach its queue under the scratch dir
  for (let d = join(dir, 'queue'); d.startsWith(tmpdir() + '/'); d = dirname(d)) chmodSync(d, 0o755)
  const domains = [...new Set(recipients.map((r) => r.slice(r.indexOf('@') + 1)))]
  writeFileSync(join(conf, 'main.cf'), `
compatibility_level = 3.6
config_directory = ${conf}
queue_directory = ${dir}/queue
data_directory = ${dir}/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.postfix.test
mydomain = postfix.test
myorigin = $myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
virtual_mailbox_domains = ${domains.join(' ')}
virtual_mailbox_maps = inline:{ ${recipients.map((r) => `${r}=OK`).join(', ')} }
virtual_transport = lmtp:inet:127.0.0.1:${lmtpPort}
maillog_file = ${dir}/maillog
maillog_file_prefixes = ${dir}
smtputf8_enable = no
biff = no
alias_maps =
alias_database =
local_recipient_maps =
${opts.inFlowDelay !== undefined ? `in_flow_delay = ${opts.inFlowDelay}\n` : ''}`)
  // Debian's master.cf with smtpd on our port, nothing chrooted (the queue is not under /var/spool).
  const master = readFileSync('/etc/postfix/master.cf', 'utf8').split('\n').map((line) => {
    if (/^smtp\s+inet\s/.test(line)) return `127.0.0.1:${port} inet n - n - - smtpd`
    const m = /^(\S+\s+(?:unix|inet|fifo|pass|unix-dgram)\s+\S+\s+\S+\s+)y(\s.*)$/.exec(line)
    return m ? `${m[1]}n${m[2]}` : line
  }).join('\n')
  writeFileSync(join(conf, 'master.cf'), master)
  const env = { ...process.env, MAIL_CONFIG: conf }
  execFileSync('/usr/sbin/postfix', ['-c', conf, 'set-permissions'], { env, stdio: 'ignore' })
  execFileSync('/usr/sbin/postfix', ['-c', conf, 'start'], { env, stdio: 'ignore' })
  const pidFile = join(dir, 'queue', 'pid', 'master.pid')
  await until('postfix master pid', () => existsSync(pidFile), 15_000, 100)
  const masterPid = Number(readFileSync(pidFile, 'utf8').trim())
  await waitBanner(port, 15_000)
  return {
    port,
    pids: () => [masterPid],
    async stop() {
      try { execFileSync('/usr/sbin/postfix', ['-c', conf, 'stop'], { env, stdio: 'ignore' }) } catch { /* already down */ }
      for (let i = 0; i < 100; i++) { try { process.kill(masterPid, 0) } catch { return } await sleep(100) }
      try { process.kill(masterPid, 'SIGKILL') } catch { /* gone */ }
    },
  }
}

/** Messages delivered into a maildir (new/ and cur/). */
export function maildirCount(maildir: string): number {
  let n = 0
  for (const sub of ['new', 'cur']) { try { n += readdirSync(join(maildir, sub)).length } catch { /* not created yet */ } }
  return n
}
