// Control messages between the watcher (daemon) and a service process over the Node IPC channel.
// Bus traffic on the same channel is `{ wren: 'bus' }` (packages/ens).
import type { ListenerInfo, ServiceHealth } from '@wren/kernel'

export type ToChild =
  | { wren: 'ctl'; kind: 'stop' }
  | { wren: 'ctl'; kind: 'refresh'; id: number; changed: string[] }
  | { wren: 'ctl'; kind: 'health'; id: number }

export type FromChild =
  | { wren: 'ctl'; kind: 'ready'; listeners: ListenerInfo[] }
  | { wren: 'ctl'; kind: 'start-failed'; error: string }
  | { wren: 'ctl'; kind: 'reply'; id: number; ok: boolean; error?: string; health?: ServiceHealth; refreshed?: string[] }

export function isCtl(msg: unknown): msg is FromChild & ToChild {
  return !!msg && typeof msg === 'object' && (msg as { wren?: unknown }).wren === 'ctl'
}

/** Exit code of a service process that failed (uncaught exception, start error). */
export const EXIT_SERVICE_FAILED = 70
