/** A dynamic route segment as text (Next may hand it over still percent-encoded). */
export function segment(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}
