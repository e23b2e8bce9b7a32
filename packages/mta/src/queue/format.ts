// Queue file layout: the message bytes first (CRLF, exactly as accepted), then a trailer with the
// envelope: `\n<json>\n<json-length, 10 digits> WRENQ1\n`. Writing the envelope last lets the body
// stream straight to disk while its size and Message-ID are still unknown; the store delivers from
// {path, offset: 0, length: size} without copying. Files are the truth; the index is derived.
import { open } from 'node:fs/promises'

export const QUEUE_MAGIC = 'WRENQ1'
const TAIL_LEN = 18 // 10 digits + ' WRENQ1\n'

export interface QueueRecipient {
  /** Rewritten envelope recipient for the destination channel (`joe@example.org`). */
  to: string
  /** Original recipient as given in RCPT TO (logged as `rfc822;<addr>`). */
  origTo: string
  /** DSN ORCPT (RFC 3461 §4.2) as `type;addr`, if given. */
  orcpt?: string
  /** DSN NOTIFY (RFC 3461 §4.1): ['NEVER'] or some of SUCCESS, FAILURE, DELAY; undefined = FAILURE,DELAY. */
  notify?: string[]
  /** Store user id (ims-ms); folder for `+folder` addressing. */
  uid?: string
  folder?: string
  /** Destination host for SMTP/LMTP channels. */
  host?: string
}

/**
 * mail.log's orig-to field (spec 01 §22 "the original envelope To: address"): the DSN ORCPT when the
 * client gave one (RFC 3461 §4.2, `type;addr`), else `rfc822;` and the address given in RCPT TO.
 */
export function origToField(r: Pick<QueueRecipient, 'origTo' | 'orcpt'>): string {
  if (r.orcpt) return r.orcpt.includes(';') ? r.orcpt : `rfc822;${r.orcpt}`
  return `rfc822;${r.origTo}`
}

export interface QueueEnvelope {
  /** Message id shared by the per-channel entries of one accepted message. */
  id: string
  channel: string
  sourceChannel: string
  /** Envelope sender; '' = null reverse-path (a notification). */
  from: string
  envid?: string
  /** DSN RET (RFC 3461 §4.3). */
  ret?: 'FULL' | 'HDRS'
  /** ms since epoch when first enqueued. */
  created: number
  /** How many delay notices (`notices`) were already sent. */
  noticesSent?: number
  /** The message's Message-ID header (with brackets). */
  messageId?: string
  /** Authenticated submitter, for logs. */
  username?: string
  /** Message size in bytes (the body part of the file). */
  size: number
  recipients: QueueRecipient[]
  /** A notification we generated: never bounce a bounce (RFC 3461 §6.2). */
  isNotification?: boolean
  smtpUtf8?: boolean
  bodyType?: string
  /** Remote peer for logs (`dns;host (TCP|…)`). */
  peer?: string
}

export function encodeTrailer(env: QueueEnvelope): Buffer {
  const json = Buffer.from(JSON.stringify(env), 'utf8')
  return Buffer.concat([Buffer.from('\n'), json, Buffer.from(`\n${String(json.length).padStart(10, '0')} ${QUEUE_MAGIC}\n`)])
}

/** Reads the envelope of a queue file. Throws on a truncated or foreign file. */
export async function readEnvelope(path: string): Promise<QueueEnvelope> {
  const fh = await open(path, 'r')
  try {
    const { size } = await fh.stat()
    if (size < TAIL_LEN + 2) throw new Error(`not a queue file: ${path}`)
    const tail = Buffer.alloc(TAIL_LEN)
    await fh.read(tail, 0, TAIL_LEN, size - TAIL_LEN)
    const m = /^(\d{10}) WRENQ1\n$/.exec(tail.toString('latin1'))
    if (!m) throw new Error(`not a queue file: ${path}`)
    const len = Number(m[1])
    const json = Buffer.alloc(len)
    await fh.read(json, 0, len, size - TAIL_LEN - 1 - len)
    const env = JSON.parse(json.toString('utf8')) as QueueEnvelope
    if (env.size !== size - TAIL_LEN - 1 - len - 1) throw new Error(`queue file size mismatch: ${path}`)
    return env
  } finally {
    await fh.close()
  }
}
