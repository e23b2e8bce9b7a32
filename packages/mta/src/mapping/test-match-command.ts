// `imsimta test -match` (Installation Guide, "Configuring SMTP Relay Blocking": checks whether an
// address matches a `$(…/…)` condition): prompts `Pattern: ` then `Target: ` repeatedly and answers
// `Match.` (with the saved wildcards, `  $n = value`) or `No match.`. A blank target asks for a new
// pattern; end of input ends. `-pattern=P` and targets on the command line skip the prompts.
import type { CommandIO } from '../rewrite/test-rewrite-command.js'
import { compilePattern, matchCompiled, type CompiledPattern } from './pattern.js'

export async function runTestMatch(argv: string[], io: CommandIO): Promise<number> {
  let pattern: string | undefined
  const targets: string[] = []
  for (const a of argv) {
    const low = a.toLowerCase()
    if (low === 'test' || low === '-match') continue
    if (low.startsWith('-pattern=')) { pattern = a.slice(9); continue }
    if (low.startsWith('-flags=')) continue
    if (a.startsWith('-')) { io.stderr(`imsimta test: unknown qualifier ${a}\n`); return 64 }
    targets.push(a)
  }
  const flags = new Set([...(argv.find((a) => a.toLowerCase().startsWith('-flags='))?.slice(7) ?? '')].map((c) => c.toUpperCase()))
  const compile = (p: string): CompiledPattern | undefined => {
    try { return compilePattern(p) } catch (e) { io.stdout(`Bad pattern: ${(e as Error).message}\n`); return undefined }
  }
  const show = (c: CompiledPattern, target: string) => {
    const caps = matchCompiled(c, target, flags)
    if (!caps) { io.stdout('No match.\n'); return }
    io.stdout('Match.\n' + caps.map((v, i) => `  $${i} = ${v}\n`).join(''))
  }
  if (pattern !== undefined) {
    const c = compile(pattern)
    if (!c) return 1
    if (targets.length) { for (const t of targets) show(c, t); return 0 }
  }
  for (;;) {
    if (pattern === undefined) {
      const p = await io.prompt('Pattern: ')
      if (p === null) return 0
      if (!p.trim()) continue
      pattern = p.trim()
    }
    const c = compile(pattern)
    if (!c) { pattern = undefined; continue }
    for (;;) {
      const t = await io.prompt('Target: ')
      if (t === null) return 0
      if (!t.trim()) { pattern = undefined; break }
      show(c, t.trim())
    }
  }
}
