// Builds the transport's collaborators from a ServiceContext: policy (rewrite rules + mapping tables), directory (ctx.lookup('directory') at integration),
// mail.log, TLS material. Tests inject their own through `overrides`.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ServiceContext } from '@wren/kernel'
import { createPolicy } from './policy.js'
import { policyPort } from './policy-adapter.js'
import type { MtaPolicy, RecipientDirectory, TransportLog } from './ports.js'
import { staticDirectory } from './ports.js'
import { fileTransportLog } from './transport-log.js'
import { mailLogPort } from './maillog-adapter.js'
import { openMailLog, type MailLog } from './maillog/writer.js'
import { openDirectory, type Directory } from '@wren/directory'
import { directoryPort } from './directory-adapter.js'

export interface TransportRuntime {
  policy: MtaPolicy
  directory: RecipientDirectory
  log: TransportLog
  tls?: { key: Buffer; cert: Buffer }
}

/** Every mail.log a runtime of this process opened (dispatcher, job controller): `reloadLogOptions`. */
const runtimeLogs = new Set<MailLog>()

/**
 * Re-reads the LOG_* options (`mta.log_connection`, `mta.log_format`, …) of every mail.log this
 * process opened through buildRuntime, from the configuration it was opened with: a service's
 * `refresh` calls it, so that `msconfig set mta.log_connection 3` applies without a restart.
 */
export function reloadLogOptions(): void {
  for (const l of runtimeLogs) l.reloadOptions()
}

export type RuntimeOverrides = Partial<TransportRuntime>

export function localDomains(ctx: Pick<ServiceContext, 'config' | 'hostname'>): string[] {
  const d = ctx.config.find<string>('base.defaultdomain') ?? ctx.config.find<string>('service.defaultdomain')
  const extra = ctx.config.find('mta.local_domains')
  const list = [d, ctx.hostname, ...(Array.isArray(extra) ? extra : typeof extra === 'string' ? extra.split(/[\s,]+/) : [])]
  return [...new Set(list.filter((x): x is string => Boolean(x)).map((x) => x.toLowerCase()))]
}

export function loadTls(dataRoot: string): { key: Buffer; cert: Buffer } | undefined {
  const key = join(dataRoot, 'tls', 'server.key'), cert = join(dataRoot, 'tls', 'server.crt')
  if (!existsSync(key) || !existsSync(cert)) return undefined
  return { key: readFileSync(key), cert: readFileSync(cert) }
}

/**
 * The policy every MTA process (dispatcher, job controller, imsimta, sendmail) uses: the rewrite rules,
 * channel definitions and mapping tables of the unified configuration (policy.ts). Relay-allowed
 * networks are the `mapping:INTERNAL_IP.rule` table, as in the product (spec 04 B.8).
 */
export function defaultPolicy(ctx: Pick<ServiceContext, 'config' | 'hostname'>): MtaPolicy {
  return policyPort(createPolicy({ config: ctx.config, hostname: ctx.hostname, localDomains: localDomains(ctx) }))
}

/** Opens the directory for this process: in-process service first, else @wren/directory on the data root. */
async function openDirectoryPort(ctx: ServiceContext): Promise<{ port: RecipientDirectory; close?: () => Promise<void> } | undefined> {
  const inProc = ctx.lookup<Directory>('directory')
  if (inProc) return { port: directoryPort(inProc) }
  try {
    const dir = await openDirectory({ dataRoot: ctx.dataRoot, config: ctx.config, hostname: ctx.hostname, logger: ctx.logger('directory') })
    return { port: directoryPort(dir), close: () => dir.close() }
  } catch (e) {
    ctx.logger('dispatcher').error('LDAP', `directory unavailable: ${(e as Error).message}`)
    return undefined
  }
}

export async function buildRuntime(ctx: ServiceContext, overrides: RuntimeOverrides = {}): Promise<TransportRuntime & { close(): Promise<void> }> {
  const policy = overrides.policy ?? ctx.lookup<MtaPolicy>('mta-policy') ?? defaultPolicy(ctx)
  const opened = overrides.directory ? undefined : await openDirectoryPort(ctx)
  const directory = overrides.directory ?? opened?.port ?? staticDirectory({})
  // H6's MailLog (LOG_FORMAT, LOG_* options, connection.log); the plain writer if it cannot open.
  let log = overrides.log
  let mailLog: MailLog | undefined
  if (!log) {
    try { mailLog = openMailLog({ dataRoot: ctx.dataRoot, config: ctx.config }); log = mailLogPort(mailLog) } catch { log = fileTransportLog(ctx.dataRoot) }
  }
  // A configuration refresh re-reads the LOG_* options (also when the service runs in the daemon's
  // process, where no `refresh` reaches it: the view's onChange does).
  let unsubscribe: (() => void) | undefined
  if (mailLog) {
    const ml = mailLog
    runtimeLogs.add(ml)
    unsubscribe = ctx.config.onChange(() => ml.reloadOptions())
  }
  return {
    policy, directory, log, tls: overrides.tls ?? loadTls(ctx.dataRoot),
    async close() {
      unsubscribe?.()
      if (mailLog) runtimeLogs.delete(mailLog)
      await log.close?.(); await opened?.close?.()
    },
  }
}
