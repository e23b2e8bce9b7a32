import { TRPCClientError } from '@trpc/client'
import { describe, expect, it } from 'vitest'
import { formErrorsFrom } from './form-errors'

function apiError(message: string, code: string, fieldErrors: Record<string, string> = {}) {
  return TRPCClientError.from({ error: { message, code: -32600, data: { code, httpStatus: 400, fieldErrors } } })
}

describe('formErrorsFrom', () => {
  it('puts known fields under their controls, mapping directory attribute names', () => {
    const e = formErrorsFrom(apiError('address taken', 'CONFLICT', { mailAlternateAddress: 'address a@x is already used' }), ['aliases', 'mail'], { mailAlternateAddress: 'aliases' })
    expect(e).toEqual({ fields: { aliases: 'address a@x is already used' }, form: [], code: 'CONFLICT' })
  })
  it('sends unknown fields and field-less errors to the summary', () => {
    expect(formErrorsFrom(apiError('bad', 'BAD_REQUEST', { preferredLanguage: 'invalid' }), ['mail']).form).toEqual(['preferredLanguage: invalid'])
    expect(formErrorsFrom(apiError('changed by someone else since you opened it', 'CONFLICT'), ['mail'])).toEqual({
      fields: {},
      form: ['changed by someone else since you opened it'],
      code: 'CONFLICT',
    })
  })
  it('makes zod issue lists readable', () => {
    const msg = JSON.stringify([{ path: ['uid'], message: 'enter a user id' }])
    expect(formErrorsFrom(new Error(msg)).form).toEqual(['uid: enter a user id'])
  })
})
