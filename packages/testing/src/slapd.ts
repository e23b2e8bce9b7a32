// A real OpenLDAP slapd for tests: a user-level process on a free 127.0.0.1 port with a temporary
// slapd.conf (core, cosine, inetorgperson, nis + Wren's schema), an mdb database and a base LDIF.
// Debian: `apt-get install -y slapd ldap-utils` (scripts install it; the daemon itself is not enabled).
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
/** Wren's OpenLDAP schema file (packages/directory/schema/wren.schema). */
export const WREN_SCHEMA = resolve(here, '../../directory/schema/wren.schema')
export const SLAPD_BIN = process.env.WREN_SLAPD ?? '/usr/sbin/slapd'

export interface SlapdOptions {
  /** Directory suffix (default `o=usergroup`, the product's user/group suffix example). */
  suffix?: string
  rootDn?: string
  rootPw?: string
  /** Extra schema files after core/cosine/inetorgperson/nis (default: Wren's schema). */
  schemas?: string[]
  /** LDIF loaded with ldapadd after start (the suffix entry is created automatically). */
  ldif?: string
  /** Fixed port (default: a free one). */
  port?: number
}

export interface Slapd {
  url: string
  host: string
  port: number
  suffix: string
  rootDn: string
  rootPw: string
  dir: string
  /** Runs the real `ldapadd` binary as the root DN. */
  ldapadd(ldif: string): Promise<string>
  /** Runs the real `ldapsearch` binary (`-LLL`), returning its output. */
  ldapsearch(base: string, filter: string, attrs?: string[]): Promise<string>
  /** Stops slapd (SIGTERM, then SIGKILL) and removes its files. */
  stop(): Promise<void>
}

export function slapdAvailable(): boolean {
  return existsSync(SLAPD_BIN) && existsSync('/usr/bin/ldapadd')
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer()
    srv.once('error', rej)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => res(port))
    })
  })
}

function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((res, rej) => {
    const child = execFile(cmd, args, { timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) rej(new Error(`${cmd} ${args.join(' ')} failed: ${stderr || err.message}`))
      else res(stdout)
    })
    if (input !== undefined) child.stdin!.end(input)
  })
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ port, host: '127.0.0.1' })
    s.once('connect', () => { s.destroy(); res(true) })
    s.once('error', () => res(false))
  })
}

function rdnValue(suffix: string): { attr: string; value: string } {
  const first = suffix.split(',')[0]!
  const [attr, value] = first.split('=') as [string, string]
  return { attr: attr.trim().toLowerCase(), value: value.trim() }
}

export async function startSlapd(opts: SlapdOptions = {}): Promise<Slapd> {
  const suffix = opts.suffix ?? 'o=usergroup'
  const rootDn = opts.rootDn ?? `cn=Directory Manager,${suffix}`
  const rootPw = opts.rootPw ?? 'secret'
  const dir = mkdtempSync(join(tmpdir(), 'wren-slapd-'))
  const dbDir = join(dir, 'db')
  mkdirSync(dbDir)
  const schemas = ['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `/etc/ldap/schema/${s}.schema`).concat(opts.schemas ?? [WREN_SCHEMA])
  const conf = [
    ...schemas.map((s) => `include ${s}`),
    `pidfile ${join(dir, 'slapd.pid')}`,
    `argsfile ${join(dir, 'slapd.args')}`,
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    'database mdb',
    'maxsize 104857600',
    `suffix "${suffix}"`,
    `rootdn "${rootDn}"`,
    `rootpw ${rootPw}`,
    `directory ${dbDir}`,
    'index objectClass eq',
    'index uid,cn,mail,mailAlternateAddress,mailEquivalentAddress,associatedDomain,sunPreferredDomain eq,sub',
    'index uniqueMember eq',
    // Users may bind with their password; nobody reads it back.
    'access to attrs=userPassword by self write by anonymous auth by * none',
    'access to * by * read',
    '',
  ].join('\n')
  const confPath = join(dir, 'slapd.conf')
  writeFileSync(confPath, conf)
  const port = opts.port ?? (await freePort())
  const url = `ldap://127.0.0.1:${port}`
  let exited = false
  let stderr = ''
  const child: ChildProcess = spawn(SLAPD_BIN, ['-f', confPath, '-h', `${url}/`, '-d', '0'], { stdio: ['ignore', 'ignore', 'pipe'] })
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString() })
  child.once('exit', () => { exited = true })
  const stop = async (): Promise<void> => {
    if (!exited) {
      const done = new Promise<void>((r) => child.once('exit', () => r()))
      child.kill('SIGTERM')
      const t = setTimeout(() => child.kill('SIGKILL'), 5000)
      await done
      clearTimeout(t)
    }
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    const deadline = Date.now() + 15_000
    while (!(await canConnect(port))) {
      if (exited) throw new Error(`slapd exited: ${stderr.trim()}`)
      if (Date.now() > deadline) throw new Error(`slapd did not listen on ${port} within 15 s: ${stderr.trim()}`)
      await new Promise((r) => setTimeout(r, 50))
    }
    const ldapadd = (ldif: string) => run('/usr/bin/ldapadd', ['-x', '-H', url, '-D', rootDn, '-w', rootPw], ldif)
    const ldapsearch = (base: string, filter: string, attrs: string[] = []) =>
      run('/usr/bin/ldapsearch', ['-x', '-LLL', '-H', url, '-b', base, filter, ...attrs])
    const { attr, value } = rdnValue(suffix)
    const top = attr === 'o' ? `dn: ${suffix}\nobjectClass: top\nobjectClass: organization\no: ${value}\n`
      : attr === 'dc' ? `dn: ${suffix}\nobjectClass: top\nobjectClass: dcObject\nobjectClass: organization\ndc: ${value}\no: ${value}\n`
      : `dn: ${suffix}\nobjectClass: top\nobjectClass: organizationalUnit\nou: ${value}\n`
    await ldapadd(top)
    if (opts.ldif) await ldapadd(opts.ldif)
    return { url, host: '127.0.0.1', port, suffix, rootDn, rootPw, dir, ldapadd, ldapsearch, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
