// The mapping file format (spec 01 §12; `msconfig edit mappings`): a table name starting in
// column 1, then its entries indented by white space, `pattern template` separated by white space
// (a literal space inside a pattern or template is written `$ `). `!` starts a comment line; a
// trailing `\` continues the entry on the next line. A blank line or the next name ends a table.
import type { MappingEntry, MappingTable } from './types.js'

/** Split one entry line at the first white space that is not quoted by `$`. */
export function splitEntry(line: string): MappingEntry | undefined {
  const s = line.trim()
  if (!s) return undefined
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '$') { i++; continue }
    if (s[i] === ' ' || s[i] === '\t') {
      return { pattern: s.slice(0, i), template: s.slice(i).trim() }
    }
  }
  return { pattern: s, template: '' }
}

function joinContinuations(text: string): string[] {
  const out: string[] = []
  let pending: string | undefined
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+$/, '')
    if (pending !== undefined) {
      const next = line.replace(/^\s+/, '')
      pending += next
    } else {
      pending = line
    }
    if (pending.endsWith('\\') && !pending.endsWith('$\\')) {
      pending = pending.slice(0, -1)
      continue
    }
    out.push(pending)
    pending = undefined
  }
  if (pending !== undefined) out.push(pending)
  return out
}

/** Parse a whole mapping file into tables (later tables with the same name are merged). */
export function parseMappingText(text: string): MappingTable[] {
  const tables: MappingTable[] = []
  const byName = new Map<string, MappingTable>()
  let current: MappingTable | undefined
  for (const line of joinContinuations(text)) {
    if (!line.trim()) { current = undefined; continue }
    if (/^\s*!/.test(line)) continue
    if (!/^\s/.test(line)) {
      const name = line.trim().toUpperCase()
      current = byName.get(name)
      if (!current) {
        current = { name, entries: [] }
        byName.set(name, current)
        tables.push(current)
      }
      continue
    }
    if (!current) continue // an entry outside any table is ignored, as the product does
    const e = splitEntry(line)
    if (e) current.entries.push(e)
  }
  return tables
}

/**
 * A table from option values (`mapping:<TABLE>.rule`): each value is one `pattern template` line;
 * a single string may also hold several lines. Comment lines (`!`) are skipped.
 */
export function tableFromLines(name: string, lines: string | string[]): MappingTable {
  const all = Array.isArray(lines) ? lines : [lines]
  const entries: MappingEntry[] = []
  for (const chunk of all) {
    for (const line of joinContinuations(chunk)) {
      if (!line.trim() || /^\s*!/.test(line)) continue
      const e = splitEntry(line)
      if (e) entries.push(e)
    }
  }
  return { name: name.toUpperCase(), entries }
}

/** Write a table back in the mapping file format. */
export function formatMappingTable(t: MappingTable): string {
  const width = Math.max(0, ...t.entries.map((e) => e.pattern.length))
  return [t.name, ...t.entries.map((e) => `  ${e.pattern.padEnd(width)}  ${e.template}`.replace(/\s+$/, ''))].join('\n') + '\n'
}
