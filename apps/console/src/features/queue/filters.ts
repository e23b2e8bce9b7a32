// The queue viewer's filter bar state ↔ the API's QueueFilter input (the `imsimta qm` filters).
import type { RouterInputs } from '@/lib/trpc'

export type QueueFilterInput = NonNullable<Exclude<RouterInputs['queue']['list'], void | undefined>['filter']>

export interface QueueFilterState {
  channel: string
  sender: string
  recipient: string
  domain: string
  /** '' any, 'held', 'queued' (not held). */
  state: string
  /** Seconds, '' = any age. */
  olderThan: string
  minAttempts: string
  error: string
}

export const NO_FILTER: QueueFilterState = { channel: '', sender: '', recipient: '', domain: '', state: '', olderThan: '', minAttempts: '', error: '' }

export const AGE_OPTIONS = [
  { value: '', label: 'Any age' },
  { value: '600', label: 'Older than 10 min' },
  { value: '3600', label: 'Older than 1 hour' },
  { value: '14400', label: 'Older than 4 hours' },
  { value: '86400', label: 'Older than 1 day' },
  { value: '259200', label: 'Older than 3 days' },
]

export const STATE_OPTIONS = [
  { value: '', label: 'Held or not' },
  { value: 'queued', label: 'Waiting' },
  { value: 'held', label: 'Held' },
]

export function filterInput(f: QueueFilterState): QueueFilterInput {
  const out: QueueFilterInput = {}
  if (f.channel) out.channel = f.channel
  if (f.sender.trim()) out.sender = f.sender.trim()
  if (f.recipient.trim()) out.recipient = f.recipient.trim()
  if (f.domain.trim()) out.domain = f.domain.trim().toLowerCase()
  if (f.state) out.held = f.state === 'held'
  if (f.olderThan) out.olderThan = Number(f.olderThan)
  const n = Number(f.minAttempts)
  if (f.minAttempts.trim() && Number.isInteger(n) && n >= 0) out.minAttempts = n
  if (f.error.trim()) out.error = f.error.trim()
  return out
}

export function isFiltered(f: QueueFilterState): boolean {
  return Object.values(f).some(Boolean)
}

/** "3 h 12 min" style age of an ISO time. */
export function age(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000))
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  if (h < 48) return `${h} h ${m % 60} min`
  return `${Math.floor(h / 24)} d ${h % 24} h`
}
