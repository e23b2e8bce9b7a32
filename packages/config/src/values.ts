// Option value syntax: parsing what an administrator typed into typed values, and showing them back
// (msconfig shows booleans as 1/0; configutil as yes/no — spec 04 A.1 `-m` sample).
import type { OptionValue } from '@wren/kernel'
import type { OptionMatch, OptionSpec } from './registry/types.js'
import { ConfigError } from './registry/errors.js'

const TRUE = new Set(['1', 'yes', 'true', 'on', 'enabled'])
const FALSE = new Set(['0', 'no', 'false', 'off', 'disabled'])

/** Parses one value of an option (for multi-valued options: one entry). */
export function parseValue(match: Pick<OptionMatch, 'spec' | 'name'>, raw: string): OptionValue {
  const { spec, name } = match
  const text = raw.trim()
  const fail = (why: string): never => {
    throw new ConfigError('type', `${name}: ${why}`)
  }
  switch (spec.type) {
    case 'bool': {
      const t = text.toLowerCase()
      if (TRUE.has(t)) return true
      if (FALSE.has(t)) return false
      return fail(`"${raw}" is not a boolean (use 1 or 0)`)
    }
    case 'int':
    case 'uint':
    case 'tcpport': {
      if (!/^[-+]?\d+$/.test(text)) return fail(`"${raw}" is not ${spec.type === 'int' ? 'an integer' : spec.type === 'uint' ? 'an unsigned integer' : 'a TCP port number'}`)
      const n = Number(text)
      if (!Number.isSafeInteger(n)) return fail(`${raw} is out of range`)
      if (spec.type !== 'int' && n < 0) return fail(`${raw} is negative; ${spec.type} values are >= 0`)
      if (spec.type === 'tcpport' && n > 65535) return fail(`${raw} is not a TCP port (0-65535)`)
      if (spec.min !== undefined && n < spec.min) return fail(`${raw} is below the minimum ${spec.min}`)
      if (spec.max !== undefined && n > spec.max) return fail(`${raw} is above the maximum ${spec.max}`)
      return n
    }
    case 'enum': {
      const v = spec.values?.find((x) => x.toLowerCase() === text.toLowerCase())
      if (v === undefined) return fail(`"${raw}" is not one of ${spec.values?.join(', ')}`)
      return v
    }
    case 'list':
      return text.split(/[\s,]+/).filter(Boolean)
    case 'filepath':
      if (text.includes('\0')) return fail('a file path cannot contain NUL')
      return text
    case 'string':
      return raw
  }
}

/** Checks a typed value (from the API or an import) and normalises it. */
export function coerceValue(match: Pick<OptionMatch, 'spec' | 'name'>, value: OptionValue): OptionValue {
  if (Array.isArray(value)) {
    if (match.spec.type === 'list') return value.map(String)
    throw new ConfigError('type', `${match.name}: a list was given but the option is ${match.spec.type}`)
  }
  if (typeof value === 'boolean') {
    if (match.spec.type !== 'bool') return parseValue(match, value ? '1' : '0')
    return value
  }
  return parseValue(match, String(value))
}

/** msconfig's display of a value. */
export function showValue(spec: OptionSpec, value: OptionValue): string {
  if (spec.password) return '********'
  if (typeof value === 'boolean') return value ? '1' : '0'
  if (Array.isArray(value)) return value.join(' ')
  return String(value)
}

/** configutil's display: yes/no booleans, quoted strings with spaces (`"%h %p service (%P %V)"`). */
export function legacyValue(spec: OptionSpec, value: OptionValue): string {
  if (spec.password) return '********'
  if (typeof value === 'boolean') return value ? 'yes' : 'no'
  if (Array.isArray(value)) return value.join(' ')
  const s = String(value)
  return typeof value === 'string' && /\s/.test(s) ? `"${s}"` : s
}

/** Value stored in config.xml `v` attributes. */
export function xmlValue(value: OptionValue): string {
  if (typeof value === 'boolean') return value ? '1' : '0'
  if (Array.isArray(value)) return value.join(' ')
  return String(value)
}
