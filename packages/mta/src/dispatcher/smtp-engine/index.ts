// Wren's SMTP/LMTP protocol engine (docs/decisions.md D27): the dispatcher's listeners speak
// through it instead of the smtp-server package.
export { SmtpEngineServer } from './server.js'
export { SmtpSession, MAX_COMMAND_LINE } from './session.js'
export { SmtpError, type SmtpReply } from './reply.js'
export type { DataSink, EngineOptions, MailFrom, RcptTo, SmtpHandler } from './types.js'
export type { MailParams, RcptParams } from './esmtp-params.js'
