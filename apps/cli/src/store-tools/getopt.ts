// POSIX getopt(3)-style parsing, as the product's C tools parse their flags: clustered flags (`-qcp`),
// option arguments attached or separate (`-mtasks`, `-m tasks`), repeatable options (`-g a -g b`),
// `--` ends the options; the first non-option word ends them too (operands follow).

export interface ParsedArgs {
  /** Option letter → values (flags without an argument get `''`), in order of appearance. */
  opts: Map<string, string[]>
  operands: string[]
}

export class UsageError extends Error {}

/** `spec` lists the letters; a letter followed by `:` takes an argument (`"r:m:g:qcp"`). */
export function getopt(argv: readonly string[], spec: string): ParsedArgs {
  const takesArg = new Map<string, boolean>()
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!
    if (c === ':') continue
    takesArg.set(c, spec[i + 1] === ':')
  }
  const opts = new Map<string, string[]>()
  const add = (k: string, v: string) => { const a = opts.get(k); if (a) a.push(v); else opts.set(k, [v]) }
  let i = 0
  for (; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--') { i++; break }
    if (!a.startsWith('-') || a === '-') break
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!
      const needs = takesArg.get(c)
      if (needs === undefined) throw new UsageError(`illegal option -- ${c}`)
      if (!needs) { add(c, ''); continue }
      const rest = a.slice(j + 1)
      if (rest.length) add(c, rest)
      else if (i + 1 < argv.length) add(c, argv[++i]!)
      else throw new UsageError(`option requires an argument -- ${c}`)
      break
    }
  }
  return { opts, operands: argv.slice(i) }
}

export function has(p: ParsedArgs, c: string): boolean {
  return p.opts.has(c)
}

export function last(p: ParsedArgs, c: string): string | undefined {
  const v = p.opts.get(c)
  return v ? v[v.length - 1] : undefined
}

export function all(p: ParsedArgs, c: string): string[] {
  return p.opts.get(c) ?? []
}
