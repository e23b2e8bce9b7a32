'use client'
// Maps a failed mutation onto a form: the API's error formatter puts field → message pairs in
// `data.fieldErrors` (from DirectoryError.field / config validation). Fields the form knows get
// their message under the control; anything else (and the error's own message when there are no
// field errors) goes into the form's error summary. The form keeps what the user typed - callers
// never reset their state on error.
import { useCallback, useState } from 'react'
import { errorCode, errorData, errorMessage } from './trpc'

export interface FormErrors {
  /** field name → message */
  fields: Record<string, string>
  /** messages not tied to a visible field */
  form: string[]
  code?: string
}

export const noErrors: FormErrors = { fields: {}, form: [] }

/**
 * @param knownFields the form's field names; server field names not in the list are reported in
 *   the summary. `aliases` maps server field names to form field names (e.g. mailAlternateAddress → aliases).
 */
export function formErrorsFrom(err: unknown, knownFields?: readonly string[], aliases: Record<string, string> = {}): FormErrors {
  const data = errorData(err)
  const fields: Record<string, string> = {}
  const form: string[] = []
  for (const [raw, msg] of Object.entries(data?.fieldErrors ?? {})) {
    const name = aliases[raw] ?? raw
    if (!knownFields || knownFields.includes(name)) fields[name] = msg
    else form.push(`${raw}: ${msg}`)
  }
  if (Object.keys(fields).length === 0 && form.length === 0) form.push(humanMessage(err))
  return { fields, form, code: errorCode(err) }
}

/** Readable text for an API error (zod issues come back as a JSON list in the message). */
export function humanMessage(err: unknown): string {
  const msg = errorMessage(err)
  if (msg.startsWith('[')) {
    try {
      const issues = JSON.parse(msg) as Array<{ path?: unknown[]; message?: string }>
      return issues.map((i) => `${(i.path ?? []).join('.') || 'input'}: ${i.message ?? 'invalid'}`).join('; ')
    } catch {
      /* not JSON: fall through */
    }
  }
  return msg
}

/** State helper for forms: `const fe = useFormErrors(FIELDS)`; `fe.fromError(err)`; `fe.errors.fields.uid`. */
export function useFormErrors(knownFields?: readonly string[], aliases?: Record<string, string>) {
  const [errors, setErrors] = useState<FormErrors>(noErrors)
  const fromError = useCallback(
    (err: unknown) => setErrors(formErrorsFrom(err, knownFields, aliases)),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  )
  const clear = useCallback(() => setErrors(noErrors), [])
  const clearField = useCallback(
    (name: string) =>
      setErrors((e) => {
        if (!(name in e.fields)) return e
        const fields = { ...e.fields }
        delete fields[name]
        return { ...e, fields }
      }),
    [],
  )
  return { errors, setErrors, fromError, clear, clearField }
}
