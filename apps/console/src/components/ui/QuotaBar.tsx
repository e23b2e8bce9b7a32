import { cx } from '@/lib/cx'

/**
 * Usage against a limit. `limit` < 0 means unlimited (product convention: -1), 0 means no
 * allowance. Turns warning at `warnAt` percent (default 90, the product's quota warning level)
 * and "over" at 100.
 */
export function QuotaBar({
  used,
  limit,
  label,
  format = (n) => String(n),
  warnAt = 90,
  className,
}: {
  used: number
  limit: number
  label: string
  format?: (n: number) => string
  warnAt?: number
  className?: string
}) {
  const unlimited = limit < 0
  const pct = unlimited ? 0 : limit === 0 ? (used > 0 ? 100 : 0) : Math.round((used / limit) * 1000) / 10
  const state = unlimited ? 'ok' : pct >= 100 ? 'over' : pct >= warnAt ? 'warning' : 'ok'
  const bar = state === 'over' ? 'bg-danger' : state === 'warning' ? 'bg-warn' : 'bg-ok'
  return (
    <div className={cx('flex min-w-40 flex-col gap-1', className)}>
      <div className="flex items-baseline justify-between gap-2 text-xs">
        <span className="font-medium text-fg">{label}</span>
        <span className={cx('tabular-nums', state === 'over' ? 'text-danger' : state === 'warning' ? 'text-warn' : 'text-muted')}>
          {format(used)} / {unlimited ? 'unlimited' : format(limit)}
          {!unlimited && ` (${pct}%)`}
        </span>
      </div>
      <div
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.min(100, pct)}
        aria-valuetext={unlimited ? `${format(used)} used, unlimited` : `${pct}% used${state === 'over' ? ', over quota' : state === 'warning' ? ', near quota' : ''}`}
        className="h-2 w-full overflow-hidden rounded-full bg-subtle"
      >
        {!unlimited && <div className={cx('h-full rounded-full', bar)} style={{ width: `${Math.min(100, pct)}%` }} />}
      </div>
    </div>
  )
}
