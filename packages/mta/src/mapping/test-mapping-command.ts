// `imsimta test -mapping [-table=NAME] [-flags=AST] [-mapping_file=file] [probe…]` (Admin Guide
// ch. 21 "imsimta test -mapping"): prompts `Enter table name: ` and `Input string: ` and prints
// `Output string: …` and `Output flags: […]` for each probe, as the manual's session shows.
// The product prints flags as numbers (`[0,1,2,89]`, character codes); Wren prints the same
// numeric form: the ASCII codes of the flag letters set ($Y = 89, $N = 78, …).
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { ConfigView } from '@wren/kernel'
import { loadToolConfig } from '../rewrite/load-config.js'
import { mappingTablesFromConfig } from './defaults.js'
import { MappingEngine } from './engine.js'
import { parseMappingText } from './table.js'
import type { CommandIO } from '../rewrite/test-rewrite-command.js'

export interface TestMappingDeps {
  config?: ConfigView
  engine?: MappingEngine
  cwd?: string
}

const USAGE = 'usage: imsimta test -mapping [-table=NAME] [-flags=XYZ] [-mapping_file=file] [probe ...]\n'

export async function runTestMapping(argv: string[], io: CommandIO, deps: TestMappingDeps = {}): Promise<number> {
  let table: string | undefined
  let file: string | undefined
  let flags = ''
  const probes: string[] = []
  for (const a of argv) {
    const low = a.toLowerCase()
    if (low === 'test' || low === '-mapping' || low === '-noimage_file' || low === '-image_file') continue
    if (low.startsWith('-table=')) { table = a.slice(7); continue }
    if (low.startsWith('-mapping_file=')) { file = a.slice(14); continue }
    if (low.startsWith('-flags=')) { flags = a.slice(7); continue }
    if (a.startsWith('-')) { io.stderr(`imsimta test: unknown qualifier ${a}\n${USAGE}`); return 64 }
    probes.push(a)
  }
  let engine = deps.engine
  if (file) {
    try {
      engine = new MappingEngine(parseMappingText(await readFile(resolve(deps.cwd ?? process.cwd(), file), 'utf8')))
    } catch (e) {
      io.stderr(`imsimta test: cannot read mapping file ${file}: ${(e as Error).message}\n`)
      return 1
    }
  }
  if (!engine) {
    const loaded = deps.config ? undefined : await loadToolConfig(io.env, deps.cwd ?? io.cwd ?? process.cwd(), io.stderr, 'imsimta test')
    try {
      engine = new MappingEngine(mappingTablesFromConfig(deps.config ?? loaded!.config))
    } finally {
      await loaded?.close()
    }
  }
  if (!table) {
    const t = await io.prompt('Enter table name: ')
    if (t === null || !t.trim()) return 0
    table = t.trim()
  }
  if (!engine.hasTable(table)) {
    io.stderr(`imsimta test: no mapping table named ${table.toUpperCase()}\n`)
    return 1
  }
  const show = async (probe: string) => {
    const r = await engine!.lookup(table!, probe, flags)
    if (!r.matched) {
      io.stdout(`Input string: ${probe}\n  No match.\n`)
      return
    }
    const codes = [...r.flags].map((f) => f.charCodeAt(0)).sort((a, b) => a - b)
    io.stdout(`Output string: ${r.output}\nOutput flags: [${codes.join(',')}]\n`)
  }
  if (probes.length) {
    for (const p of probes) await show(p)
    return 0
  }
  for (;;) {
    const line = await io.prompt('Input string: ')
    if (line === null) break
    await show(line)
  }
  return 0
}
