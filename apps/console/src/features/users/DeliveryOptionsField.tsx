'use client'
import { DELIVERY_OPTIONS } from './fields'

/** mailDeliveryOption checkboxes (multi-valued). */
export function DeliveryOptionsField({
  value,
  onChange,
  error,
  disabled,
}: {
  value: string[]
  onChange: (v: string[]) => void
  error?: string
  disabled?: boolean
}) {
  const toggle = (opt: string, on: boolean) => onChange(on ? [...value, opt] : value.filter((v) => v !== opt))
  return (
    <fieldset id="deliveryOptions" className="flex flex-col gap-2" aria-invalid={error ? true : undefined} aria-describedby={error ? 'deliveryOptions-err' : undefined}>
      <legend className="mb-1 text-xs font-medium">Delivery options</legend>
      <div className="grid gap-2 sm:grid-cols-2">
        {DELIVERY_OPTIONS.map((o) => (
          <label key={o.value} className="flex items-start gap-2 text-sm">
            <input
              type="checkbox"
              className="mt-0.5 size-4 accent-accent"
              checked={value.includes(o.value)}
              disabled={disabled}
              onChange={(e) => toggle(o.value, e.target.checked)}
            />
            <span>{o.label}</span>
          </label>
        ))}
      </div>
      {value.filter((v) => !DELIVERY_OPTIONS.some((o) => o.value === v)).length > 0 && (
        <p className="text-xs text-muted">Other values kept: {value.filter((v) => !DELIVERY_OPTIONS.some((o) => o.value === v)).join(', ')}</p>
      )}
      {error && (
        <p id="deliveryOptions-err" className="text-xs font-medium text-danger">
          {error}
        </p>
      )}
    </fieldset>
  )
}
