// Configuration for the `imsimta test` tools when the caller does not pass one: the unified
// configuration of the data root (`$WREN_DATA`, default ./data), read the way configutil reads it.
// A data root without a configuration is not created: the tools then use the built-in defaults
// and say so on stderr.
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { staticConfigView, type ConfigView } from '@wren/kernel'

export interface LoadedConfig {
  config: ConfigView
  close(): Promise<void>
}

export async function loadToolConfig(env: NodeJS.ProcessEnv, cwd: string, stderr: (t: string) => void, tool: string): Promise<LoadedConfig> {
  const dataRoot = resolve(cwd, env.WREN_DATA || './data')
  if (!existsSync(join(dataRoot, 'db')) && !existsSync(join(dataRoot, 'config'))) {
    stderr(`${tool}: no configuration under ${dataRoot}; using the built-in defaults\n`)
    return { config: staticConfigView({}), close: async () => {} }
  }
  const { openConfig } = await import('@wren/config')
  const svc = await openConfig(dataRoot)
  return { config: svc.view(), close: () => svc.close() }
}
