// The ESMTP parameters the engine offers on MAIL and RCPT, checked before the handler runs:
// SIZE (RFC 1870 §6), BODY (RFC 6152 §2), SMTPUTF8 (RFC 6531 §3.4), RET / ENVID (RFC 3461 §4.3,
// §4.4), AUTH (RFC 4954 §5, accepted and ignored), NOTIFY / ORCPT (RFC 3461 §4.1, §4.2).
import type { Params } from './command.js'
import { SmtpError } from './reply.js'

export interface MailParams {
  /** Declared size (RFC 1870), when given. */
  size?: number
  /** BODY=7BIT / 8BITMIME, lower-cased as before (`8bitmime`). */
  bodyType?: '7bit' | '8bitmime'
  smtpUtf8: boolean
  ret?: 'FULL' | 'HDRS'
  envid?: string
}

export interface RcptParams {
  notify?: string[]
  orcpt?: string
}

/** RFC 5321 §4.1.1.11 / §4.5.3.1.10: 555 for a parameter the server does not know. */
const unknown = (k: string) => new SmtpError(555, '5.5.4', `Unsupported parameter ${k}`)

export function mailParams(p: Params, maxSize: number): MailParams {
  const out: MailParams = { smtpUtf8: false }
  for (const k in p) {
    const v = p[k]
    switch (k) {
      case 'SIZE': {
        if (v === true || !/^\d{1,20}$/.test(v)) throw new SmtpError(501, '5.5.4', 'Bad SIZE parameter syntax')
        out.size = Number(v)
        // RFC 1870 §6.3: a declared size over the limit is refused at MAIL with 552.
        if (maxSize && out.size > maxSize) throw new SmtpError(552, '5.3.4', `Message size exceeds fixed maximum message size ${maxSize}`)
        break
      }
      case 'BODY': {
        const b = v === true ? '' : v.toLowerCase()
        if (b !== '7bit' && b !== '8bitmime') throw new SmtpError(501, '5.5.4', 'Invalid BODY parameter value. Must be 7BIT or 8BITMIME')
        out.bodyType = b
        break
      }
      case 'SMTPUTF8':
        if (v !== true) throw new SmtpError(501, '5.5.4', 'SMTPUTF8 does not take a value')
        out.smtpUtf8 = true
        break
      case 'RET': {
        const r = v === true ? '' : v.toUpperCase()
        if (r !== 'FULL' && r !== 'HDRS') throw new SmtpError(501, '5.5.4', 'Invalid RET parameter value. Must be FULL or HDRS')
        out.ret = r
        break
      }
      case 'ENVID':
        // RFC 3461 §4.4: at most 100 characters, printable ASCII after xtext decoding.
        if (v === true || v.length > 100) throw new SmtpError(501, '5.5.4', 'Bad ENVID parameter syntax')
        out.envid = v
        break
      case 'AUTH':
        break
      default:
        throw unknown(k)
    }
  }
  return out
}

const NOTIFY_VALUES = new Set(['SUCCESS', 'FAILURE', 'DELAY'])

export function rcptParams(p: Params): RcptParams {
  const out: RcptParams = {}
  for (const k in p) {
    const v = p[k]
    switch (k) {
      case 'NOTIFY': {
        if (v === true) throw new SmtpError(501, '5.5.4', 'NOTIFY parameter requires a value')
        const list = v.toUpperCase().split(',')
        if (list.includes('NEVER')) {
          if (list.length > 1) throw new SmtpError(501, '5.5.4', 'NOTIFY=NEVER cannot be combined with other values')
        } else if (!list.every((x) => NOTIFY_VALUES.has(x))) {
          throw new SmtpError(501, '5.5.4', 'NOTIFY parameter must be NEVER, SUCCESS, FAILURE, or DELAY')
        }
        out.notify = list
        break
      }
      case 'ORCPT':
        // RFC 3461 §4.2: ORCPT=addr-type ";" xtext (decoded already)
        if (v === true || !/^[a-z0-9!#$%&'*+/=?^_`{|}~-]+;./i.test(v)) throw new SmtpError(501, '5.5.4', 'Bad ORCPT parameter syntax')
        out.orcpt = v
        break
      default:
        throw unknown(k)
    }
  }
  return out
}
