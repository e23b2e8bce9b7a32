// "Where each listener is": one line per listener of each running service, for the terminal.
import type { ServiceStatus } from './supervisor/supervisor.js'

const TLS_LABEL = { none: 'plain', starttls: 'STARTTLS', implicit: 'TLS' } as const

export function formatListeners(services: ServiceStatus[]): string[] {
  const rows: string[][] = []
  for (const s of services) {
    for (const l of s.listeners) {
      const host = l.host.includes(':') ? `[${l.host}]` : l.host
      rows.push([s.name, l.name, `${host}:${l.port}`, TLS_LABEL[l.tls] ?? l.tls])
    }
  }
  if (!rows.length) return ['  (no listeners)']
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) => `  ${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]!.padEnd(widths[2]!)}  ${r[3]}`)
}
