// The DATA reader (RFC 5321 §4.1.1.4, §4.5.2): removes the transparency dot from lines that start
// with one and finds the end-of-data line `CRLF . CRLF`, wherever the socket splits the input.
//
// Lines are delimited by CRLF only: the terminator is recognised after CRLF (or at the very start
// of the data) and nowhere else, so `LF . LF`, `LF . CRLF` and `CRLF . LF` are content (RFC 5321
// §4.1.1.4 forbids other end-of-data sequences; accepting them enables SMTP smuggling). The reader
// is a byte state machine that jumps from LF to LF with Buffer#indexOf, and hands the content on
// as slices of the input buffers (no copies) except for a held-back CR (below).

const MID = 0 // inside a line
const MID_CR = 1 // inside a line, the last byte seen was CR
const BOL = 2 // at the start of a line (after CRLF, or at the start of the data)
const DOT = 3 // a line started with '.', the dot is held back
const DOT_CR = 4 // a line started with ".\r", both held back (end of data if LF follows)

const CR = Buffer.from('\r')

export class DataReader {
  private state = BOL
  /** Content bytes produced so far (after unstuffing), counted even when over the limit. */
  bytes = 0
  /** Content slices produced by the last push(). */
  readonly out: Buffer[] = []

  /** Starts a new message. */
  reset(): void {
    this.state = BOL
    this.bytes = 0
    this.out.length = 0
  }

  /**
   * Reads `buf` from `start`. Content goes to `out` (cleared first). Returns the index just after
   * the end-of-data line, or -1 when the whole buffer was content (more to come).
   */
  push(buf: Buffer, start: number): number {
    const out = this.out
    out.length = 0
    const n = buf.length
    let state = this.state
    let seg = start // start of the content not yet emitted
    let i = start
    while (i < n) {
      if (state <= MID_CR) {
        const lf = buf.indexOf(10, i)
        if (lf < 0) {
          state = buf[n - 1] === 13 ? MID_CR : MID
          i = n
          break
        }
        const crlf = lf > i ? buf[lf - 1] === 13 : state === MID_CR
        state = crlf ? BOL : MID
        i = lf + 1
      } else if (state === BOL) {
        if (buf[i] === 46) {
          // §4.5.2: a leading '.' is removed (or, alone on the line, ends the data)
          if (i > seg) this.emit(buf, seg, i)
          seg = i + 1
          state = DOT
          i++
        } else state = MID
      } else if (state === DOT) {
        if (buf[i] === 13) { state = DOT_CR; i++ } else state = MID
      } else { // DOT_CR
        if (buf[i] === 10) {
          this.state = BOL
          return i + 1
        }
        // ".\rX": the dot was a transparency dot; the CR is content. When the CR came in an
        // earlier buffer it was held back: emit it now.
        if (i === start) { out.push(CR); this.bytes++ }
        state = MID // buf[i] is not LF, so whether a CR precedes it does not matter
      }
    }
    this.state = state
    // A held-back ".\r" at the end of this buffer is not emitted yet (it may end the data).
    const end = state === DOT_CR ? n - 1 : n
    if (end > seg) this.emit(buf, seg, end)
    return -1
  }

  private emit(buf: Buffer, from: number, to: number): void {
    this.out.push(from === 0 && to === buf.length ? buf : buf.subarray(from, to))
    this.bytes += to - from
  }
}
