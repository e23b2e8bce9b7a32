'use client'
// WAI-ARIA tabs: arrow keys move between tabs, Home/End jump, the panel follows the selected tab.
import { useId, useRef, type KeyboardEvent, type ReactNode } from 'react'
import { cx } from '@/lib/cx'

export interface TabDef {
  id: string
  label: ReactNode
}

export function Tabs({
  tabs,
  value,
  onChange,
  children,
  label,
}: {
  tabs: TabDef[]
  value: string
  onChange: (id: string) => void
  children: ReactNode
  label: string
}) {
  const base = useId()
  const refs = useRef<Record<string, HTMLButtonElement | null>>({})
  const onKey = (e: KeyboardEvent) => {
    const i = tabs.findIndex((t) => t.id === value)
    let next = -1
    if (e.key === 'ArrowRight') next = (i + 1) % tabs.length
    else if (e.key === 'ArrowLeft') next = (i - 1 + tabs.length) % tabs.length
    else if (e.key === 'Home') next = 0
    else if (e.key === 'End') next = tabs.length - 1
    if (next < 0) return
    e.preventDefault()
    onChange(tabs[next]!.id)
    refs.current[tabs[next]!.id]?.focus()
  }
  return (
    <div>
      <div role="tablist" aria-label={label} className="flex gap-1 overflow-x-auto border-b border-line" onKeyDown={onKey}>
        {tabs.map((t) => {
          const sel = t.id === value
          return (
            <button
              key={t.id}
              ref={(el) => {
                refs.current[t.id] = el
              }}
              type="button"
              role="tab"
              id={`${base}-tab-${t.id}`}
              aria-selected={sel}
              aria-controls={`${base}-panel`}
              tabIndex={sel ? 0 : -1}
              onClick={() => onChange(t.id)}
              className={cx(
                '-mb-px border-b-2 px-3 py-2 text-sm font-medium whitespace-nowrap',
                sel ? 'border-accent text-accent' : 'border-transparent text-muted hover:text-fg',
              )}
            >
              {t.label}
            </button>
          )
        })}
      </div>
      <div role="tabpanel" id={`${base}-panel`} aria-labelledby={`${base}-tab-${value}`} className="pt-5">
        {children}
      </div>
    </div>
  )
}
