// Splits the client's byte stream into command lines (RFC 1939 §3: CRLF-terminated; bare LF accepted).
// A line longer than the limit is reported once as overlong and its remainder discarded up to the
// next line end, so one bad line never desynchronises the session (RFC 2449 §4: 255 octets).

export type SplitItem = { line: string } | { overlong: true }

export class LineSplitter {
  private buf: Buffer = Buffer.alloc(0)
  private discarding = false

  constructor(private readonly maxLine: number) {}

  /** Feeds octets; returns the complete lines (without CRLF) now available, in order. */
  push(chunk: Buffer): SplitItem[] {
    const out: SplitItem[] = []
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk
    let pos = 0
    for (;;) {
      const nl = this.buf.indexOf(0x0a, pos)
      if (nl < 0) break
      if (this.discarding) {
        this.discarding = false
      } else {
        let end = nl
        if (end > pos && this.buf[end - 1] === 0x0d) end--
        if (end - pos + 2 > this.maxLine) out.push({ overlong: true })
        else out.push({ line: this.buf.subarray(pos, end).toString('latin1') })
      }
      pos = nl + 1
    }
    this.buf = this.buf.subarray(pos)
    if (this.buf.length > this.maxLine) {
      if (!this.discarding) out.push({ overlong: true })
      this.discarding = true
      this.buf = Buffer.alloc(0)
    }
    return out
  }

  /** Drops buffered input (RFC 2595 §4: after STLS the client must not have pipelined more). */
  reset(): void {
    this.buf = Buffer.alloc(0)
    this.discarding = false
  }

  get pending(): number {
    return this.buf.length
  }
}
