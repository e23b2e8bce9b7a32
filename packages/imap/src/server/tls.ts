/** Server certificate for STARTTLS / implicit TLS: `<dataRoot>/tls/server.crt` + `server.key`. */
import * as fs from 'node:fs'
import * as path from 'node:path'

export interface TlsCredentials {
  cert: Buffer
  key: Buffer
}

export function loadTlsCredentials(dataRoot: string): TlsCredentials | undefined {
  const crt = path.join(dataRoot, 'tls', 'server.crt')
  const key = path.join(dataRoot, 'tls', 'server.key')
  if (!fs.existsSync(crt) || !fs.existsSync(key)) return undefined
  return { cert: fs.readFileSync(crt), key: fs.readFileSync(key) }
}
