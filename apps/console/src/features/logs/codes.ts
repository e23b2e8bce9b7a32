// mail.log action codes (spec 01 §22; Admin Guide Tables 17-2 and 17-4) as the log viewer names them.
export const MESSAGE_ACTIONS: Array<{ code: string; label: string }> = [
  { code: 'E', label: 'Enqueued' },
  { code: 'D', label: 'Delivered (dequeued)' },
  { code: 'Q', label: 'Temporary failure' },
  { code: 'Z', label: 'Partly delivered, retrying' },
  { code: 'R', label: 'Rejected / bounced' },
  { code: 'J', label: 'Enqueue refused' },
  { code: 'K', label: 'Deleted, no notice' },
  { code: 'W', label: 'Delay warning sent' },
  { code: 'S', label: 'Store deposit (LMTP)' },
  { code: 'V', label: 'Transaction aborted' },
  { code: 'B', label: 'Bad SMTP command' },
  { code: 'P', label: 'DSN requested' },
]

export const CONNECTION_ACTIONS: Array<{ code: string; label: string }> = [
  { code: 'O', label: 'Connection opened' },
  { code: 'C', label: 'Connection closed' },
  { code: 'X', label: 'Connection rejected' },
  { code: 'Y', label: 'Connection failed' },
  { code: 'T', label: 'PORT_ACCESS' },
  { code: 'U', label: 'SMTP AUTH' },
  { code: 'I', label: 'ETRN' },
]

const SHORT = new Map([...MESSAGE_ACTIONS, ...CONNECTION_ACTIONS].map((a) => [a.code, a.label]))

export function shortLabel(code: string): string {
  return SHORT.get(code) ?? code
}

export function actionTone(code: string): 'ok' | 'warn' | 'danger' | 'info' | 'neutral' {
  if (code === 'D' || code === 'S') return 'ok'
  if (code === 'Q' || code === 'Z' || code === 'W') return 'warn'
  if (code === 'R' || code === 'J' || code === 'K' || code === 'V' || code === 'X' || code === 'B') return 'danger'
  if (code === 'E') return 'info'
  return 'neutral'
}
