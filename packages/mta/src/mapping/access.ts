// From a mapping answer to an SMTP reply (spec 01 §12, §22; spec 04 B.8).
// - A leading three-digit code in the text is the SMTP code (`$N421$ Connection$ declined…`).
// - `$X4.5.1|` gives the enhanced code; without it a refusal is 5.7.1 (not authorised).
// - Without an explicit code: a 4.x.x refusal answers 451; a permanent refusal of a recipient or
//   sender answers 530 when SMTP AUTH is offered and the client has not authenticated (authenticating
//   would help), 550 otherwise. The recipient-stage text is followed by `: <address>`, as in the
//   manual's J record `530 5.7.1 Relaying not allowed: alan@very.bogus.com`.
import type { MappingResult } from './types.js'

export type AccessStage =
  | 'PORT_ACCESS' | 'FROM_ACCESS' | 'ORIG_SEND_ACCESS' | 'SEND_ACCESS' | 'ORIG_MAIL_ACCESS' | 'MAIL_ACCESS'

export interface SmtpReply {
  code: number
  enhanced: string
  text: string
  /** `code enhanced text`, ready to send. */
  line: string
}

export interface AccessDecision {
  accept: boolean
  /** The table whose answer decided (the refusing table, or the last one consulted). */
  table?: AccessStage
  /** The mapping answer (absent when no table matched). */
  result?: MappingResult
  /** Set when refused. */
  reply?: SmtpReply
  /** Flags of the deciding entry beyond Y/N (e.g. `H` hold, `B` bitbucket) for the caller to honour. */
  flags: string
  /** Accepting output text, e.g. PORT_ACCESS `EXTERNAL`. */
  tag?: string
}

export interface ReplyContext {
  /** The address the reply is about (recipient for *_SEND/*_MAIL, sender for FROM_ACCESS). */
  address?: string
  /** SMTP AUTH is offered on this session. */
  authAvailable?: boolean
  authenticated?: boolean
}

const DEFAULT_TEXT: Record<AccessStage, string> = {
  PORT_ACCESS: 'Access denied',
  FROM_ACCESS: 'Sender address rejected',
  ORIG_SEND_ACCESS: 'Relaying not allowed',
  SEND_ACCESS: 'Relaying not allowed',
  ORIG_MAIL_ACCESS: 'Relaying not allowed',
  MAIL_ACCESS: 'Relaying not allowed',
}

export function accessReply(stage: AccessStage, r: MappingResult, ctx: ReplyContext = {}): SmtpReply {
  const recipientStage = stage !== 'PORT_ACCESS' && stage !== 'FROM_ACCESS'
  const explicit = r.smtpCode
  let enhanced = r.enhancedCode ?? ''
  if (!/^[245]\.\d{1,3}\.\d{1,3}$/.test(enhanced)) {
    enhanced = explicit && explicit < 500 ? '4.7.1' : '5.7.1'
  }
  let code: number
  if (explicit) code = explicit
  else if (enhanced.startsWith('4')) code = 451
  else if (stage !== 'PORT_ACCESS' && ctx.authAvailable && !ctx.authenticated) code = 530
  else code = 550
  // The enhanced code's class follows the basic code's (RFC 3463 §2).
  if (enhanced[0] !== String(code)[0]) enhanced = `${String(code)[0]}${enhanced.slice(1)}`
  let text = r.text.trim() || DEFAULT_TEXT[stage]
  if (ctx.address !== undefined && recipientStage) text = `${text}: ${ctx.address}`
  return { code, enhanced, text, line: `${code} ${enhanced} ${text}` }
}

/** A refusal decision for a table answer. */
export function refuse(stage: AccessStage, r: MappingResult, ctx: ReplyContext = {}): AccessDecision {
  return { accept: false, table: stage, result: r, reply: accessReply(stage, r, ctx), flags: extraFlags(r.flags) }
}

export function extraFlags(flags: string): string {
  return [...flags].filter((f) => !'YNFCERX'.includes(f)).join('')
}
