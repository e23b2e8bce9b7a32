// SMTP replies (RFC 5321 §4.2) with enhanced status codes (RFC 2034, codes from RFC 3463).
// Replies are built as strings and written once per input chunk (see session.ts).

/** A reply a handler can return or throw: `550 5.1.1 unknown user`. */
export interface SmtpReply {
  code: number
  /** RFC 3463 `class.subject.detail`; omitted → the default for the code (DEFAULT_ENHANCED). */
  enhanced?: string
  text: string
}

/** Thrown by a handler to answer a command with a failure reply. */
export class SmtpError extends Error implements SmtpReply {
  constructor(readonly code: number, readonly enhanced: string | undefined, readonly text: string) {
    super(enhanced ? `${enhanced} ${text}` : text)
  }
}

export const isReply = (x: unknown): x is SmtpReply =>
  typeof x === 'object' && x !== null && typeof (x as SmtpReply).code === 'number' && typeof (x as SmtpReply).text === 'string'

/** RFC 3463 defaults by basic code when a reply does not name its own. */
const DEFAULT_ENHANCED: Record<number, string> = {
  211: '2.0.0', 214: '2.0.0', 220: '2.0.0', 221: '2.0.0', 235: '2.7.0', 250: '2.0.0', 251: '2.1.5', 252: '2.1.5',
  421: '4.4.2', 450: '4.2.1', 451: '4.3.0', 452: '4.2.2', 454: '4.7.0', 455: '4.5.4',
  500: '5.5.2', 501: '5.5.4', 502: '5.5.1', 503: '5.5.1', 504: '5.5.4', 530: '5.7.0', 534: '5.7.9', 535: '5.7.8',
  538: '5.7.11', 550: '5.1.1', 551: '5.1.6', 552: '5.3.4', 553: '5.1.3', 554: '5.6.0', 555: '5.5.4',
}

export function defaultEnhanced(code: number): string {
  return DEFAULT_ENHANCED[code] ?? (code >= 500 ? '5.0.0' : code >= 400 ? '4.0.0' : '2.0.0')
}

/**
 * Removes control characters (a reply line must not carry CR or LF: response splitting, RFC 5321
 * §4.2). Texts are ours or built from already-validated client values; this is the backstop.
 */
function clean(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 32 || c === 127) return text.replace(/[\x00-\x1f\x7f]/g, ' ')
  }
  return text
}

/**
 * One reply line with CRLF. RFC 2034 §4: the enhanced code follows the basic code on 2xx/4xx/5xx
 * replies (not 3xx intermediates, RFC 2034 §4 / RFC 4954 §4). `enhanced === ''` sends none
 * (greeting, EHLO lines).
 */
export function formatReply(code: number, enhanced: string | undefined, text: string): string {
  if (enhanced === undefined) enhanced = code >= 300 && code < 400 ? '' : defaultEnhanced(code)
  return enhanced ? `${code} ${enhanced} ${clean(text)}\r\n` : `${code} ${clean(text)}\r\n`
}

/** A multi-line reply (RFC 5321 §4.2.1): `250-first`, …, `250 last`. */
export function formatMultiline(code: number, lines: readonly string[]): string {
  let out = ''
  for (let i = 0; i < lines.length; i++) out += `${code}${i < lines.length - 1 ? '-' : ' '}${clean(lines[i])}\r\n`
  return out
}

export const replyOf = (r: SmtpReply): string => formatReply(r.code, r.enhanced, r.text)
