// `-E encoding` of the store tools (spec 03 §1): folder names are modified UTF-7 by default;
// "M-UTF-7"/"MUTF-7" and "UTF-8" are accepted; UTF-16 and UTF-32 are not supported.
import { mutf7Decode, mutf7Encode } from '@wren/store'

export type NameEncoding = 'mutf7' | 'utf8'

export function checkEncoding(e: string | undefined): { ok: true; encoding: NameEncoding } | { ok: false; error: string } {
  if (e === undefined) return { ok: true, encoding: 'mutf7' }
  const n = e.toUpperCase().replace(/[^A-Z0-9]/g, '')
  if (n === 'MUTF7' || n === 'UTF7IMAP') return { ok: true, encoding: 'mutf7' }
  if (n === 'UTF8') return { ok: true, encoding: 'utf8' }
  return { ok: false, error: `unsupported encoding ${e}` }
}

/** A name typed by the administrator → the store's UTF-8 form. */
export function decodeName(name: string, enc: NameEncoding): string {
  return enc === 'mutf7' ? mutf7Decode(name) ?? name : name
}

/** A store name → the tool's output form. */
export function encodeName(name: string, enc: NameEncoding): string {
  return enc === 'mutf7' ? mutf7Encode(name) : name
}
