'use client'
import { forwardRef, useId, type InputHTMLAttributes, type ReactNode } from 'react'
import { cx } from '@/lib/cx'
import { fieldAria } from './Field'

export interface CheckboxProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'type'> {
  label: ReactNode
  description?: ReactNode
  error?: string
  id?: string
}

export const Checkbox = forwardRef<HTMLInputElement, CheckboxProps>(function Checkbox(
  { label, description, error, id, className, ...rest },
  ref,
) {
  const auto = useId()
  const fid = id ?? `f${auto}`
  return (
    <div className={cx('flex items-start gap-2', className)}>
      <input
        ref={ref}
        id={fid}
        type="checkbox"
        className="mt-0.5 size-4 rounded border-line-strong accent-accent"
        {...fieldAria(fid, description, error)}
        {...rest}
      />
      <div className="flex flex-col gap-0.5">
        <label htmlFor={fid} className="text-sm text-fg">
          {label}
        </label>
        {description && !error && (
          <p id={`${fid}-desc`} className="text-xs text-muted">
            {description}
          </p>
        )}
        {error && (
          <p id={`${fid}-err`} className="text-xs font-medium text-danger">
            {error}
          </p>
        )}
      </div>
    </div>
  )
})
