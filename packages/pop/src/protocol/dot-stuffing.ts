// Multi-line message transfer (RFC 1939 §3, §7 RETR/TOP): lines are CRLF-terminated, a line that
// begins with "." gets one more "." (byte-stuffing), and the response ends with ".CRLF".
// Streaming and chunk-boundary safe; bare LF line ends in stored messages are sent as CRLF.

const CR = 0x0d
const LF = 0x0a
const DOT = 0x2e

const DOT_BUF = Buffer.from('.')
const CRLF_BUF = Buffer.from('\r\n')
const TERMINATOR = Buffer.from('.\r\n')
const EMPTY = Buffer.alloc(0)

export class DotStuffer {
  private atLineStart = true
  private prevCR = false
  private sawAny = false

  /** Encodes the next chunk of message octets. */
  push(chunk: Buffer): Buffer {
    if (chunk.length === 0) return EMPTY
    this.sawAny = true
    const parts: Buffer[] = []
    let pos = 0
    while (pos < chunk.length) {
      if (this.atLineStart && chunk[pos] === DOT) parts.push(DOT_BUF)
      this.atLineStart = false
      const nl = chunk.indexOf(LF, pos)
      if (nl < 0) {
        parts.push(chunk.subarray(pos))
        this.prevCR = chunk[chunk.length - 1] === CR
        break
      }
      const crBefore = nl > pos ? chunk[nl - 1] === CR : this.prevCR
      if (crBefore) parts.push(chunk.subarray(pos, nl + 1))
      else parts.push(chunk.subarray(pos, nl), CRLF_BUF)
      this.atLineStart = true
      this.prevCR = false
      pos = nl + 1
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts)
  }

  /** Finishes the message: completes a last unterminated line, then the ".CRLF" terminator. */
  end(): Buffer {
    if (!this.sawAny || this.atLineStart) return TERMINATOR
    return this.prevCR ? Buffer.from('\n.\r\n') : Buffer.from('\r\n.\r\n')
  }
}

/** Encodes a whole message at once. */
export function dotStuff(message: Buffer): Buffer {
  const s = new DotStuffer()
  return Buffer.concat([s.push(message), s.end()])
}

/**
 * RFC 1939 §7 TOP msg n: "the headers of the message, the blank line separating the headers from the
 * body, and then the number of lines of the indicated message's body". Feed message octets; `push`
 * returns the part to send, and `done` turns true once no more octets are needed.
 */
export class TopLimiter {
  private inBody = false
  /** Octets on the current line other than CR. */
  private lineLen = 0
  private bodyLines = 0
  done = false

  constructor(private readonly lines: number) {}

  push(chunk: Buffer): Buffer {
    if (this.done) return EMPTY
    let pos = 0
    while (pos < chunk.length) {
      const nl = chunk.indexOf(LF, pos)
      const stop = nl < 0 ? chunk.length : nl
      for (let i = pos; i < stop; i++) if (chunk[i] !== CR) this.lineLen++
      if (nl < 0) break
      if (!this.inBody) {
        if (this.lineLen === 0) {
          this.inBody = true
          if (this.lines === 0) return this.finish(chunk, nl + 1)
        }
      } else if (++this.bodyLines >= this.lines) {
        return this.finish(chunk, nl + 1)
      }
      this.lineLen = 0
      pos = nl + 1
    }
    return chunk
  }

  private finish(chunk: Buffer, end: number): Buffer {
    this.done = true
    return chunk.subarray(0, end)
  }
}
