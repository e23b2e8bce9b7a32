// `imsimta cnbuild` (spec 01 §1 "Compiled config"; Installation Guide, "Configuring SMTP Relay
// Blocking": run it after changing a mapping table). The product compiles its configuration into an
// image the MTA loads; Wren's MTA reads the unified configuration live (a running daemon picks up a
// change on reload, `msconfig` triggers one), so there is no image to write. What an administrator
// relies on cnbuild for is kept: every rewrite rule, channel block and mapping table is parsed and
// compiled exactly as the MTA will, and errors are reported with their location before they matter.
import type { ConfigView } from '@wren/kernel'
import { mappingTablesFromConfig } from '@wren/mta/mapping/defaults'
import { compilePattern } from '@wren/mta/mapping/pattern'
import { compileTemplate } from '@wren/mta/mapping/template'
import { rewriteRulesFromConfig, validateRewriteRule } from '@wren/mta/rewrite/rewrite'
import { channelsFromConfig } from '@wren/mta/channels/channels'

export interface CnbuildReport {
  errors: string[]
  warnings: string[]
  rules: number
  channels: number
  tables: number
  entries: number
}

/** Compiles the MTA's configuration as the dispatcher and job controller would, collecting problems. */
export function checkMtaConfiguration(config: ConfigView, hostname: string): CnbuildReport {
  const errors: string[] = []
  const warnings: string[] = []
  const channels = channelsFromConfig(config, { hostname })
  const rules = rewriteRulesFromConfig(config)
  rules.forEach((r, i) => {
    // spec 01 §9: a rule is `pattern template`; a template routes with `…@channel-tag`, or is `$?`/`$E`-style.
    // Rules the MTA would skip as invalid (no template, empty channel tag) are errors.
    const invalid = validateRewriteRule(r)
    if (invalid) errors.push(`rewrite.rule line ${i + 1} (${r.pattern}): ${invalid}`)
    else if (!r.template.includes('@') && !/^\$[?EeFfRr]/.test(r.template)) warnings.push(`rewrite.rule line ${i + 1} (${r.pattern}): template ${r.template} names no channel tag`)
  })
  const tables = mappingTablesFromConfig(config)
  const names = new Set(tables.map((t) => t.name.toUpperCase()))
  let entries = 0
  for (const t of tables) {
    t.entries.forEach((e, i) => {
      entries++
      const where = `mapping:${t.name} entry ${i + 1} (${e.pattern})`
      try { compilePattern(e.pattern) } catch (err) { errors.push(`${where}: bad pattern: ${(err as Error).message}`) }
      try { compileTemplate(e.template) } catch (err) { errors.push(`${where}: bad template ${e.template}: ${(err as Error).message}`) }
      // `$|TABLE;probe|` nested lookups (spec 01 §12) must name a table that exists
      for (const m of e.template.matchAll(/\$\|([^;|]+);/g)) {
        if (!names.has(m[1].toUpperCase())) errors.push(`${where}: nested lookup of an undefined table ${m[1]}`)
      }
    })
  }
  return { errors, warnings, rules: rules.length, channels: channels.names().length, tables: tables.length, entries }
}
