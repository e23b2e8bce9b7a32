// Over-quota warning message (spec 03 §4 "Warning message format"): with `store.quotanotification` 1 and
// `store.quotaexceededmsg` set, a user whose usage crosses `store.quotawarn` gets the message in INBOX
// (bypassing the quota), at most once per `store.quotaexceededmsginterval` days. The template holds
// RFC 822 headers, `$$`, then the body; `$` is a newline; [ID] [DISKUSAGE] [NUMMSG] [PERCENT] [QUOTA]
// [MSGQUOTA] are replaced (sizes in KB).

export interface NoticeFacts {
  userid: string
  diskUsed: number
  msgUsed: number
  diskLimit: number
  msgLimit: number
}

export function renderQuotaNotice(template: string, f: NoticeFacts, now = new Date()): Buffer {
  const pct = f.diskLimit > 0 ? Math.floor((f.diskUsed * 100) / f.diskLimit) : 0
  const vars: Record<string, string> = {
    ID: f.userid, DISKUSAGE: String(Math.ceil(f.diskUsed / 1024)), NUMMSG: String(f.msgUsed), PERCENT: `${pct}%`,
    QUOTA: f.diskLimit < 0 ? 'unlimited' : String(Math.floor(f.diskLimit / 1024)), MSGQUOTA: f.msgLimit < 0 ? 'unlimited' : String(f.msgLimit),
  }
  const filled = template.replace(/\[(ID|DISKUSAGE|NUMMSG|PERCENT|QUOTA|MSGQUOTA)\]/g, (_, k: string) => vars[k])
  const split = filled.indexOf('$$')
  const headerPart = split === -1 ? 'Subject: Quota warning' : filled.slice(0, split)
  const bodyPart = split === -1 ? filled : filled.slice(split + 2)
  const headers = headerPart.split('$').map((l) => l.trim()).filter(Boolean)
  if (!headers.some((h) => /^date:/i.test(h))) headers.push(`Date: ${now.toUTCString().replace('GMT', '+0000')}`)
  if (!headers.some((h) => /^to:/i.test(h))) headers.push(`To: ${f.userid}`)
  if (!headers.some((h) => /^from:/i.test(h))) headers.push('From: postmaster')
  return Buffer.from(headers.join('\r\n') + '\r\n\r\n' + bodyPart.split('$').join('\r\n') + '\r\n')
}
