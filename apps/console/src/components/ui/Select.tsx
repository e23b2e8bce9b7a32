'use client'
import { forwardRef, useId, type ReactNode, type SelectHTMLAttributes } from 'react'
import { cx } from '@/lib/cx'
import { controlClass, FieldFrame, fieldAria } from './Field'

export interface SelectOption {
  value: string
  label: string
}

export interface SelectProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id'> {
  label: ReactNode
  options: SelectOption[]
  description?: ReactNode
  error?: string
  id?: string
  wrapperClassName?: string
  /** Visually hide the label (it is still read by screen readers) - for toolbar filters. */
  hideLabel?: boolean
}

export const Select = forwardRef<HTMLSelectElement, SelectProps>(function Select(
  { label, options, description, error, id, wrapperClassName, className, hideLabel, required, ...rest },
  ref,
) {
  const auto = useId()
  const fid = id ?? `f${auto}`
  return (
    <FieldFrame
      id={fid}
      label={hideLabel ? <span className="sr-only">{label}</span> : label}
      description={description}
      error={error}
      required={required}
      className={cx(hideLabel && '[&>label]:contents', wrapperClassName)}
    >
      <select
        ref={ref}
        id={fid}
        required={required}
        className={cx(controlClass(error), 'pr-8', className)}
        {...fieldAria(fid, description, error)}
        {...rest}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  )
})
