// Client side of the control API for local tools: reads run/control.json and calls the daemon.
import { request } from 'node:http'
import { readControlFile, processAlive, type ControlFile } from './control-file.js'

export class ControlError extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

/** The running daemon's control file, or undefined when no daemon runs for this data root. */
export function findDaemon(dataRoot: string): ControlFile | undefined {
  const info = readControlFile(dataRoot)
  return info && processAlive(info.pid) ? info : undefined
}

export function callControl<T>(info: ControlFile, method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = 120_000): Promise<T> {
  const payload = body === undefined ? undefined : JSON.stringify(body)
  return new Promise<T>((resolve, reject) => {
    const req = request(
      {
        host: info.host || '127.0.0.1',
        port: info.port,
        method,
        path,
        headers: {
          authorization: `Bearer ${info.token}`,
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let json: unknown
          try {
            json = text ? JSON.parse(text) : {}
          } catch {
            return reject(new ControlError(res.statusCode ?? 0, `daemon answered something that is not JSON (HTTP ${res.statusCode})`))
          }
          if ((res.statusCode ?? 500) >= 400) return reject(new ControlError(res.statusCode ?? 500, (json as { error?: string }).error ?? `HTTP ${res.statusCode}`))
          resolve(json as T)
        })
      },
    )
    req.on('timeout', () => req.destroy(new Error('the daemon did not answer in time')))
    req.on('error', reject)
    req.end(payload)
  })
}
