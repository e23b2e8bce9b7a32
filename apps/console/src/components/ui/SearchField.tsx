'use client'
import { forwardRef, useId, type InputHTMLAttributes } from 'react'
import { cx } from '@/lib/cx'

/** A toolbar search box with a (visually hidden) label. */
export const SearchField = forwardRef<HTMLInputElement, Omit<InputHTMLAttributes<HTMLInputElement>, 'type'> & { label: string }>(
  function SearchField({ label, className, id, ...rest }, ref) {
    const auto = useId()
    const fid = id ?? `s${auto}`
    return (
      <div className={cx('flex min-w-56 flex-1 flex-col gap-1', className)}>
        <label htmlFor={fid} className="sr-only">
          {label}
        </label>
        <input
          ref={ref}
          id={fid}
          type="search"
          placeholder={label}
          autoComplete="off"
          spellCheck={false}
          className="h-9 w-full rounded-ctl border border-line-strong bg-surface px-3 text-sm placeholder:text-muted/70"
          {...rest}
        />
      </div>
    )
  },
)
