// The engine's contract with its user (the dispatcher's listener): options, per-session facts and
// the hooks that decide on connections, authentication, envelopes and message data.
import type { MailParams, RcptParams } from './esmtp-params.js'
import type { SmtpReply } from './reply.js'
import type { SmtpSession } from './session.js'

export interface EngineOptions {
  /** Our host name: greeting, EHLO reply, 421 texts. */
  hostname: string
  /** Greeting text after `<host> ESMTP ` (RFC 5321 §4.3.1 / §4.2). */
  banner: string
  /** LMTP (RFC 2033) instead of SMTP. */
  lmtp: boolean
  /** Implicit TLS (RFC 8314 §3.3): the listener accepts TLS connections only. */
  implicitTls: boolean
  /** Offer STARTTLS (RFC 3207); needs `tls`. */
  starttls: boolean
  /** Server key and certificate (PEM) for STARTTLS and implicit TLS. */
  tls?: { key: Buffer; cert: Buffer }
  /** MAIL/RCPT/DATA require AUTH first (RFC 4954 §6, `530 5.7.0`). */
  authRequired: boolean
  /** Offer and accept AUTH without TLS (RFC 4954 §4 says not to). */
  allowInsecureAuth: boolean
  /** Concurrent connections; more get 421 (0 = unlimited). */
  maxClients: number
  /** Idle timeout in ms (RFC 5321 §4.5.3.2.7 suggests 5 minutes): 421 and close. */
  idleTimeout: number
  /** SIZE limit in octets (RFC 1870); 0 = none. */
  size: number
  /** Recipients per transaction (RFC 5321 §4.5.3.1.8: at least 100); 0 = unlimited. */
  maxRecipients: number
  /** Protocol errors (5xx syntax/sequence replies) before the session is dropped (default 10). */
  maxErrors?: number
  /** Close: how long sessions busy in a transaction get before they are cut (default 5 s). */
  closeTimeout?: number
}

export interface MailFrom {
  /** Reverse path; '' for the null sender `<>`. */
  address: string
  params: MailParams
}

export interface RcptTo {
  address: string
  params: RcptParams
}

/** Receives one message's content, dot-unstuffed, in order. */
export interface DataSink {
  /** A content chunk (a slice of the input, valid until the returned promise settles). */
  write(chunk: Buffer): void | Promise<void>
  /**
   * End of data. `tooBig`: the content went over SIZE; the engine answers 552 itself and only
   * waits for the sink to clean up. Otherwise the reply, or for LMTP one reply per accepted
   * RCPT (a single reply is used for every recipient; RFC 2033 §4.2). A thrown SmtpError is the
   * reply (for every LMTP recipient).
   */
  end(tooBig: boolean): Promise<SmtpReply | SmtpReply[]>
  /** The connection went away before the end of data. */
  abort(): void
}

export interface SmtpHandler {
  /** Before the greeting (PORT_ACCESS). A thrown SmtpError refuses the session (reply, close). */
  connect(s: SmtpSession): void | Promise<void>
  /** AUTH: returns the authenticated identity; throw SmtpError (535 5.7.8 …) to refuse. */
  auth(s: SmtpSession, username: string, password: string): Promise<string>
  /** MAIL FROM after syntax checks; throw SmtpError to refuse. */
  mailFrom(s: SmtpSession, from: MailFrom): void | Promise<void>
  /** RCPT TO after syntax checks; throw SmtpError to refuse. */
  rcptTo(s: SmtpSession, rcpt: RcptTo): void | Promise<void>
  /** DATA accepted (354 goes out): where the content goes. */
  data(s: SmtpSession): DataSink
  /** The connection closed (once per session that was opened). */
  disconnected(s: SmtpSession): void
  /**
   * A command refused as bad syntax or out of sequence (mail.log B record), with the reply it got.
   * AUTH data is never passed: an AUTH command shows its mechanism only.
   */
  badCommand?(s: SmtpSession, command: string, reply: string): void
}
