// Installs what the Postfix → Dovecot LMTP comparison needs (Debian packages `postfix`,
// `dovecot-lmtpd`, `dovecot-imapd`), idempotently and only when missing. No system instance is
// started or left running: a policy-rc.d that refuses every start is in place during the install
// (ours is removed afterwards; a pre-existing one — e.g. Docker's — is left alone), and any
// instance a postinst started anyway is stopped.
// usage: npx tsx bench/smtp/install.ts
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, unlinkSync, writeFileSync } from 'node:fs'

const PACKAGES = ['postfix', 'dovecot-lmtpd', 'dovecot-imapd']
const POLICY = '/usr/sbin/policy-rc.d'

function installed(pkg: string): boolean {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' })
  return r.status === 0 && r.stdout.includes('install ok installed')
}

export function ensureComparisonPackages(log: (s: string) => void = (s) => process.stderr.write(s + '\n')): void {
  const missing = PACKAGES.filter((p) => !installed(p))
  if (!missing.length) return
  log(`installing ${missing.join(' ')} (apt, no service start)`)
  const ours = !existsSync(POLICY)
  if (ours) writeFileSync(POLICY, '#!/bin/sh\n# wren bench/smtp/install.ts: no service starts during the install\nexit 101\n', { mode: 0o755 })
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  try {
    // Postfix's postinst must not configure a system mailer on port 25.
    execFileSync('debconf-set-selections', { input: "postfix postfix/main_mailer_type select No configuration\npostfix postfix/mailname string localhost\n", env })
    const apt = (args: string[]) => execFileSync('apt-get', args, { env, stdio: ['ignore', 'inherit', 'inherit'] })
    try { apt(['install', '-y', '--no-install-recommends', ...missing]) } catch {
      apt(['update'])
      apt(['install', '-y', '--no-install-recommends', ...missing])
    }
  } finally {
    if (ours) unlinkSync(POLICY)
  }
  // Belt and braces: whatever a postinst started, stop it (the bench runs user-level instances).
  for (const svc of ['postfix', 'dovecot']) spawnSync('service', [svc, 'stop'], { stdio: 'ignore' })
  const still = PACKAGES.filter((p) => !installed(p))
  if (still.length) throw new Error(`could not install ${still.join(' ')}`)
}

if (import.meta.url === `file://${process.argv[1]}`) ensureComparisonPackages()
