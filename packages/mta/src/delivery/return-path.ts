// RFC 5321 §4.4: at final delivery the Return-Path trace field records the envelope sender
// (`Return-Path: <>` for a null reverse-path). Return-Path fields already in the message are removed
// (a message in transit must not carry one, so any present is stale or forged).
import { readMessageSync } from '../queue/message-ref.js'

export function returnPathLine(sender: string): Buffer {
  return Buffer.from(`Return-Path: <${sender}>\r\n`, 'utf8')
}

const RP = /^return-path:/i

/** Drops Return-Path fields (and their folded continuation lines) from the header block. */
export function stripReturnPath(msg: Buffer): Buffer {
  const end = msg.indexOf('\r\n\r\n')
  const headEnd = end < 0 ? msg.length : end + 2
  const head = msg.subarray(0, headEnd).toString('latin1')
  if (!/(^|\n)return-path:/i.test(head)) return msg
  const lines = head.split(/(?<=\r\n)/)
  const kept: string[] = []
  let dropping = false
  for (const l of lines) {
    if (/^[ \t]/.test(l) && dropping) continue
    dropping = RP.test(l)
    if (!dropping) kept.push(l)
  }
  return Buffer.concat([Buffer.from(kept.join(''), 'latin1'), msg.subarray(headEnd)])
}

/**
 * The message bytes [0, size) of a queue file with `Return-Path:` first: one allocation, read straight
 * behind the new field with synchronous reads (as the store reads queue files: no thread-pool trip).
 */
export function withReturnPath(path: string, size: number, sender: string): Buffer {
  const rp = returnPathLine(sender)
  const buf = Buffer.allocUnsafe(rp.length + size)
  rp.copy(buf, 0)
  readMessageSync(path, buf, rp.length, size)
  const body = buf.subarray(rp.length)
  const stripped = stripReturnPath(body)
  return stripped === body ? buf : Buffer.concat([rp, stripped])
}
