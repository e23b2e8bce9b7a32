import type { ReactNode } from 'react'
import { cx } from '@/lib/cx'

export type BannerTone = 'info' | 'warn' | 'danger' | 'ok'
const tones: Record<BannerTone, string> = {
  info: 'border-info/30 bg-info-soft text-info',
  warn: 'border-warn/30 bg-warn-soft text-warn',
  danger: 'border-danger/30 bg-danger-soft text-danger',
  ok: 'border-ok/30 bg-ok-soft text-ok',
}

/** A full-width message above content (e.g. the stale-edit CONFLICT banner), with optional actions. */
export function Banner({ tone = 'info', title, children, actions }: { tone?: BannerTone; title: string; children?: ReactNode; actions?: ReactNode }) {
  return (
    <div role={tone === 'danger' || tone === 'warn' ? 'alert' : 'status'} className={cx('flex flex-wrap items-center justify-between gap-3 rounded-card border p-3 text-sm', tones[tone])}>
      <div>
        <p className="font-semibold">{title}</p>
        {children && <div className="mt-0.5">{children}</div>}
      </div>
      {actions && <div className="flex gap-2">{actions}</div>}
    </div>
  )
}
