// A channel master program: delivers a batch of queue entries and answers per recipient.
import type { QueueEnvelope } from '../queue/format.js'
import type { ChannelSettings } from '../jobs/channel-settings.js'

export interface DeliveryItem {
  key: string
  env: QueueEnvelope
  /** The queue file; the message is bytes [0, env.size). */
  path: string
  /** Indexes into env.recipients still to deliver. */
  pending: number[]
}

export interface RecipientOutcome {
  idx: number
  status: 'ok' | 'temp' | 'perm'
  /** Diagnostic for logs/DSN, e.g. `smtp;550 5.1.1 unknown user` or `4.2.2 Quota exceeded`. */
  diagnostic: string
  /** RFC 3463 status code (`5.1.1`). */
  statusCode: string
  /** Remote MTA (`dns;mx.example.org`) for DSN Remote-MTA and log transport info. */
  remoteMta?: string
  /** The connection it went over, `TCP|local ip|port|remote ip|port` (network channels only). */
  transport?: string
  /** The remote server's greeting (its 220 line), for the log. */
  banner?: string
  /**
   * RFC 3461 §5.2.2: the next hop did not advertise DSN, so a `NOTIFY=SUCCESS` recipient gets a
   * `relayed` notice from us (LMTP: `delivered`, the peer being the final delivery agent). Absent
   * when the next hop took the DSN request on (it reports success itself) or for local delivery.
   */
  dsnAction?: 'relayed' | 'delivered'
  /** mail.log modifiers for the D record: E ESMTP, L LMTP, S TLS (spec 01 §22). */
  modifiers?: string
}

/** What the job controller offers a master program while it runs a job. */
export interface JobHooks {
  /**
   * Runs `fn` once the job's outcomes are recorded (D/R/Q… records written). Outbound programs close
   * their connections here, so the connection log's `- C` follows the `DE` records as in the
   * manual's LOG_CONNECTION sequence (spec 01 §22: `- O`, `DE`, `- C`).
   */
  afterRecorded(fn: () => void): void
}

export interface MasterProgram {
  deliver(items: DeliveryItem[], channel: ChannelSettings, hooks?: JobHooks): Promise<RecipientOutcome[][]>
  close?(): Promise<void>
}

export const enhancedOf = (text: string, fallback: string) => /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(text)?.[1] ?? fallback
