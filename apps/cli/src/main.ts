// Entry point of Wren's command-line tools. `bin/<tool>` links to bin/wren-cli, which runs
// this file with the tool's name first: `main.ts msconfig show imap.*`.
// Each tool is a module apps/cli/src/commands/<tool>.ts exporting `run(argv, io): Promise<number>`.
// Exit codes (decisions.md): 0 ok, 1 error, 64 usage.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import { processIO, type CliIO } from './io.js'

export interface CommandModule {
  run(argv: string[], io: CliIO): Promise<number>
}

const here = dirname(fileURLToPath(import.meta.url))

export async function runTool(tool: string, argv: string[], io: CliIO): Promise<number> {
  if (!/^[a-z][a-z0-9_-]*$/i.test(tool) || !existsSync(join(here, 'commands', `${tool}.ts`))) {
    io.stderr(`wren: unknown command '${tool}'\n`)
    return 64
  }
  const mod = (await import(`./commands/${tool}.ts`)) as CommandModule
  return mod.run(argv, io)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [tool = '', ...argv] = process.argv.slice(2)
  runTool(tool, argv, processIO())
    .then((code) => process.exit(code))
    .catch((err: unknown) => {
      process.stderr.write(`${tool}: ${err instanceof Error ? err.message : String(err)}\n`)
      process.exit(1)
    })
}
