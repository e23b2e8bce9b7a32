import type { ReactNode } from 'react'
import { cx } from '@/lib/cx'

export type BadgeTone = 'neutral' | 'ok' | 'warn' | 'danger' | 'info'

const tones: Record<BadgeTone, string> = {
  neutral: 'bg-subtle text-muted border-line',
  ok: 'bg-ok-soft text-ok border-ok/25',
  warn: 'bg-warn-soft text-warn border-warn/25',
  danger: 'bg-danger-soft text-danger border-danger/25',
  info: 'bg-info-soft text-info border-info/25',
}

export function Badge({ tone = 'neutral', children, className }: { tone?: BadgeTone; children: ReactNode; className?: string }) {
  return (
    <span className={cx('inline-flex items-center rounded-full border px-2 py-0.5 text-xs font-medium leading-4', tones[tone], className)}>
      {children}
    </span>
  )
}

/** Tone for the product's status values (inetUserStatus / mailUserStatus / domain status / service state). */
export function statusTone(status: string | undefined | null): BadgeTone {
  switch ((status ?? '').toLowerCase()) {
    case 'active':
    case 'running':
    case 'ok':
      return 'ok'
    case 'inactive':
    case 'hold':
    case 'starting':
    case 'stopping':
    case 'warning':
    case 'grace':
      return 'warn'
    case 'deleted':
    case 'disabled':
    case 'removed':
    case 'failed':
    case 'over':
      return 'danger'
    default:
      return 'neutral'
  }
}

export function StatusBadge({ status }: { status: string | undefined | null }) {
  return <Badge tone={statusTone(status)}>{status || 'unknown'}</Badge>
}
