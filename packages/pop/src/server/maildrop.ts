// The maildrop of one POP3 session (RFC 1939 §5–6): a snapshot of INBOX taken at login, message
// numbers 1..n fixed for the session, deletion marks kept in memory and applied only in the UPDATE
// state (QUIT) through the store's expunge. A dropped connection therefore changes nothing.
import type { MailboxView, MailSession, MailStore } from '@wren/store'

export interface MaildropMessage {
  uid: number
  size: number
  messageId: string | null
  deleted: boolean
  retrieved: boolean
}

export interface UpdateResult {
  expunged: Array<{ uid: number; messageId: string | null }>
  /** Marked messages still present after the expunge. */
  failed: number
  remaining: number
}

const SIZE_BATCH = 500

export class Maildrop {
  readonly messages: MaildropMessage[]
  readonly uidValidity: number
  readonly fullName: string

  private constructor(
    private readonly session: MailSession,
    private readonly view: MailboxView,
  ) {
    this.uidValidity = view.info.uidValidity
    this.fullName = view.info.fullName
    const uids = Array.from(view.uids())
    this.messages = []
    for (let i = 0; i < uids.length; i += SIZE_BATCH) {
      for (const m of view.metas(uids.slice(i, i + SIZE_BATCH))) {
        this.messages.push({ uid: m.uid, size: m.size, messageId: m.messageId, deleted: false, retrieved: false })
      }
    }
  }

  /** Opens the user's INBOX (provisioning the user's mailboxes on first use, as delivery would). */
  static open(store: MailStore, userid: string): Maildrop {
    const session = store.session(userid, { autoCreate: true })
    try {
      const view = session.open('INBOX', { readOnly: false })
      return new Maildrop(session, view)
    } catch (e) {
      session.close()
      throw e
    }
  }

  /** Message by RFC 1939 number; undefined when out of range. */
  get(n: number): MaildropMessage | undefined {
    return n >= 1 && n <= this.messages.length ? this.messages[n - 1] : undefined
  }

  /** STAT: count and octets of the messages not marked deleted. */
  stat(): { count: number; octets: number } {
    let count = 0
    let octets = 0
    for (const m of this.messages) if (!m.deleted) { count++; octets += m.size }
    return { count, octets }
  }

  uidl(m: MaildropMessage): string {
    // RFC 1939 §7 UIDL: 1–70 characters in 0x21–0x7E, unique and persistent for the message.
    return `${this.uidValidity}.${m.uid}`
  }

  /** Reads a message range; throws when the message has been expunged by another client meanwhile. */
  read(m: MaildropMessage, start: number, end: number): Promise<Buffer> {
    return this.view.read(m.uid, start, end)
  }

  reset(): void {
    for (const m of this.messages) m.deleted = false
  }

  /** RFC 1939 §6 UPDATE: remove the marked messages; retrieved ones become \Seen. */
  async update(): Promise<UpdateResult> {
    const marked = this.messages.filter((m) => m.deleted)
    const seen = this.messages.filter((m) => m.retrieved && !m.deleted).map((m) => m.uid)
    if (seen.length) this.view.storeFlags(seen, { mode: 'add', flags: ['\\Seen'] })
    let expungedUids: number[] = []
    if (marked.length) {
      const uids = marked.map((m) => m.uid)
      this.view.storeFlags(uids, { mode: 'add', flags: ['\\Deleted'] })
      expungedUids = await this.view.expunge(uids)
    }
    const gone = new Set(expungedUids)
    const left = new Set(this.view.uids())
    return {
      expunged: marked.filter((m) => gone.has(m.uid)).map((m) => ({ uid: m.uid, messageId: m.messageId })),
      // A marked message another client expunged meanwhile is gone as asked; only survivors failed.
      failed: marked.filter((m) => left.has(m.uid)).length,
      remaining: left.size,
    }
  }

  close(): void {
    try { this.view.close() } finally { this.session.close() }
  }
}
