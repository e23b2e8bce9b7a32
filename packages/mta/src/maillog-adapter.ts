// Adapts H6's MailLog (maillog/writer.ts: LOG_FORMAT 1–4, LOG_* options, connection.log) to the
// transport's TransportLog port. The transport's peer/remote-MTA text and reply go in the
// diagnostic tail, as the manual's SMTP lines show (`dns;host (TCP|…) smtp;250 2.1.5 …`).
import { openMailLog, type MailLog } from './maillog/writer.js'
import type { ActionCode, ConnectionAction } from './maillog/record.js'
import type { ConfigView } from '@wren/kernel'
import type { TransportLog } from './ports.js'

export function mailLogPort(log: MailLog): TransportLog {
  return {
    message(r) {
      log.message({
        action: r.action as ActionCode, modifiers: r.modifiers || undefined, source: r.source, destination: r.destination,
        bytes: r.size, from: r.from, originalTo: r.origTo ?? '', to: r.to ?? '', messageId: r.messageId, filename: r.filename,
        username: r.username ? `*${r.username}` : undefined, queueTime: r.queueTime,
        diagnostic: [r.transport, r.status].filter(Boolean).join(' ') || undefined,
      })
    },
    connection(r) {
      log.connection({ channel: r.channel, direction: r.direction, action: r.action as ConnectionAction, transport: r.transport, application: r.application, username: r.username, diagnostic: r.diagnostic })
    },
    flush: () => log.flush(),
    sync: () => log.sync(),
    close: () => log.close(),
  }
}

export function openTransportLog(dataRoot: string, config: ConfigView): TransportLog {
  return mailLogPort(openMailLog({ dataRoot, config }))
}
