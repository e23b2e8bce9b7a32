// What crosses the Node IPC channel between the daemon and its service processes for the bus.
// Other traffic on the same channel (the supervisor's control messages) is told apart by `wren`.
import type { EnsEvent, InternalMessage } from '@wren/kernel'

export type BusEnvelope =
  | { wren: 'bus'; kind: 'event'; event: EnsEvent }
  | { wren: 'bus'; kind: 'message'; message: InternalMessage }

export function isBusEnvelope(value: unknown): value is BusEnvelope {
  if (!value || typeof value !== 'object') return false
  const v = value as { wren?: unknown; kind?: unknown; event?: unknown; message?: unknown }
  if (v.wren !== 'bus') return false
  if (v.kind === 'event') return !!v.event && typeof v.event === 'object'
  if (v.kind === 'message') return !!v.message && typeof v.message === 'object' && typeof (v.message as InternalMessage).topic === 'string'
  return false
}
