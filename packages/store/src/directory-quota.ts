// The quota resolver of a process that has no directory of its own to hand to the store (the `store`
// service, the job controller's in-process ims-ms delivery): spec 03 §4 takes `mailQuota` /
// `mailMsgQuota` (and `mailUserStatus`, the domain totals) from the directory, whether or not
// `store.defaultmailboxquota` is set, so every store that delivers or answers GETQUOTAROOT needs one.
// The directory is opened on first use and shared by the process's callers.
import type { ConfigView, Logger } from '@wren/kernel'
import type { QuotaResolver, QuotaSource } from './types.js'

export interface DirectoryQuotaOptions {
  dataRoot: string
  config: ConfigView
  hostname: string
  logger?: Logger
}

interface QuotaDirectory {
  quotaSource(storeId: string): Promise<QuotaSource | undefined>
  close(): Promise<void>
}

/**
 * A resolver backed by `@wren/directory` (opened lazily on the data root). A directory that cannot be
 * opened makes the lookup fail; the store then fails the operation that needed the limits (delivery
 * stays queued) rather than delivering without them.
 */
export function directoryQuotaResolver(opts: DirectoryQuotaOptions): { resolver: QuotaResolver; close(): Promise<void> } {
  let opening: Promise<QuotaDirectory> | undefined
  let closed = false
  const open = (): Promise<QuotaDirectory> => {
    if (!opening) {
      const p = (async (): Promise<QuotaDirectory> => {
        const { openDirectory } = await import('@wren/directory')
        return openDirectory({ dataRoot: opts.dataRoot, config: opts.config, hostname: opts.hostname, logger: opts.logger })
      })()
      // A failed open is retried on the next lookup (the control database may be coming up).
      p.catch((e: Error) => {
        if (opening === p) opening = undefined
        opts.logger?.error('LDAP', `directory unavailable for quota lookups: ${e.message}`)
      })
      opening = p
    }
    return opening
  }
  return {
    async resolver(userid) {
      if (closed) return undefined
      return (await open()).quotaSource(userid)
    },
    async close() {
      closed = true
      const d = opening
      opening = undefined
      if (d) await d.then((x) => x.close(), () => undefined)
    },
  }
}
