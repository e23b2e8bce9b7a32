import { TRPCClientError } from '@trpc/client'
import { describe, expect, it } from 'vitest'
import { formErrorsFrom } from './form-errors'
import { isStaleEdit } from './use-edit-form'

function apiError(code: string, fieldErrors: Record<string, string> = {}) {
  return TRPCClientError.from({ error: { message: 'x', code: -32600, data: { code, httpStatus: 409, fieldErrors } } })
}

describe('isStaleEdit', () => {
  it('is a CONFLICT that names no field', () => {
    const err = apiError('CONFLICT')
    expect(isStaleEdit(err, formErrorsFrom(err, ['mail']))).toBe(true)
  })
  it('is not a CONFLICT on a field (e.g. an address already used) nor another error', () => {
    const taken = apiError('CONFLICT', { mail: 'already used' })
    expect(isStaleEdit(taken, formErrorsFrom(taken, ['mail']))).toBe(false)
    const bad = apiError('BAD_REQUEST')
    expect(isStaleEdit(bad, formErrorsFrom(bad, ['mail']))).toBe(false)
  })
})
