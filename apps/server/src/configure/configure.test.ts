import { X509Certificate, createPrivateKey } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openControlDb, verifyPassword } from '@wren/db'
import { chooseIdentity } from './identity.js'
import { createSelfSignedPem } from './tls.js'
import { ensureConfigured } from './index.js'

describe('configure (spec 04 B.4)', () => {
  it('default domain from the host FQDN, else wren.test', () => {
    expect(chooseIdentity('mail.example.com')).toEqual({ hostname: 'mail.example.com', domain: 'example.com' })
    expect(chooseIdentity('vm')).toEqual({ hostname: 'vm.wren.test', domain: 'wren.test' })
    expect(chooseIdentity('localhost.localdomain')).toEqual({ hostname: 'mail.wren.test', domain: 'wren.test' })
  })

  it('self-signed certificate names the host and matches its key', () => {
    const pem = createSelfSignedPem('mail.example.com')
    const cert = new X509Certificate(pem.cert)
    expect(cert.subject).toContain('CN=mail.example.com')
    expect(cert.subjectAltName).toContain('DNS:mail.example.com')
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1')
    expect(cert.checkPrivateKey(createPrivateKey(pem.key))).toBe(true)
    expect(cert.verify(cert.publicKey)).toBe(true)
  })

  const root = mkdtempSync(join(tmpdir(), 'wren-configure-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('first run creates layout, TLS, state and the admin account; a second run reuses everything', async () => {
    const first = await ensureConfigured(root, { identity: { hostname: 'mail.example.com', domain: 'example.com' } })
    expect(first.fresh).toBe(true)
    expect(first.adminPassword).toMatch(/^\S{20}$/)
    for (const d of ['config', 'db', 'run', 'tls']) expect(statSync(join(root, d)).mode & 0o777).toBe(0o700)
    for (const d of ['queue', 'store', 'log']) expect(statSync(join(root, d)).mode & 0o777).toBe(0o750)
    expect(statSync(first.tls.key).mode & 0o777).toBe(0o600)
    expect(first.state['EmailDomain.TextField']).toBe('example.com')
    expect(first.state.InternalIPList).toEqual(['127.0.0.1/32', '::1/128'])
    const stateText = readFileSync(join(root, 'config', 'configure.state.json'), 'utf8')
    expect(stateText).not.toContain(first.adminPassword!)
    const db = await openControlDb(root)
    try {
      const admin = await db.prisma.adminAccount.findUnique({ where: { username: 'admin' } })
      expect(admin?.role).toBe('global')
      expect(await verifyPassword(first.adminPassword!, admin!.passwordHash)).toBe(true)
      const audit = await db.prisma.auditEvent.findMany({ where: { action: 'admin.create' } })
      expect(audit).toHaveLength(1)
      expect(audit[0]!.diff).not.toContain(first.adminPassword!)
    } finally {
      await db.close()
    }
    const cert = readFileSync(first.tls.cert, 'utf8')
    const second = await ensureConfigured(root, { identity: { hostname: 'other.example.org', domain: 'example.org' } })
    expect(second.fresh).toBe(false)
    expect(second.adminPassword).toBeUndefined()
    expect(second.state).toEqual(first.state)
    expect(readFileSync(second.tls.cert, 'utf8')).toBe(cert)
  }, 60_000)
})
