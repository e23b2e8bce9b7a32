// The MTA options that shape mail.log (spec 01 §22). In unified configuration they are
// `mta.<option>` (msconfig also accepts the bare name: `msconfig set log_format 4`).
import type { ConfigView } from '@wren/kernel'

export interface LogOptions {
  /** LOG_FORMAT: 1 standard, 2 `<>` for empty addresses, 3 counted fields, 4 XML. */
  format: 1 | 2 | 3 | 4
  /** LOG_CONNECTION bit mask: 1 connection records + source system, 32 transport, 64 application, 128 auth (U). */
  connection: number
  separateConnectionLog: boolean
  process: boolean
  node: boolean
  nodeName: string
  notary: boolean
  filename: boolean
  messageId: boolean
  envelopeId: boolean
  username: boolean
  queueTime: boolean
  reason: boolean
  /** LOG_BANNER: log the remote banner (application information) without LOG_CONNECTION bit 6. */
  banner: boolean
  /** LOG_TRANSPORTINFO: log transport information without LOG_CONNECTION bit 5. */
  transportInfo: boolean
  /** BLOCK_SIZE in bytes (default 1024: sizes are in KB). */
  blockSize: number
  /** LOG_MESSAGES_SYSLOG: < 0 suppresses the files (syslog itself is not written by Wren). */
  messagesSyslog: number
}

export const DEFAULT_LOG_OPTIONS: LogOptions = Object.freeze({
  format: 1,
  connection: 0,
  separateConnectionLog: false,
  process: false,
  node: false,
  nodeName: '',
  notary: false,
  filename: false,
  messageId: false,
  envelopeId: false,
  username: false,
  queueTime: false,
  reason: false,
  banner: false,
  transportInfo: false,
  blockSize: 1024,
  messagesSyslog: 0,
}) as LogOptions

function num(config: ConfigView, name: string): number | undefined {
  const v = config.find(`mta.${name}`) ?? config.find(name)
  if (v === undefined || v === '') return undefined
  const n = Number(v)
  return Number.isFinite(n) ? n : undefined
}

export function logOptionsFromConfig(config: ConfigView, nodeName = ''): LogOptions {
  const flag = (name: string) => (num(config, name) ?? 0) !== 0
  const format = num(config, 'log_format') ?? 1
  const blockSize = num(config, 'block_size') ?? 1024
  return {
    format: (format >= 1 && format <= 4 ? Math.trunc(format) : 1) as LogOptions['format'],
    connection: num(config, 'log_connection') ?? 0,
    separateConnectionLog: flag('separate_connection_log'),
    process: flag('log_process'),
    node: flag('log_node'),
    nodeName,
    notary: flag('log_notary'),
    filename: flag('log_filename'),
    messageId: flag('log_message_id'),
    envelopeId: flag('log_envelope_id'),
    username: flag('log_username'),
    queueTime: flag('log_queue_time'),
    reason: flag('log_reason'),
    banner: flag('log_banner'),
    transportInfo: flag('log_transportinfo'),
    blockSize: blockSize > 0 ? blockSize : 1024,
    messagesSyslog: num(config, 'log_messages_syslog') ?? 0,
  }
}
