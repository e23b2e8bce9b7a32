'use client'
import { useEffect, useRef } from 'react'
import type { FormErrors } from '@/lib/form-errors'

/**
 * The box at the top of a form listing what went wrong. Receives focus when it appears so keyboard
 * and screen-reader users learn about the failure; field errors link to their controls.
 * `fieldLabels` maps field names to their labels and `idPrefix` + name gives the control's id.
 */
export function FormErrorSummary({
  errors,
  fieldLabels = {},
  idPrefix = '',
  title = 'The changes were not saved',
}: {
  errors: FormErrors
  fieldLabels?: Record<string, string>
  idPrefix?: string
  title?: string
}) {
  const ref = useRef<HTMLDivElement>(null)
  const fieldEntries = Object.entries(errors.fields)
  const any = fieldEntries.length > 0 || errors.form.length > 0
  useEffect(() => {
    if (any) ref.current?.focus()
  }, [errors, any])
  if (!any) return null
  return (
    <div ref={ref} tabIndex={-1} role="alert" className="rounded-card border border-danger/40 bg-danger-soft p-3 text-sm text-danger">
      <p className="font-semibold">{title}</p>
      <ul className="mt-1 list-disc pl-5">
        {errors.form.map((m, i) => (
          <li key={`f${i}`}>{m}</li>
        ))}
        {fieldEntries.map(([name, msg]) => (
          <li key={name}>
            <a className="underline" href={`#${idPrefix}${name}`}>
              {fieldLabels[name] ?? name}
            </a>
            : {msg}
          </li>
        ))}
      </ul>
    </div>
  )
}
