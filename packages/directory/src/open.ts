// openDirectory: the Directory for a data root, with the provider chosen by configuration
// (options.ts: `base.directory.provider`, else ldap when `base.ugldaphost` is set, else embedded).
import type { ConfigView, Logger } from '@wren/kernel'
import { openControlDb, recordAudit, type ControlDb } from '@wren/db'
import type { Directory } from './types.js'
import { DirectoryService } from './directory.js'
import { EmbeddedBackend } from './embedded.js'
import { LdapBackend } from './ldap/backend.js'
import { Schema2Layout } from './dn.js'
import { readSettings } from './options.js'

export interface OpenDirectoryOptions {
  dataRoot: string
  config: ConfigView
  /** An open control-plane database to share; opened (and closed with the directory) otherwise. */
  db?: ControlDb
  logger?: Logger
  /** This host's name (ServiceContext.hostname); default `base.hostname`, then the OS host name. */
  hostname?: string
}

export async function openDirectory(opts: OpenDirectoryOptions): Promise<DirectoryService & Directory> {
  const s = readSettings(opts.config, { hostname: opts.hostname })
  const owned = !opts.db
  const db = opts.db ?? (await openControlDb(opts.dataRoot))
  const closeDb = owned ? () => db.close() : undefined
  const backend =
    s.provider === 'ldap'
      ? new LdapBackend({
          ...s.ldap,
          size: s.ldap.poolSize,
          onHostDown: (url, reason) => opts.logger?.error('LDAP', `LDAP server ${url} failed (${reason}); trying the next base.ugldaphost entry`),
        })
      : new EmbeddedBackend(db.prisma, new Schema2Layout(s.ldap.basedn), closeDb)
  const dir = new DirectoryService({
    backend,
    defaultDomain: s.defaultDomain,
    hostname: s.hostname,
    cacheTtlMs: s.cacheTtlMs,
    cacheSize: s.cacheSize,
    logger: opts.logger,
    audit: (entry) => recordAudit(db.prisma, entry),
  })
  if (s.provider === 'ldap' && closeDb) {
    const close = dir.close.bind(dir)
    dir.close = async () => { await close(); await closeDb() }
  }
  return dir
}
