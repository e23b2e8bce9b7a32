'use client'
import { humanMessage } from '@/lib/form-errors'
import { errorCode } from '@/lib/trpc'
import { Button } from './Button'

/** A failed load: what went wrong and a retry button (not offered for FORBIDDEN / NOT_FOUND). */
export function ErrorState({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  const code = errorCode(error)
  const heading =
    title ?? (code === 'FORBIDDEN' ? 'You are not allowed to see this' : code === 'NOT_FOUND' ? 'Not found' : 'Could not load this')
  const retryable = code !== 'FORBIDDEN' && code !== 'NOT_FOUND'
  return (
    <div role="alert" className="flex flex-col items-center gap-2 px-6 py-10 text-center">
      <p className="text-base font-semibold text-danger">{heading}</p>
      <p className="max-w-lg text-sm text-muted">{humanMessage(error)}</p>
      {onRetry && retryable && (
        <Button className="mt-2" onClick={onRetry}>
          Retry
        </Button>
      )}
    </div>
  )
}
