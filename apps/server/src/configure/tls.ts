// Self-signed certificate for the host name (spec 04 D.4): tls/server.crt (0644) and
// tls/server.key (0600). The RSA key comes from Node's crypto (fast); node-forge signs the X.509.
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import forge from 'node-forge'

export interface TlsFiles {
  cert: string
  key: string
  created: boolean
}

export function tlsPaths(dataRoot: string): { cert: string; key: string } {
  return { cert: join(dataRoot, 'tls', 'server.crt'), key: join(dataRoot, 'tls', 'server.key') }
}

export function createSelfSignedPem(hostname: string, days = 825): { cert: string; key: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  })
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey)
  // positive 16-byte serial
  cert.serialNumber = '01' + randomBytes(15).toString('hex')
  cert.validity.notBefore = new Date(Date.now() - 60_000)
  cert.validity.notAfter = new Date(Date.now() + days * 86_400_000)
  const attrs = [{ name: 'commonName', value: hostname }, { name: 'organizationName', value: 'Wren Messaging Server (self-signed)' }]
  cert.setSubject(attrs)
  cert.setIssuer(attrs)
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: hostname }, { type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
  ])
  const forgeKey = forge.pki.privateKeyFromPem(privateKey)
  cert.sign(forgeKey, forge.md.sha256.create())
  return { cert: forge.pki.certificateToPem(cert), key: privateKey }
}

/** Creates the certificate and key unless both exist (a second start reuses them). */
export function ensureTls(dataRoot: string, hostname: string): TlsFiles {
  const paths = tlsPaths(dataRoot)
  if (existsSync(paths.cert) && existsSync(paths.key)) return { ...paths, created: false }
  const pem = createSelfSignedPem(hostname)
  writeFileSync(paths.key, pem.key, { mode: 0o600 })
  chmodSync(paths.key, 0o600)
  writeFileSync(paths.cert, pem.cert, { mode: 0o644 })
  return { ...paths, created: true }
}
