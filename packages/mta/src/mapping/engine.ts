// The mapping-table evaluator (spec 01 §12). Entries are tried in order; the first whose pattern
// matches and whose template does not fail gives the result. `$C` continues with the output as the
// new probe at the next entry, `$R` restarts the table with it, `$E` (or no `$C`/`$R`) ends.
import { compilePattern, matchCompiled, type CompiledPattern } from './pattern.js'
import { compileTemplate, evaluateTemplate, type TemplateToken } from './template.js'
import type { InputFlags, MappingResult, MappingTable } from './types.js'

interface CompiledEntry {
  pattern: CompiledPattern
  template: TemplateToken[]
}

/** Nesting limit for `$|TABLE;…|` and restart limit for `$R` (loop protection). */
const MAX_DEPTH = 10
const MAX_RESTARTS = 64

export const NO_MATCH: MappingResult = Object.freeze({
  matched: false, output: '', flags: '', accept: false, reject: false, text: '',
}) as MappingResult

export function toFlagSet(flags: InputFlags | undefined): Set<string> {
  if (!flags) return new Set()
  const list = typeof flags === 'string' ? [...flags] : [...flags]
  return new Set(list.map((f) => f.toUpperCase()))
}

/** Turn the raw output + flags of the final entry into a MappingResult. */
export function finishResult(output: string, flags: Set<string>): MappingResult {
  let text = output
  let enhancedCode: string | undefined
  if (flags.has('X')) {
    // `$X4.5.1|`: the enhanced status code is the leading |-terminated field of the output.
    const bar = text.indexOf('|')
    if (bar >= 0) {
      enhancedCode = text.slice(0, bar).trim()
      text = text.slice(bar + 1)
    }
  }
  let smtpCode: number | undefined
  const m = /^([2-5]\d\d)(?:\s+|$)(.*)$/s.exec(text)
  if (m) {
    smtpCode = Number(m[1])
    text = m[2]!
  }
  const reject = flags.has('N') || flags.has('F')
  return {
    matched: true,
    output,
    flags: [...flags].join(''),
    accept: !reject,
    reject,
    text,
    ...(enhancedCode ? { enhancedCode } : {}),
    ...(smtpCode !== undefined ? { smtpCode } : {}),
  }
}

export class MappingEngine {
  private readonly tables = new Map<string, MappingTable>()
  private readonly compiled = new Map<string, Array<CompiledEntry | undefined>>()
  /** Entries that could not be compiled (`TABLE: pattern template: error`); they never match. */
  readonly errors: string[] = []

  constructor(tables: Iterable<MappingTable> = []) {
    for (const t of tables) this.setTable(t)
  }

  setTable(t: MappingTable): void {
    const name = t.name.toUpperCase()
    this.tables.set(name, { name, entries: t.entries })
    this.compiled.delete(name)
  }

  getTable(name: string): MappingTable | undefined {
    return this.tables.get(name.toUpperCase())
  }

  tableNames(): string[] {
    return [...this.tables.keys()]
  }

  hasTable(name: string): boolean {
    return this.tables.has(name.toUpperCase())
  }

  private entries(name: string): Array<CompiledEntry | undefined> {
    let c = this.compiled.get(name)
    if (c) return c
    const t = this.tables.get(name)
    c = (t?.entries ?? []).map((e) => {
      try {
        return { pattern: compilePattern(e.pattern), template: compileTemplate(e.template) }
      } catch (err) {
        this.errors.push(`${name}: ${e.pattern} ${e.template}: ${(err as Error).message}`)
        return undefined
      }
    })
    this.compiled.set(name, c)
    return c
  }

  /** Evaluate `probe` against table `table` with the given input flags (`'A'`, `'ST'`, …). */
  async lookup(table: string, probe: string, flags?: InputFlags): Promise<MappingResult> {
    return this.run(table.toUpperCase(), probe, toFlagSet(flags), 0)
  }

  private async run(name: string, probe: string, flags: Set<string>, depth: number): Promise<MappingResult> {
    if (depth > MAX_DEPTH || !this.tables.has(name)) return NO_MATCH
    const entries = this.entries(name)
    let current = probe
    let last: { output: string; flags: Set<string> } | undefined
    let restarts = 0
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]
      if (!e) continue
      const caps = matchCompiled(e.pattern, current, flags)
      if (!caps) continue
      const r = await evaluateTemplate(e.template, {
        caps, flags, table: name, probe: current,
        nested: async (t, p) => {
          const sub = await this.run(t.toUpperCase(), p, flags, depth + 1)
          return sub.matched && !sub.reject ? sub.output : undefined
        },
      })
      if (!r) continue
      last = r
      if (r.flags.has('E')) break
      if (r.flags.has('R') && restarts < MAX_RESTARTS) {
        restarts++
        current = r.output
        i = -1
        continue
      }
      if (r.flags.has('C')) { current = r.output; continue }
      break
    }
    return last ? finishResult(last.output, last.flags) : NO_MATCH
  }
}
