// Registry of built-in callout routines for `$[library,routine,args…]` (spec 01 §12, §17).
// The product loads shared libraries (`IMTA_LIB:check_metermaid.so`); Wren dispatches on the
// library's base name instead: `IMTA_LIB:check_metermaid.so` and `/opt/…/lib/check_metermaid.so`
// both reach the routine registered as `check_metermaid`. Later issues register theirs
// (MeterMaid registers `check_metermaid`).
import type { CalloutFn } from './types.js'

const registry = new Map<string, CalloutFn>()

/** Reduce a library reference to its registry name: strip `IMTA_LIB:`, directories and `.so`/`.dll`. */
export function calloutName(library: string): string {
  let s = library.trim()
  const colon = s.lastIndexOf(':')
  if (colon >= 0) s = s.slice(colon + 1)
  s = s.slice(s.lastIndexOf('/') + 1).trim()
  return s.replace(/\.(so|dll|dylib)$/i, '').toLowerCase()
}

/** Register (or replace) a callout library. Returns a function that removes it again. */
export function registerCallout(name: string, fn: CalloutFn): () => void {
  const key = calloutName(name)
  registry.set(key, fn)
  return () => {
    if (registry.get(key) === fn) registry.delete(key)
  }
}

export function unregisterCallout(name: string): void {
  registry.delete(calloutName(name))
}

export function findCallout(library: string): CalloutFn | undefined {
  return registry.get(calloutName(library))
}
