/**
 * Streaming command framer (RFC 3501 §2.2, §4.3; RFC 7888 LITERAL+; RFC 3516 literal8).
 * Pure: bytes in, events out. A command is one or more CRLF lines joined by literals; a line that ends
 * in `{n}`, `{n+}` or `~{n}` announces n literal octets that follow. The size is checked against the
 * limit BEFORE any literal byte is consumed, so a huge announcement is refused without reading it.
 */

/** One command as received: lines[i] is followed by literals[i] when present. */
export interface Frame {
  lines: string[]
  literals: Buffer[]
  /** Total octets of the frame (for byte accounting). */
  size: number
}

export type FramerEvent =
  | { type: 'frame'; frame: Frame }
  /** A synchronizing literal was accepted: the server must send `+ ...` now. */
  | { type: 'continue' }
  /** The command is refused before its literal was read (tag may be '*' when unknown). */
  | { type: 'reject'; tag: string; text: string; code?: string; fatal: boolean }

export interface FramerLimits {
  /** Longest line (without literals) we accept. */
  maxLine: number
  /** Largest literal for ordinary commands. */
  maxLiteral: number
  /** Largest literal for APPEND (the message size limit). */
  maxAppendLiteral: number
}

export const DEFAULT_LIMITS: FramerLimits = { maxLine: 64 * 1024, maxLiteral: 64 * 1024, maxAppendLiteral: 64 * 1024 * 1024 }

const LITERAL_AT_END = /(~?)\{(\d{1,20})(\+?)\}$/

export class CommandFramer {
  private pending: Buffer[] = []
  private pendingLen = 0
  private lines: string[] = []
  private literals: Buffer[] = []
  private frameSize = 0
  /** Octets of literal still to read (>0 while inside a literal). */
  private literalLeft = 0
  private literalParts: Buffer[] = []
  /** Octets to throw away (rest of an over-long line). */
  private discarding = false
  /** When true the framer only splits lines (AUTHENTICATE continuation, IDLE DONE). */
  rawLines = false

  constructor(public limits: FramerLimits = DEFAULT_LIMITS) {}

  /** Feed received bytes; returns the events they complete, in order. */
  push(chunk: Buffer): FramerEvent[] {
    const out: FramerEvent[] = []
    let buf = chunk
    while (buf.length > 0) {
      if (this.literalLeft > 0) {
        const take = Math.min(this.literalLeft, buf.length)
        this.literalParts.push(buf.subarray(0, take))
        this.literalLeft -= take
        this.frameSize += take
        buf = buf.subarray(take)
        if (this.literalLeft === 0) {
          this.literals.push(Buffer.concat(this.literalParts))
          this.literalParts = []
        }
        continue
      }
      const nl = buf.indexOf(0x0a)
      if (nl < 0) {
        if (!this.discarding) {
          this.pending.push(buf)
          this.pendingLen += buf.length
          if (this.pendingLen > this.limits.maxLine) {
            this.pending = []
            this.pendingLen = 0
            this.discarding = true
          }
        }
        break
      }
      const piece = buf.subarray(0, nl + 1)
      buf = buf.subarray(nl + 1)
      if (this.discarding) {
        this.discarding = false
        this.clear()
        out.push({ type: 'reject', tag: '*', text: 'Command line too long', code: 'TOOBIG', fatal: false })
        continue
      }
      let lineBuf = this.pendingLen ? Buffer.concat([...this.pending, piece]) : piece
      this.pending = []
      this.pendingLen = 0
      if (lineBuf.length > this.limits.maxLine) {
        this.clear()
        out.push({ type: 'reject', tag: '*', text: 'Command line too long', code: 'TOOBIG', fatal: false })
        continue
      }
      this.frameSize += lineBuf.length
      let end = lineBuf.length - 1
      if (end > 0 && lineBuf[end - 1] === 0x0d) end--
      lineBuf = lineBuf.subarray(0, end)
      const line = lineBuf.toString('latin1')
      const ev = this.onLine(line)
      if (ev) out.push(...ev)
    }
    return out
  }

  private onLine(line: string): FramerEvent[] | null {
    this.lines.push(line)
    if (this.rawLines) return this.finish()
    const m = LITERAL_AT_END.exec(line)
    if (!m) return this.finish()
    const size = Number(m[2])
    const nonSync = m[3] === '+'
    const first = this.lines[0]
    const tag = /^[^ ]*/.exec(first)![0] || '*'
    const isAppend = /^\S+ +(UID +)?APPEND /i.test(first)
    const limit = isAppend ? this.limits.maxAppendLiteral : this.limits.maxLiteral
    if (!Number.isSafeInteger(size) || size > limit) {
      this.clear()
      // RFC 7888 §4: a non-synchronizing literal is already on its way; we cannot resynchronise.
      return [{ type: 'reject', tag, text: `Literal of ${m[2]} octets is larger than the ${limit} octet limit`, code: 'TOOBIG', fatal: nonSync }]
    }
    this.literalLeft = size
    const ev: FramerEvent[] = nonSync ? [] : [{ type: 'continue' }]
    if (size === 0) this.literals.push(Buffer.alloc(0))
    return ev
  }

  private finish(): FramerEvent[] {
    const frame: Frame = { lines: this.lines, literals: this.literals, size: this.frameSize }
    this.lines = []
    this.literals = []
    this.frameSize = 0
    return [{ type: 'frame', frame }]
  }

  /** Drops everything buffered (STARTTLS: plaintext sent before the handshake is discarded). */
  reset(): void {
    this.pending = []
    this.pendingLen = 0
    this.discarding = false
    this.clear()
  }

  private clear(): void {
    this.lines = []
    this.literals = []
    this.literalParts = []
    this.literalLeft = 0
    this.frameSize = 0
  }
}
