// Checks and normalises a message as it streams in (after dot-unstuffing), without holding it:
// bare LF → CRLF (RFC 5321 §2.3.8), 8-bit header bytes only with SMTPUTF8 (RFC 6532 §3, RFC 6531
// §3.7.4), Received: count for loop detection (spec 03 §22 MAX_RECEIVED_LINES), Message-ID capture
// for logs.
// Line length: RFC 5322 §2.1.1 limits lines to 998 octets, but RFC 5321 §4.5.3.1 asks servers not to
// enforce such limits where they can avoid it, and real senders exceed it (Postfix accepts them too).
// Body lines of any length pass through as they come (only the message size limit applies); a header
// line is held whole to be inspected, so it is bounded by MAX_HEADER_LINE (memory, not syntax).
// (D31 in docs/decisions.md.)

/** Longest header line held (unfolded lines are counted separately): 64 KB, Postfix's header_size_limit is 100 KB. */
export const MAX_HEADER_LINE = 64 * 1024

export type FilterError =
  | { kind: 'header-too-long'; code: 554; enhanced: '5.6.0'; text: string }
  | { kind: '8bit-header'; code: 554; enhanced: '5.6.7'; text: string }

export class MessageFilter {
  private pending: Buffer | null = null
  private inHeaders = true
  receivedCount = 0
  messageId: string | undefined
  bareLf = 0
  error: FilterError | undefined
  private lastHeaderName = ''
  /** A body line's start went out without its line end yet. */
  private midLine = false

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
      this.midLine = false
    }
    if (start < buf.length) {
      const rest = buf.subarray(start)
      if (this.inHeaders) {
        // a header line is inspected whole when its line end comes
        if (rest.length > MAX_HEADER_LINE + 1) { this.fail('header-too-long'); return Buffer.alloc(0) }
        this.pending = Buffer.from(rest)
      } else {
        // a body line streams through; only a last CR waits, in case the LF of a CRLF comes next
        const heldCr = rest[rest.length - 1] === 13 ? 1 : 0
        if (rest.length > heldCr) { out.push(rest.subarray(0, rest.length - heldCr)); this.midLine = true }
        if (heldCr) this.pending = Buffer.from([13])
      }
    }
    return out.length === 1 ? out[0] : Buffer.concat(out)
  }

  /** End of data: the last line may lack a line end; returns its bytes (with CRLF). */
  end(): Buffer {
    if (this.error) return Buffer.alloc(0)
    if (!this.pending) return this.midLine ? Buffer.from(CRLF) : Buffer.alloc(0)
    const p = this.pending
    this.pending = null
    let end = p.length
    if (p[end - 1] === 13) end--
    this.line(p, 0, end)
    if (this.error) return Buffer.alloc(0)
    return Buffer.concat([p.subarray(0, end), CRLF])
  }

  private line(buf: Buffer, start: number, end: number): void {
    if (!this.inHeaders) return
    if (end - start > MAX_HEADER_LINE) return this.fail('header-too-long')
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
    this.error = kind === 'header-too-long'
      ? { kind, code: 554, enhanced: '5.6.0', text: `Header line longer than ${MAX_HEADER_LINE} octets` }
      : { kind, code: 554, enhanced: '5.6.7', text: 'Non-ASCII header field requires SMTPUTF8' }
  }
}

const CRLF = Buffer.from('\r\n')
