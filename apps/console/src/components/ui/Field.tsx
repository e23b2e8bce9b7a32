'use client'
// The shared frame of every form control: label, the control, a description and a field error,
// wired with aria-describedby / aria-invalid so screen readers announce both.
import type { ReactNode } from 'react'
import { cx } from '@/lib/cx'

export interface FieldFrameProps {
  id: string
  label: ReactNode
  description?: ReactNode
  error?: string
  required?: boolean
  className?: string
  children: ReactNode
}

export function fieldAria(id: string, description?: ReactNode, error?: string) {
  const ids = [description ? `${id}-desc` : '', error ? `${id}-err` : ''].filter(Boolean).join(' ')
  return { 'aria-describedby': ids || undefined, 'aria-invalid': error ? true : undefined }
}

export function FieldFrame({ id, label, description, error, required, className, children }: FieldFrameProps) {
  return (
    <div className={cx('flex flex-col gap-1', className)}>
      <label htmlFor={id} className="text-xs font-medium text-fg">
        {label}
        {required && <span className="text-danger" aria-hidden="true"> *</span>}
      </label>
      {children}
      {description && !error && (
        <p id={`${id}-desc`} className="text-xs text-muted">
          {description}
        </p>
      )}
      {error && (
        <p id={`${id}-err`} className="text-xs font-medium text-danger">
          {error}
        </p>
      )}
    </div>
  )
}

export const controlClass = (error?: string) =>
  cx(
    'h-9 w-full rounded-ctl border bg-surface px-3 text-sm text-fg placeholder:text-muted/70',
    'disabled:bg-subtle disabled:text-muted',
    error ? 'border-danger' : 'border-line-strong',
  )
