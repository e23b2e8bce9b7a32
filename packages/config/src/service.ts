// ConfigService: the unified configuration of a data root (spec 01 §1). The current configuration is the
// newest ConfigVersion in the control-plane database; passwords live apart in ConfigSecret. Every write is
// a new version (author, time, remark, field diff), an AuditEvent, and a fresh export of
// config/config.xml (0640) and config/xpass.xml (0600). The last base.config.maxversions (100) are kept.
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { userInfo } from 'node:os'
import type { OptionValue } from '@wren/kernel'
import { recordAudit, type PrismaClient } from '@wren/db'
import { serializeWrites, withControlDb } from './shared-db.js'
import { defaultRegistry, type Registry } from './registry/registry.js'
import type { OptionMatch, Scope } from './registry/types.js'
import { ConfigError } from './registry/errors.js'
import { coerceValue, parseValue } from './values.js'
import { LiveConfigView } from './view.js'
import { diffSettings, fromObject, parseKey, settingKey, splitScope, toObject, SCOPES, type FieldChange, type Settings } from './settings.js'
import { fromConfigXml, toConfigXml, toXpassXml, type Annotation } from './xml.js'
import { initialSettings, INITIAL_REMARK } from './factory.js'

export interface Actor {
  /** OS user (CLI) or console administrator. */
  author?: string
  /** `cli`, `console`, `api`, `configure`. */
  source?: string
  sourceIp?: string
  role?: string
}

export interface WriteOptions extends Actor {
  remark?: string
}

export interface SetOptions {
  /** `role` or `instance`; default: the option's usual scope (msconfig picks it). */
  scope?: Scope
  /** The administrator confirmed setting a restricted option (`set -restricted`). */
  confirmRestricted?: boolean
}

export interface SetResult {
  match: OptionMatch
  key: string
  /** Sibling options removed by this set (`mx` removes `nomx`). */
  removed: string[]
}

export interface VersionInfo {
  id: number
  author: string
  remark: string
  createdAt: Date
  diff: FieldChange[]
  revertOf: number | null
}

export interface WriteResult {
  /** The new version, or null when there was nothing to write. */
  version: number | null
  diff: FieldChange[]
  /** Effective option names whose value changed (what services must apply). */
  changed: string[]
}

type Op =
  | { kind: 'set'; key: string; value: OptionValue }
  | { kind: 'add'; key: string; value: string }
  | { kind: 'unset'; key: string }
  | { kind: 'remove'; key: string; value: string }

const DEFAULT_AUTHOR = () => {
  try {
    return process.env.SUDO_USER || userInfo().username
  } catch {
    return process.env.USER || 'unknown'
  }
}

const normRule = (s: string) => s.trim().replace(/\s+/g, ' ')

export class ConfigService {
  readonly dataRoot: string
  private base: { id: number | null; settings: Settings; secrets: Settings }
  private ops: Op[] = []
  private readonly live: LiveConfigView

  private constructor(
    readonly registry: Registry,
    dataRoot: string,
    base: { id: number | null; settings: Settings; secrets: Settings },
  ) {
    this.dataRoot = resolve(dataRoot)
    this.base = base
    this.live = new LiveConfigView(registry, merge(base.settings, base.secrets))
  }

  static async open(dataRoot: string, registry: Registry = defaultRegistry()): Promise<ConfigService> {
    await ensureInitial(dataRoot, registry)
    const base = await withControlDb(dataRoot, loadCurrent)
    return new ConfigService(registry, dataRoot, base)
  }

  private db<T>(fn: (prisma: PrismaClient) => Promise<T>): Promise<T> {
    return withControlDb(this.dataRoot, fn)
  }

  /** The live view of the effective configuration (kernel ConfigView); `reload()` refreshes it. */
  view(): LiveConfigView {
    return this.live
  }

  /** Current version number (null before any write). */
  get version(): number | null {
    return this.base.id
  }

  /** Re-reads the newest version and the secrets; fires onChange; resolves with the changed names. */
  async reload(): Promise<string[]> {
    this.base = await this.db(loadCurrent)
    return this.live.replace(merge(this.base.settings, this.base.secrets))
  }

  /** Explicit settings of the current version (passwords included) — `scope|name` keys. */
  settings(): Settings {
    return merge(this.base.settings, this.base.secrets)
  }

  /** Explicit settings with the pending (unwritten) changes applied. */
  pendingSettings(): Settings {
    return applyOps(this.settings(), this.ops)
  }

  get dirty(): boolean {
    return this.diff().length > 0
  }

  /** Resolves a typed name (`role.imap.enable`, `imap.enable`, `mm_debug`, `service.imap.port`). */
  resolve(typed: string): { scope?: Scope; match: OptionMatch } {
    const { scope, name } = splitScope(typed)
    const match = this.registry.resolve(name)
    return scope ? { scope, match } : { match }
  }

  /**
   * Stages a change (spec 01 §1 option classes): obsolete options can only be deleted; restricted ones
   * need `confirmRestricted`; values are validated now, so a rejected set changes nothing.
   * For multi-valued options (`rewrite.rule`, `mapping:X.rule`) each set adds one `pattern template` line.
   */
  set(typed: string, value?: OptionValue | string[] | null, opts: SetOptions = {}): SetResult {
    const r = this.resolve(typed)
    const { match } = r
    const spec = match.spec
    if (spec.obsolete) throw new ConfigError('obsolete', `${match.name} is obsolete: it can no longer be set, only deleted (unset ${match.name})`)
    if (spec.restricted && !opts.confirmRestricted) {
      throw new ConfigError('restricted', `${match.name} is a restricted option (RESTRICTED USAGE OPTION): setting it makes the configuration unsupported unless advised by support; confirm with set -restricted`)
    }
    const scope = opts.scope ?? r.scope ?? spec.scope ?? 'role'
    const key = settingKey(scope, match.name)
    const removed: string[] = []
    if (spec.multi) {
      const line = Array.isArray(value) ? value.join(' ') : value === undefined || value === null ? '' : String(value)
      if (!line.trim()) throw new ConfigError('usage', `${match.name} needs a value: pattern template`)
      this.ops.push({ kind: 'add', key, value: line.trim() })
      return { match, key, removed }
    }
    let typedValue: OptionValue
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
      if (spec.type !== 'bool') throw new ConfigError('usage', `${match.name} needs a value (${spec.type})`)
      typedValue = true // `set channel:tcp_local.slave_debug` (spec 01 §1 example)
    } else if (Array.isArray(value)) {
      typedValue = spec.type === 'list' ? value.flatMap((v) => String(v).split(/[\s,]+/)).filter(Boolean) : parseValue(match, value.join(' '))
    } else if (typeof value === 'string') {
      typedValue = parseValue(match, value)
    } else {
      typedValue = coerceValue(match, value)
    }
    this.ops.push({ kind: 'set', key, value: typedValue })
    // Option relationships: setting `mx` removes `nomx`, `randommx`… of the same channel.
    if (spec.excludes?.length) {
      const prefix = match.name.slice(0, match.name.lastIndexOf('.') + 1)
      const current = this.pendingSettings()
      for (const ex of spec.excludes) {
        for (const s of SCOPES) {
          const k = settingKey(s, prefix + ex)
          if (current.has(k)) {
            this.ops.push({ kind: 'unset', key: k })
            removed.push(`${s}.${prefix}${ex}`)
          }
        }
      }
    }
    return { match, key, removed }
  }

  /** Stages removal; for multi-valued options a value removes one line (by whole line or pattern). */
  unset(typed: string, opts: { scope?: Scope; value?: string } = {}): string[] {
    const { scope: typedScope, name } = splitScope(typed)
    // Deleting must work for names the registry no longer knows (and for obsolete options).
    let canonical: string
    let multi = false
    try {
      const m = this.registry.resolve(name)
      canonical = m.name
      multi = !!m.spec.multi
    } catch (err) {
      const current = this.pendingSettings()
      const hit = [...current.keys()].map(parseKey).find((k) => k.name.toLowerCase() === name.toLowerCase())
      if (!hit) throw err
      canonical = hit.name
    }
    const scopes = opts.scope ?? typedScope ? [opts.scope ?? typedScope!] : SCOPES
    const current = this.pendingSettings()
    const removed: string[] = []
    for (const s of scopes) {
      const key = settingKey(s, canonical)
      if (!current.has(key)) continue
      if (multi && opts.value) {
        const lines = current.get(key) as string[]
        const want = normRule(opts.value)
        const hit = lines.find((l) => normRule(l) === want) ?? lines.find((l) => normRule(l).split(' ')[0] === want)
        if (hit === undefined) continue
        this.ops.push({ kind: 'remove', key, value: hit })
        removed.push(`${s}.${canonical} ${hit}`)
      } else {
        this.ops.push({ kind: 'unset', key })
        removed.push(`${s}.${canonical}`)
      }
    }
    if (!removed.length) throw new ConfigError('notfound', `${canonical}${opts.value ? ` "${opts.value}"` : ''} is not set`)
    return removed
  }

  /** Pending changes against the current version (passwords masked). */
  diff(): FieldChange[] {
    return diffSettings(this.settings(), this.pendingSettings(), (k) => this.isSecret(k))
  }

  /** Drops pending changes. */
  discard(): void {
    this.ops = []
  }

  /** Commits pending changes as a new version (rebased on the newest version if another writer won). */
  async write(opts: WriteOptions = {}): Promise<WriteResult> {
    const ops = this.ops
    const result = await this.commit(opts, (current) => applyOps(current, ops), null, opts.remark ?? '')
    this.ops = []
    return result
  }

  /** Restores version `n` as a new version (passwords are not versioned and stay as they are). */
  async revert(n: number, opts: WriteOptions = {}): Promise<WriteResult> {
    const row = await this.db((p) => p.configVersion.findUnique({ where: { id: n } }))
    if (!row) throw new ConfigError('notfound', `no configuration version ${n} (only the last ${this.maxVersions()} are kept; see history)`)
    const target = fromObject(JSON.parse(row.snapshot) as Record<string, OptionValue>)
    return this.commit(opts, (current) => {
      const next: Settings = new Map([...current].filter(([k]) => this.isSecret(k)))
      for (const [k, v] of target) next.set(k, v)
      return next
    }, n, opts.remark ?? `revert to version ${n}`)
  }

  /** Versions, newest first. */
  async history(limit = 100): Promise<VersionInfo[]> {
    const rows = await this.db((p) => p.configVersion.findMany({ orderBy: { id: 'desc' }, take: limit }))
    return rows.map((r) => ({ id: r.id, author: r.author, remark: r.remark, createdAt: r.createdAt, diff: JSON.parse(r.diff) as FieldChange[], revertOf: r.revertOf }))
  }

  /** Field-level differences between two versions (`msconfig differences m n`). */
  async differences(m: number, n: number): Promise<FieldChange[]> {
    const [a, b] = await this.db((p) => Promise.all([m, n].map((id) => p.configVersion.findUnique({ where: { id } }))))
    for (const [id, row] of [[m, a], [n, b]] as const) {
      if (!row) throw new ConfigError('notfound', `no configuration version ${id} (see history)`)
    }
    return diffSettings(fromObject(JSON.parse(a!.snapshot)), fromObject(JSON.parse(b!.snapshot)))
  }

  /** config.xml text of the current configuration (no passwords), annotated from history. */
  async exportXml(): Promise<string> {
    return toConfigXml(this.base.settings, this.registry, await this.annotations())
  }

  /** Writes config/config.xml (0640) and config/xpass.xml (0600) atomically. */
  async exportFiles(): Promise<{ configXml: string; xpassXml: string }> {
    return this.writeFiles(await this.annotations())
  }

  private writeFiles(annotations: Map<string, Annotation>): { configXml: string; xpassXml: string } {
    const dir = join(this.dataRoot, 'config')
    mkdirSync(dir, { recursive: true, mode: 0o750 })
    const configXml = join(dir, 'config.xml')
    const xpassXml = join(dir, 'xpass.xml')
    atomicWrite(configXml, toConfigXml(this.base.settings, this.registry, annotations), 0o640)
    atomicWrite(xpassXml, toXpassXml(this.base.secrets, this.registry), 0o600)
    return { configXml, xpassXml }
  }

  /**
   * Replaces the configuration with a config.xml (and optionally an xpass.xml) as one new version.
   * Every option is validated first; a rejected import changes nothing.
   */
  async importXml(xml: string, opts: WriteOptions & { xpass?: string } = {}): Promise<WriteResult> {
    const imported = fromConfigXml(xml, this.registry)
    const secrets = opts.xpass !== undefined ? fromConfigXml(opts.xpass, this.registry, { base64: true }) : undefined
    return this.commit(opts, (current) => {
      const next: Settings = new Map(imported)
      for (const [k, v] of current) if (this.isSecret(k) && !secrets) next.set(k, v)
      for (const [k, v] of secrets ?? []) next.set(k, v)
      return next
    }, null, opts.remark ?? 'import config.xml')
  }

  /** Nothing stays open between operations (see shared-db.ts); kept for the API's symmetry. */
  async close(): Promise<void> {}

  isSecret(key: string): boolean {
    return !!this.registry.lookup(parseKey(key).name)?.spec.password
  }

  private maxVersions(settings: Settings = this.base.settings): number {
    const v = new LiveConfigView(this.registry, settings).find<number>('base.config.maxversions')
    return typeof v === 'number' && v > 0 ? v : 100
  }

  private async commit(opts: WriteOptions, next: (current: Settings) => Settings, revertOf: number | null, remark: string): Promise<WriteResult> {
    const author = opts.author ?? DEFAULT_AUTHOR()
    const outcome = await serializeWrites(this.dataRoot, () => this.db((prisma) => withBusyRetry(() =>
      prisma.$transaction(async (tx) => {
        const latest = await loadCurrent(tx as unknown as PrismaClient)
        const current = merge(latest.settings, latest.secrets)
        const after = next(current)
        const diff = diffSettings(current, after, (k) => this.isSecret(k))
        if (!diff.length) return { version: null, diff }
        const snapshot = new Map([...after].filter(([k]) => !this.isSecret(k)))
        const row = await tx.configVersion.create({
          data: { author, remark, snapshot: JSON.stringify(toObject(snapshot)), diff: JSON.stringify(diff), revertOf },
        })
        // Passwords: apart from the versions (the product's xpass.xml).
        for (const [k, v] of after) {
          if (this.isSecret(k) && latest.secrets.get(k) !== v) {
            await tx.configSecret.upsert({ where: { name: k }, create: { name: k, value: String(v) }, update: { value: String(v) } })
          }
        }
        for (const k of latest.secrets.keys()) if (!after.has(k)) await tx.configSecret.delete({ where: { name: k } })
        // Graveyard retention: the newest N versions.
        const keep = this.maxVersions(snapshot)
        const cutoff = await tx.configVersion.findMany({ orderBy: { id: 'desc' }, skip: keep, take: 1, select: { id: true } })
        if (cutoff.length) await tx.configVersion.deleteMany({ where: { id: { lte: cutoff[0]!.id } } })
        // The audit record commits with the version (diff values of passwords are already masked).
        await recordAudit(tx as unknown as PrismaClient, {
          actor: author,
          ...(opts.role ? { role: opts.role } : {}),
          action: 'config.write',
          target: revertOf !== null ? `config version ${row.id} (revert to ${revertOf})` : `config version ${row.id}`,
          source: opts.source ?? 'cli',
          ...(opts.sourceIp ? { sourceIp: opts.sourceIp } : {}),
          diff: diff.map((c) => ({ field: c.name, before: c.before, after: c.after })),
        })
        return { version: row.id, diff }
      }),
    ).then(async (o) => ({ ...o, base: await loadCurrent(prisma), annotations: o.version !== null ? await readAnnotations(prisma) : undefined }))))
    this.base = outcome.base
    const changed = this.live.replace(merge(this.base.settings, this.base.secrets))
    if (outcome.annotations) this.writeFiles(outcome.annotations)
    return { version: outcome.version, diff: outcome.diff, changed }
  }

  private async annotations(): Promise<Map<string, Annotation>> {
    return this.db(readAnnotations)
  }
}

/** Opens the unified configuration of a data root (creating the initial configuration on first use). */
export function openConfig(dataRoot: string, registry?: Registry): Promise<ConfigService> {
  return ConfigService.open(dataRoot, registry)
}

/** xauthor/xmtime/xannotation of each setting: the newest retained version that changed it. */
async function readAnnotations(prisma: PrismaClient): Promise<Map<string, Annotation>> {
  const out = new Map<string, Annotation>()
  const rows = await prisma.configVersion.findMany({ orderBy: { id: 'desc' }, select: { author: true, remark: true, createdAt: true, diff: true } })
  for (const row of rows) {
    for (const c of JSON.parse(row.diff) as FieldChange[]) {
      const dot = c.name.indexOf('.')
      const key = `${c.name.slice(0, dot)}|${c.name.slice(dot + 1)}`
      if (!out.has(key)) out.set(key, { author: row.author, mtime: row.createdAt, remark: row.remark })
    }
  }
  return out
}

function merge(a: Settings, b: Settings): Settings {
  return new Map([...a, ...b])
}

function applyOps(start: Settings, ops: Op[]): Settings {
  const s: Settings = new Map(start)
  for (const op of ops) {
    if (op.kind === 'set') s.set(op.key, op.value)
    else if (op.kind === 'unset') s.delete(op.key)
    else if (op.kind === 'add') {
      const lines = (s.get(op.key) as string[] | undefined) ?? []
      if (!lines.some((l) => normRule(l) === normRule(op.value))) s.set(op.key, [...lines, op.value])
    } else {
      const lines = ((s.get(op.key) as string[] | undefined) ?? []).filter((l) => l !== op.value)
      if (lines.length) s.set(op.key, lines)
      else s.delete(op.key)
    }
  }
  return s
}

async function loadCurrent(prisma: PrismaClient): Promise<{ id: number | null; settings: Settings; secrets: Settings }> {
  const [row, secrets] = await Promise.all([
    prisma.configVersion.findFirst({ orderBy: { id: 'desc' } }),
    prisma.configSecret.findMany(),
  ])
  return {
    id: row?.id ?? null,
    settings: row ? fromObject(JSON.parse(row.snapshot) as Record<string, OptionValue>) : new Map(),
    secrets: new Map(secrets.map((s) => [s.name, s.value])),
  }
}

async function ensureInitial(dataRoot: string, registry: Registry): Promise<void> {
  if (await withControlDb(dataRoot, (p) => p.configVersion.count())) return
  const initial = initialSettings(dataRoot)
  for (const key of initial.keys()) {
    if (!registry.lookup(parseKey(key).name)) throw new Error(`initial configuration names an unknown option ${key}`)
  }
  await serializeWrites(dataRoot, () => withControlDb(dataRoot, (prisma) => withBusyRetry(() =>
    prisma.$transaction(async (tx) => {
      if (await tx.configVersion.count()) return
      await tx.configVersion.create({
        data: { author: 'configure', remark: INITIAL_REMARK, snapshot: JSON.stringify(toObject(initial)), diff: JSON.stringify(diffSettings(new Map(), initial)) },
      })
    }),
  )))
  const svc = { dataRoot: resolve(dataRoot) }
  const dir = join(svc.dataRoot, 'config')
  mkdirSync(dir, { recursive: true, mode: 0o750 })
  atomicWrite(join(dir, 'config.xml'), toConfigXml(initial, registry), 0o640)
  atomicWrite(join(dir, 'xpass.xml'), toXpassXml(new Map(), registry), 0o600)
}

async function withBusyRetry<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn()
    } catch (err) {
      const msg = String((err as Error)?.message ?? err)
      if (attempt >= 8 || !/SQLITE_BUSY|database is locked/i.test(msg)) throw err
      await new Promise((r) => setTimeout(r, 50 * (attempt + 1)))
    }
  }
}

function atomicWrite(path: string, text: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}`
  // No fsync: the database is the durable copy; these files are exports, rewritten after every write.
  writeFileSync(tmp, text, { mode })
  chmodSync(tmp, mode)
  renameSync(tmp, path)
}
