'use client'
// The value control for one option, by its type (packages/config registry types): bool → 1/0,
// enum → its values, numbers → a numeric text box (the server checks range and syntax), list →
// one entry per line, password → a password box that starts empty (the value is never sent to
// the browser).
import { Select } from '@/components/ui/Select'
import { TextArea, TextField } from '@/components/ui/TextField'

export interface OptionMeta {
  name: string
  type: string
  password?: boolean
  enumValues?: string[] | null
}

/** What the administrator typed, as the API takes it. */
export function toApiValue(meta: OptionMeta, text: string): string | boolean | string[] {
  if (meta.type === 'bool') return text === '1'
  if (meta.type === 'list') return text.split(/[\n,]+/).map((s) => s.trim()).filter(Boolean)
  return text
}

/** The current value as the control's text. */
export function toText(meta: OptionMeta, value: unknown): string {
  if (meta.password) return ''
  if (value === null || value === undefined) return ''
  if (typeof value === 'boolean') return value ? '1' : '0'
  if (Array.isArray(value)) return value.join('\n')
  return String(value)
}

export function OptionInput({
  meta,
  id,
  value,
  onChange,
  error,
}: {
  meta: OptionMeta
  id: string
  value: string
  onChange: (v: string) => void
  error?: string
}) {
  if (meta.type === 'bool') {
    return (
      <Select
        id={id}
        label="Value"
        value={value || '0'}
        onChange={(e) => onChange(e.target.value)}
        error={error}
        options={[
          { value: '1', label: '1 (on)' },
          { value: '0', label: '0 (off)' },
        ]}
      />
    )
  }
  if (meta.type === 'enum' && meta.enumValues?.length) {
    const opts = meta.enumValues.map((v) => ({ value: v, label: v }))
    if (!meta.enumValues.includes(value)) opts.unshift({ value, label: value || '(not set)' })
    return <Select id={id} label="Value" value={value} onChange={(e) => onChange(e.target.value)} error={error} options={opts} />
  }
  if (meta.type === 'list') {
    return (
      <TextArea
        id={id}
        label="Values"
        description="One value per line."
        value={value}
        rows={5}
        onChange={(e) => onChange(e.target.value)}
        error={error}
      />
    )
  }
  const numeric = meta.type === 'int' || meta.type === 'uint' || meta.type === 'tcpport'
  return (
    <TextField
      id={id}
      label="Value"
      type={meta.password ? 'password' : 'text'}
      inputMode={numeric ? 'numeric' : undefined}
      autoComplete={meta.password ? 'new-password' : 'off'}
      placeholder={meta.password ? 'New password (the current one is never shown)' : undefined}
      description={numeric ? (meta.type === 'tcpport' ? 'A TCP port, 0-65535.' : meta.type === 'uint' ? 'A whole number, 0 or more.' : 'A whole number.') : undefined}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={error}
      className={meta.password ? undefined : 'font-mono'}
    />
  )
}
