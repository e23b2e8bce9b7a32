'use client'
// Form state for the create/edit pages of directory entries (domains, groups): the values, field
// errors mapped from the API, and stale-edit detection. An edit sends the `version` it was opened
// with; CONFLICT without field errors means the entry changed since (→ `conflict`, edits kept).
import { useState } from 'react'
import { formErrorsFrom, useFormErrors, type FormErrors } from './form-errors'
import { errorCode } from './trpc'

/** True when a failed update is a stale edit (CONFLICT that names no field). */
export function isStaleEdit(err: unknown, errors: FormErrors): boolean {
  return errorCode(err) === 'CONFLICT' && Object.keys(errors.fields).length === 0
}

/**
 * @param init the values the form starts from (recomputed each render from the loaded entry)
 * @param editing true when editing an existing entry (only then is CONFLICT a stale edit)
 */
export function useEditForm<T extends Record<string, string>>(
  init: T,
  { editing, fields, aliases }: { editing: boolean; fields: readonly string[]; aliases?: Record<string, string> },
) {
  const [f, setF] = useState(init)
  const [conflict, setConflict] = useState(false)
  const fe = useFormErrors(fields, aliases)
  const set = <K extends keyof T>(k: K, v: T[K]) => {
    setF((s) => ({ ...s, [k]: v }))
    fe.clearField(k as string)
  }
  const onError = (err: unknown) => {
    const e = formErrorsFrom(err, fields, aliases)
    if (editing && isStaleEdit(err, e)) {
      setConflict(true)
      fe.clear()
    } else fe.setErrors(e)
  }
  const dirty = JSON.stringify(f) !== JSON.stringify(init)
  const discard = () => {
    setF(init)
    fe.clear()
  }
  return { f, set, fe, conflict, onError, dirty, discard }
}
