// Queue filters (the operations `imsimta qm` and the console run over the whole queue, mox-style
// "act on everything matching"). Translated to SQL over the index; every field is optional.

export interface QueueFilter {
  channel?: string
  /** Exact sender address, `*`-glob (`*@example.com`) or `@example.com`; '' matches the null sender. */
  sender?: string
  /** Exact recipient address, `*`-glob, or `@example.com` (every recipient in that domain). */
  recipient?: string
  /** Recipient domain (exact, case-insensitive). */
  domain?: string
  /** Only entries older / younger than this many seconds. */
  olderThan?: number
  newerThan?: number
  minAttempts?: number
  maxAttempts?: number
  /** Substring of the last error. */
  error?: string
  held?: boolean
  /** Specific queue keys (`<id>.<nn>`), or message ids (prefix before the dot). */
  keys?: string[]
}

export function globToLike(glob: string): string {
  return glob.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c).replace(/\*/g, '%').replace(/\?/g, '_')
}

/** WHERE clause + parameters for the `entry e` table (alias `e`). */
export function filterToSql(f: QueueFilter, now = Date.now()): { where: string; params: unknown[] } {
  const w: string[] = []
  const p: unknown[] = []
  // `@domain` (as in `qm dir -to=@example.net`): the whole domain
  if (f.recipient?.startsWith('@') && !/[*?]/.test(f.recipient)) f = { ...f, recipient: undefined, domain: f.recipient.slice(1) }
  if (f.sender?.startsWith('@')) f = { ...f, sender: `*${f.sender}` }
  if (f.channel) { w.push('e.channel = ?'); p.push(f.channel) }
  if (f.sender !== undefined) {
    if (f.sender.includes('*') || f.sender.includes('?')) { w.push("e.sender LIKE ? ESCAPE '\\'"); p.push(globToLike(f.sender)) }
    else { w.push('e.sender = ?'); p.push(f.sender.toLowerCase()) }
  }
  if (f.recipient !== undefined) {
    if (f.recipient.includes('*') || f.recipient.includes('?')) {
      w.push("e.key IN (SELECT key FROM rcpt WHERE address LIKE ? ESCAPE '\\')"); p.push(globToLike(f.recipient))
    } else { w.push('e.key IN (SELECT key FROM rcpt WHERE address = ?)'); p.push(f.recipient.toLowerCase()) }
  }
  if (f.domain) { w.push('e.key IN (SELECT key FROM rcpt WHERE domain = ?)'); p.push(f.domain.toLowerCase()) }
  if (f.olderThan !== undefined) { w.push('e.created <= ?'); p.push(now - f.olderThan * 1000) }
  if (f.newerThan !== undefined) { w.push('e.created >= ?'); p.push(now - f.newerThan * 1000) }
  if (f.minAttempts !== undefined) { w.push('e.attempts >= ?'); p.push(f.minAttempts) }
  if (f.maxAttempts !== undefined) { w.push('e.attempts <= ?'); p.push(f.maxAttempts) }
  if (f.error) { w.push("e.last_error LIKE ? ESCAPE '\\'"); p.push('%' + globToLike(f.error) + '%') }
  if (f.held !== undefined) { w.push('e.held = ?'); p.push(f.held ? 1 : 0) }
  if (f.keys?.length) {
    const ors: string[] = []
    for (const k of f.keys) {
      if (/\.\d{2}$/.test(k)) { ors.push('e.key = ?'); p.push(k) } else { ors.push('e.msg_id = ?'); p.push(k) }
    }
    w.push(`(${ors.join(' OR ')})`)
  }
  return { where: w.length ? w.join(' AND ') : '1', params: p }
}
