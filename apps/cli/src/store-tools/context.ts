// What the store tools share: the data root (`WREN_DATA`, default `./data`, relative to the cwd),
// the effective configuration (`@wren/config`), the directory (quota attributes) and the store,
// opened directly on the data root as the product's tools do (the store is multi-process safe).
import { resolve } from 'node:path'
import type { ConfigView } from '@wren/kernel'
import { openConfig } from '@wren/config'
import { openDirectory, type Directory } from '@wren/directory'
import { openStore, type MailStore } from '@wren/store'
import type { CliIO } from '../io.js'

export function dataRootOf(io: CliIO): string {
  return resolve(io.cwd, io.env.WREN_DATA || './data')
}

export interface ToolContext {
  dataRoot: string
  config: ConfigView
  /** The directory (quota attributes, domains); undefined when it could not be opened. */
  directory: Directory | undefined
  store: MailStore
  close(): Promise<void>
}

/**
 * Opens everything a store tool needs; the caller must `close()`. `directory: true` opens the
 * directory too (quota limits come from `mailQuota` / `mailMsgQuota`); a directory that cannot be
 * opened is reported on stderr and the tool goes on with the store's defaults.
 */
export async function openToolContext(io: CliIO, tool: string, opts: { directory?: boolean } = {}): Promise<ToolContext> {
  const dataRoot = dataRootOf(io)
  const cfg = await openConfig(dataRoot)
  const config = cfg.view()
  let directory: Directory | undefined
  if (opts.directory) {
    try {
      directory = await openDirectory({ dataRoot, config })
    } catch (e) {
      io.stderr(`${tool}: directory unavailable (${e instanceof Error ? e.message : String(e)}); using default quotas\n`)
    }
  }
  const store = openStore({
    dataRoot,
    config,
    processName: tool,
    quotaResolver: directory ? (userid) => directory.quotaSource(userid) : undefined,
  })
  return {
    dataRoot, config, directory, store,
    async close() {
      store.close()
      await directory?.close()
      await cfg.close()
    },
  }
}

/** `user/<userid>/<folder>` → parts; `user/joe` alone means INBOX (spec 03 §1). */
export function parseMailboxName(name: string): { owner: string; folder: string } | undefined {
  const m = /^user\/([^/]+)(?:\/(.+))?$/.exec(name)
  if (!m) return undefined
  return { owner: m[1]!, folder: m[2] ?? 'INBOX' }
}

/** Prints a tool error in the product's `tool: text` form. */
export function fail(io: CliIO, tool: string, text: string, code = 1): number {
  io.stderr(`${tool}: ${text}\n`)
  return code
}
