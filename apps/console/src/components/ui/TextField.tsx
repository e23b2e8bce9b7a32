'use client'
import { forwardRef, useId, type InputHTMLAttributes, type ReactNode, type TextareaHTMLAttributes } from 'react'
import { cx } from '@/lib/cx'
import { controlClass, FieldFrame, fieldAria } from './Field'

export interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  label: ReactNode
  description?: ReactNode
  error?: string
  id?: string
  /** Classes for the wrapper (label + control + messages). */
  wrapperClassName?: string
}

export const TextField = forwardRef<HTMLInputElement, TextFieldProps>(function TextField(
  { label, description, error, id, wrapperClassName, className, required, ...rest },
  ref,
) {
  const auto = useId()
  const fid = id ?? `f${auto}`
  return (
    <FieldFrame id={fid} label={label} description={description} error={error} required={required} className={wrapperClassName}>
      <input
        ref={ref}
        id={fid}
        required={required}
        className={cx(controlClass(error), className)}
        {...fieldAria(fid, description, error)}
        {...rest}
      />
    </FieldFrame>
  )
})

export interface TextAreaProps extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id'> {
  label: ReactNode
  description?: ReactNode
  error?: string
  id?: string
  wrapperClassName?: string
}

export const TextArea = forwardRef<HTMLTextAreaElement, TextAreaProps>(function TextArea(
  { label, description, error, id, wrapperClassName, className, required, rows = 4, ...rest },
  ref,
) {
  const auto = useId()
  const fid = id ?? `f${auto}`
  return (
    <FieldFrame id={fid} label={label} description={description} error={error} required={required} className={wrapperClassName}>
      <textarea
        ref={ref}
        id={fid}
        rows={rows}
        required={required}
        className={cx(controlClass(error), 'h-auto py-2 font-mono text-xs leading-5', className)}
        {...fieldAria(fid, description, error)}
        {...rest}
      />
    </FieldFrame>
  )
})
