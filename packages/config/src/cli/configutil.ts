// configutil (spec 04 A.1; spec 03 §17): the legacy tool over the unified configuration. It translates
// legacy names (service.imap.port → imap.port, logfile.imap.expirytime → imap.logfile.expirytime) and
// values (yes/no booleans), and — unlike msconfig — warns when an option needs a restart.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { globToRegExp, type OptionValue } from '@wren/kernel'
import type { ConfigService } from '../service.js'
import { ConfigError } from '../registry/errors.js'
import type { OptionMatch, OptionSpec } from '../registry/types.js'
import { legacyValue } from '../values.js'
import { parseKey } from '../settings.js'
import { notifyDaemon } from './notify.js'
import type { ToolIO } from './msconfig.js'

export const CONFIGUTIL_USAGE = `usage: configutil [-h] [-o option [-v value | -d]] [-H]
       configutil [-p pattern] [-H] [-m] [-V]
       configutil -i inputfile
`

interface Args { o?: string; v?: string; d: boolean; p?: string; H: boolean; m: boolean; V: boolean; i?: string; h: boolean }

export function parseConfigutilArgs(argv: string[]): Args {
  const a: Args = { d: false, H: false, m: false, V: false, h: false }
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i]!
    const value = () => {
      const v = argv[++i]
      if (v === undefined) throw new ConfigError('usage', `configutil: ${f} needs an argument`)
      return v
    }
    switch (f) {
      case '-o': a.o = value(); break
      case '-v': a.v = value(); break
      case '-p': a.p = value(); break
      case '-i': a.i = value(); break
      case '-d': a.d = true; break
      case '-H': a.H = true; break
      case '-m': a.m = true; break
      case '-V': a.V = true; break
      case '-h': a.h = true; break
      case '-f': throw new ConfigError('usage', 'configutil: -f is not supported: the configuration lives in the data root (WREN_DATA)')
      default: throw new ConfigError('usage', `configutil: unknown argument ${f}`)
    }
  }
  if ((a.v !== undefined || a.d) && a.o === undefined) throw new ConfigError('usage', 'configutil: -v and -d need -o option')
  if (a.v !== undefined && a.d) throw new ConfigError('usage', 'configutil: use either -v or -d')
  return a
}

const SYNTAX: Record<OptionSpec['type'], string> = { string: 'string', int: 'int', uint: 'uint', bool: 'bool', tcpport: 'tcpport', filepath: 'filepath', enum: 'string', list: 'string' }

function flagsOf(spec: OptionSpec): string {
  const f: string[] = []
  if (spec.restart) f.push(`MSG_RESTART_${spec.restart.toUpperCase()}`)
  if (spec.restricted) f.push('USAGE RESTRICTED')
  if (spec.obsolete) f.push('OBSOLETE')
  return f.length ? f.join(' ') : 'NULL (unset)'
}

export class Configutil {
  constructor(
    private readonly svc: ConfigService,
    private readonly io: ToolIO,
  ) {}

  private out(lines: string[]): void {
    if (lines.length) this.io.stdout(lines.join('\n') + '\n')
  }

  async run(argv: string[]): Promise<number> {
    let a: Args
    try {
      a = parseConfigutilArgs(argv)
    } catch (err) {
      this.io.stderr(`${(err as Error).message}\n${CONFIGUTIL_USAGE}`)
      return 64
    }
    if (a.h) { this.io.stdout(CONFIGUTIL_USAGE); return 0 }
    try {
      if (a.i !== undefined) return await this.importFile(a.i)
      if (a.V) return this.validate()
      if (a.o !== undefined) {
        if (a.v !== undefined) return await this.setOption(a.o, a.v)
        if (a.d) return await this.deleteOption(a.o)
        return this.getOption(a.o, a.H)
      }
      return this.list(a.p, a.H, a.m)
    } catch (err) {
      if (err instanceof ConfigError) {
        this.io.stderr(`configutil: ${err.message}\n`)
        return err.kind === 'usage' ? 64 : 1
      }
      throw err
    }
  }

  private value(match: OptionMatch): OptionValue | undefined {
    return this.svc.view().find(match.name)
  }

  private isSet(match: OptionMatch): boolean {
    return [...this.svc.settings().keys()].some((k) => parseKey(k).name.toLowerCase() === match.name.toLowerCase())
  }

  private helpBlock(typed: string, match: OptionMatch): string[] {
    const spec = match.spec
    const lines = [`Configuration option: ${typed}`, `        Description: ${spec.restricted ? 'RESTRICTED: ' : ''}${spec.description}`]
    if (typed.toLowerCase() !== match.name.toLowerCase()) lines.push(`        Unified Config Name: ${match.name}`)
    lines.push(`        Flags: ${flagsOf(spec)}`, `        Syntax: ${SYNTAX[spec.type]}`)
    lines.push(`        Default: ${spec.default === undefined ? 'NULL (unset)' : legacyValue({ ...spec, password: false }, spec.default)}`)
    const v = this.value(match)
    lines.push(v === undefined || (Array.isArray(v) && !v.length) ? `${typed} is currently unset` : `${typed} is currently set to: ${legacyValue(spec, v)}`)
    return lines
  }

  private getOption(typed: string, help: boolean): number {
    const match = this.svc.registry.resolve(typed)
    if (help) {
      this.out(this.helpBlock(typed, match))
      return 0
    }
    const v = this.value(match)
    if (v !== undefined && !(Array.isArray(v) && !v.length)) this.out(match.spec.multi ? (v as string[]) : [plainValue(match.spec, v)])
    return 0
  }

  private async setOption(typed: string, value: string): Promise<number> {
    const match = this.svc.registry.resolve(typed)
    if (match.spec.restricted) throw new ConfigError('restricted', `${match.name} is a restricted option: set it with msconfig set -restricted`)
    if (value === '') {
      // `-v ""` clears the option (spec 04 A.1)
      if (this.isSet(match)) this.svc.unset(match.name)
    } else {
      this.svc.set(match.name, value)
    }
    return this.commit(match, `configutil -o ${typed} -v ${match.spec.password ? '********' : JSON.stringify(value)}`, 'OK SET')
  }

  private async deleteOption(typed: string): Promise<number> {
    const match = this.svc.registry.lookup(typed) ?? this.svc.registry.lookupLegacy(typed)
    this.svc.unset(match?.name ?? typed)
    return this.commit(match, `configutil -o ${typed} -d`, 'OK DELETE')
  }

  private async commit(match: OptionMatch | undefined, remark: string, ok: string): Promise<number> {
    const r = await this.svc.write({ remark, source: 'cli' })
    this.out([ok])
    if (match?.spec.restart) {
      this.io.stderr(`Warning: ${match.name} (${flagsOf(match.spec)}) requires a restart of ${match.spec.restart} to take effect\n`)
    }
    if (r.version !== null && r.changed.length) {
      const n = await notifyDaemon(this.svc.dataRoot)
      if (n.kind === 'reloaded' && n.answer.applied.length) this.out([`Applied without restart: ${n.answer.applied.join(', ')}`])
      if (n.kind === 'unreachable') this.io.stderr(`configutil: the daemon did not take the new configuration (${n.reason})\n`)
    }
    return 0
  }

  /** Every option that has a value (explicit or default), under its legacy name when it has one. */
  private entries(): Array<{ shown: string; match: OptionMatch }> {
    const reg = this.svc.registry
    const out = new Map<string, { shown: string; match: OptionMatch }>()
    const add = (match: OptionMatch) => {
      if (match.lang) return // plain commands skip language-tagged options
      const shown = reg.legacyName(match) ?? match.name
      out.set(match.name.toLowerCase(), { shown, match })
    }
    for (const spec of reg.options) {
      if (spec.name.includes('<') || spec.multi) continue
      const m = reg.lookup(spec.name)!
      if (this.value(m) !== undefined) add(m)
    }
    for (const key of this.svc.settings().keys()) {
      const m = reg.lookup(parseKey(key).name)
      if (m) add(m)
    }
    return [...out.values()].sort((x, y) => x.shown.localeCompare(y.shown))
  }

  private list(pattern: string | undefined, help: boolean, meta: boolean): number {
    const re = pattern === undefined ? undefined : globToRegExp(/[*?]/.test(pattern) ? pattern.replace(/\\\*/g, '*') : `${pattern}*`)
    const lines: string[] = []
    for (const { shown, match } of this.entries()) {
      if (re && !re.test(shown) && !re.test(match.name)) continue
      if (help) { lines.push(...this.helpBlock(shown, match), ''); continue }
      const v = this.value(match)!
      const values = match.spec.multi ? (v as string[]).map((l) => legacyValue(match.spec, l)) : [legacyValue(match.spec, v)]
      for (const text of values) lines.push(`${shown} = ${text}${meta ? (match.refreshable ? ' [REFRESHABLE]' : ' [NOT REFRESHABLE]') : ''}`)
    }
    this.out(lines)
    return 0
  }

  /** `-V`: every explicit setting must name a known option with a valid value. */
  private validate(): number {
    const problems: string[] = []
    for (const [key, value] of this.svc.settings()) {
      const { name } = parseKey(key)
      const match = this.svc.registry.lookup(name)
      if (!match) { problems.push(`${name}: unknown option`); continue }
      if (match.spec.obsolete) problems.push(`${name}: obsolete option (delete it)`)
      try {
        if (!match.spec.multi) checkType(match, value)
      } catch (err) {
        problems.push((err as Error).message)
      }
    }
    if (problems.length) {
      this.io.stderr(problems.map((p) => `configutil: ${p}\n`).join(''))
      return 1
    }
    this.out(['Configuration is valid.'])
    return 0
  }

  /** `-i file`: lines `option = value` (or `option value`); all in one version. */
  private async importFile(file: string): Promise<number> {
    const text = readFileSync(resolve(this.io.cwd, file), 'utf8')
    let count = 0
    for (const [i, raw] of text.split(/\r?\n/).entries()) {
      const line = raw.trim()
      if (!line || line.startsWith('#')) continue
      const m = /^(\S+?)\s*(?:=\s*|\s+)(.*)$/.exec(line)
      if (!m) throw new ConfigError('usage', `${file}:${i + 1}: expected "option = value"`)
      const value = m[2]!.replace(/^"(.*)"$/, '$1')
      try {
        const match = this.svc.registry.resolve(m[1]!)
        if (value === '') this.svc.unset(match.name)
        else this.svc.set(match.name, value)
      } catch (err) {
        this.svc.discard()
        throw new ConfigError((err as ConfigError).kind ?? 'type', `${file}:${i + 1}: ${(err as Error).message} (nothing imported)`)
      }
      count++
    }
    await this.svc.write({ remark: `configutil -i ${file}`, source: 'cli' })
    this.out([`OK SET (${count} options)`])
    return 0
  }
}

function checkType(match: OptionMatch, value: OptionValue): true {
  const t = match.spec.type
  const ok =
    t === 'bool' ? typeof value === 'boolean'
    : t === 'int' || t === 'uint' || t === 'tcpport' ? typeof value === 'number'
    : t === 'list' ? Array.isArray(value)
    : typeof value === 'string'
  if (!ok) throw new ConfigError('type', `${match.name}: value ${JSON.stringify(value)} is not of type ${t}`)
  return true
}

/** configutil -o prints the bare value (no quotes); booleans as yes/no. */
function plainValue(spec: OptionSpec, v: OptionValue): string {
  const s = legacyValue(spec, v)
  return typeof v === 'string' && !spec.password ? v : s
}
