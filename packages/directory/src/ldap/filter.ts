// Search templates: `%d` domain, `%u` uid, `%g` group cn, `%s` address, each value escaped per
// RFC 4515 §3 (`*`, `(`, `)`, `\`, NUL → `\2a`, `\28`, `\29`, `\5c`, `\00`).
export function escapeFilter(value: string): string {
  return value.replace(/[*()\\\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

export function fillTemplate(template: string, vars: Record<string, string>): string {
  return template.replace(/%([a-z%])/g, (m, k: string) => (k === '%' ? '%' : vars[k] !== undefined ? escapeFilter(vars[k]!) : m))
}
