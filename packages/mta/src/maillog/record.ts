// mail.log record model (spec 01 §22; Admin Guide ch. 17 Tables 17-2, 17-3, 17-4).

/** Table 17-2 action codes. */
export const ACTION_CODES = {
  B: 'Bad command sent to the SMTP server',
  D: 'Successful dequeue',
  E: 'Successful enqueue',
  J: 'Rejection of attempted enqueue (rejection by slave channel program)',
  K: 'Recipient message rejected, no notification sent',
  P: 'Request to generate a Delivery Status Notification',
  Q: 'Temporary failure to dequeue',
  R: 'Recipient address rejected on attempted dequeue, or generation of a failure/bounce message',
  S: 'LMTP deposit into the message store',
  V: 'Transaction abnormally aborted',
  W: 'Delay warning sent to the original sender',
  Z: 'Some recipients succeeded, this one was temporarily unsuccessful',
} as const
export type ActionCode = keyof typeof ACTION_CODES

/** Table 17-3 modifiers (P records also use F X J Y D, Table 17-2). */
export const MODIFIER_CODES = {
  A: 'SASL authentication used',
  B: 'SMTP BINARYMIME extension used',
  C: 'Chunking was used',
  E: 'EHLO issued/accepted: ESMTP used',
  L: 'LMTP was used',
  Q: 'SMTP PIPELINING extension used',
  S: 'TLS/SSL used',
  U: 'BURL used',
} as const

/** Table 17-4 LOG_CONNECTION action codes. */
export const CONNECTION_CODES = {
  C: 'Connection closed',
  O: 'Connection opened',
  T: 'PORT_ACCESS log entry',
  U: 'SMTP authentication success or failure',
  X: 'Connection rejected',
  Y: 'Connection attempt failed before being established',
  I: 'ETRN command received',
} as const
export type ConnectionAction = keyof typeof CONNECTION_CODES

interface Common {
  /** Default: now. */
  time?: Date
  /** LOG_NODE: node name (`no`). */
  node?: string
  /** LOG_PROCESS: hex `pid[.thread].n` (`pi`); the writer fills it in when absent. */
  process?: string
}

/** An enqueue/dequeue entry (`<en>`). */
export interface MessageLogRecord extends Common {
  kind?: 'message'
  action: ActionCode
  /** Modifier letters after the action (`E`, `EC`, `ESA`…). */
  modifiers?: string
  /** Source channel. */
  source: string
  /** Destination channel: present on enqueue-type records (E, J with a known channel, V). */
  destination?: string
  /** Size in blocks (BLOCK_SIZE); computed from `bytes` when absent. */
  blocks?: number
  bytes?: number
  /** Envelope From (empty for notifications). */
  from: string
  /** Original envelope To, logged as `rfc822;addr` unless it already has a type (`rfc822;`). */
  originalTo: string
  /** Current form of the envelope To. */
  to: string
  /** LOG_NOTARY: NOTARY flags as an integer (`rf`). */
  notary?: number
  /** LOG_FILENAME: queue file path (`fi`). */
  filename?: string
  /** LOG_ENVELOPE_ID (`ei`). */
  envelopeId?: string
  /** LOG_MESSAGE_ID (`mi`): `<id>`, or `<new>,<orig>` for notifications. */
  messageId?: string
  /** LOG_USERNAME (`us`): `mailsrv`, or `*user` after SASL. */
  username?: string
  /** Connection information / sending system (`ss`), e.g. `example.org (example.org [192.0.2.1])`. */
  sourceSystem?: string
  /** LOG_CONNECTION bit 5: transport information (`tr`), `TCP|lip|lport|rip|rport`. */
  transport?: string
  /** LOG_CONNECTION bit 6 / LOG_BANNER: application information (`ap`), e.g. the remote banner. */
  application?: string
  /** LOG_QUEUE_TIME: seconds in the queue (`qt`). */
  queueTime?: number
  /** LOG_REASON (`re`). */
  reason?: string
  /** Diagnostic / delivery status (`di`), e.g. `smtp;250 2.1.5 Recipient ok`. */
  diagnostic?: string
}

/** A LOG_CONNECTION entry (`<co>`). */
export interface ConnectionLogRecord extends Common {
  kind: 'connection'
  channel: string
  /** `+` inbound to the SMTP server, `-` outbound by the SMTP client. */
  direction: '+' | '-'
  action: ConnectionAction
  /** `TCP|local-ip|local-port|remote-ip|remote-port` (`tr`). */
  transport: string
  /** `SMTP` inbound; `SMTP/initial-host/mx-host` outbound (`ap`). */
  application: string
  messageId?: string
  username?: string
  diagnostic?: string
  /** LOG_QUEUE_TIME: connection length in seconds (`ct`). */
  connectionTime?: number
}

/** A header entry (`<he>`, XML format only). */
export interface HeaderLogRecord extends Common {
  kind: 'header'
  value: string
}

export type LogRecord = MessageLogRecord | ConnectionLogRecord | HeaderLogRecord

export function isConnection(r: LogRecord): r is ConnectionLogRecord {
  return r.kind === 'connection'
}
export function isHeader(r: LogRecord): r is HeaderLogRecord {
  return r.kind === 'header'
}
