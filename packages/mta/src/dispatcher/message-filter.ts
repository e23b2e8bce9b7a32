// Checks and normalises a message as it streams in (after dot-unstuffing), without holding it:
// RFC 5322 §2.1.1 / RFC 5321 §4.5.3.1.6 line length (998 + CRLF), bare LF → CRLF (RFC 5321 §2.3.8),
// 8-bit header bytes only with SMTPUTF8 (RFC 6532 §3, RFC 6531 §3.7.4), Received: count for loop
// detection (spec 03 §22 MAX_RECEIVED_LINES), Message-ID capture for logs.

export const MAX_LINE = 998

export type FilterError =
  | { kind: 'line-too-long'; code: 500; enhanced: '5.6.0'; text: string }
  | { kind: '8bit-header'; code: 554; enhanced: '5.6.7'; text: string }

export class MessageFilter {
  private pending: Buffer | null = null
  private inHeaders = true
  receivedCount = 0
  messageId: string | undefined
  bareLf = 0
  error: FilterError | undefined
  private lastHeaderName = ''

  constructor(private readonly smtpUtf8: boolean) {}

  /** Processes a chunk; returns the bytes to store (CRLF-normalised). Empty once an error is set. */
  push(chunk: Buffer): Buffer {
    let buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk
    this.pending = null
    const out: Buffer[] = []
    let start = 0
    for (;;) {
      const nl = buf.indexOf(10, start)
      if (nl < 0) break
      const hasCr = nl > start && buf[nl - 1] === 13
      const end = hasCr ? nl - 1 : nl
      this.line(buf, start, end)
      if (this.error) return Buffer.alloc(0)
      if (hasCr) out.push(buf.subarray(start, nl + 1))
      else { this.bareLf++; out.push(buf.subarray(start, end), CRLF) }
      start = nl + 1
    }
    if (start < buf.length) {
      const rest = buf.subarray(start)
      if (rest.length > MAX_LINE + 1) { this.fail('line-too-long'); return Buffer.alloc(0) }
      this.pending = Buffer.from(rest)
    }
    return out.length === 1 ? out[0] : Buffer.concat(out)
  }

  /** End of data: the last line may lack a line end; returns its bytes (with CRLF). */
  end(): Buffer {
    if (this.error || !this.pending) return Buffer.alloc(0)
    const p = this.pending
    this.pending = null
    let end = p.length
    if (p[end - 1] === 13) end--
    this.line(p, 0, end)
    if (this.error) return Buffer.alloc(0)
    return Buffer.concat([p.subarray(0, end), CRLF])
  }

  private line(buf: Buffer, start: number, end: number): void {
    if (end - start > MAX_LINE) return this.fail('line-too-long')
    if (!this.inHeaders) return
    if (end === start) { this.inHeaders = false; return }
    if (!this.smtpUtf8) {
      for (let i = start; i < end; i++) if (buf[i] > 127) return this.fail('8bit-header')
    }
    const first = buf[start]
    if (first === 32 || first === 9) {
      if (this.lastHeaderName === 'message-id' && !this.messageId) this.messageId = buf.toString('utf8', start, end).trim() || undefined
      return
    }
    const colon = buf.indexOf(58, start)
    if (colon < 0 || colon > end) {
      // RFC 5322 §2.2: not a header field — the header section ended without a blank line.
      this.inHeaders = false
      return
    }
    const name = buf.toString('latin1', start, colon).trim().toLowerCase()
    this.lastHeaderName = name
    if (name === 'received') this.receivedCount++
    else if (name === 'message-id') this.messageId = buf.toString('utf8', colon + 1, end).trim() || undefined
  }

  private fail(kind: FilterError['kind']): void {
    if (this.error) return
    this.error = kind === 'line-too-long'
      ? { kind, code: 500, enhanced: '5.6.0', text: 'Line too long' }
      : { kind, code: 554, enhanced: '5.6.7', text: 'Non-ASCII header field requires SMTPUTF8' }
  }
}

const CRLF = Buffer.from('\r\n')
