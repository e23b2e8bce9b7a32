// msconfig (spec 01 §1): interactive prompt `msconfig>` (`msconfig#` with unsaved changes) and one-shot
// mode. In one-shot mode each invocation is its own session: `msconfig set imap.enable 0` validates,
// writes a version (remark from -remark=… or the command line itself) and tells a running daemon.
import { globToRegExp } from '@wren/kernel'
import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { ConfigService } from '../service.js'
import { ConfigError } from '../registry/errors.js'
import type { OptionSpec } from '../registry/types.js'
import { displayKey, parseKey, splitScope } from '../settings.js'
import { showValue } from '../values.js'
import { tokenize } from './tokenize.js'
import { diffLines, helpLines, historyLines, settingLines } from './format.js'
import { notifyDaemon } from './notify.js'
import { stagedChanges, type RemoteConfigWriter, type RemoteWriteResult } from './remote.js'

export interface ToolIO {
  stdout(text: string): void
  stderr(text: string): void
  prompt(question: string): Promise<string | null>
  cwd: string
}

const COMMANDS: Record<string, string> = {
  show: 'show [-default] [pattern…]   show explicit settings (or defaults) matching names or globs',
  set: 'set [-restricted] [-prompt] [role.|instance.]option [value…]   stage a value',
  unset: 'unset option [value]   remove a setting (one line of a multi-valued option with a value)',
  write: 'write [-remark="text"]   save the staged changes as a new version',
  diff: 'diff   show the staged (unsaved) changes',
  history: 'history [count]   list saved versions, newest first',
  differences: 'differences m n   compare two saved versions',
  revert: 'revert n [-remark="text"]   restore version n as a new version',
  help: 'help [option] [name|glob]   describe options; help alone lists commands',
  export: 'export [file]   print (or write) config.xml of the current version',
  import: 'import config.xml [xpass.xml]   replace the configuration with a file, as a new version',
  exit: 'exit | quit   leave msconfig (asks again when there are unsaved changes)',
}

export class Msconfig {
  private exitWarned = false

  constructor(
    private readonly svc: ConfigService,
    private readonly io: ToolIO,
    private readonly mode: 'interactive' | 'oneshot',
    /** A running daemon's admin API (remote.ts): writes and reverts go there; reads stay local. */
    private readonly remote?: RemoteConfigWriter,
  ) {}

  private out(lines: string | string[]): void {
    const l = Array.isArray(lines) ? lines : [lines]
    if (l.length) this.io.stdout(l.join('\n') + '\n')
  }

  private err(text: string): void {
    this.io.stderr(`msconfig: ${text}\n`)
  }

  /** The interactive loop; resolves with the exit code. */
  async repl(): Promise<number> {
    for (;;) {
      const line = await this.io.prompt(this.svc.dirty ? 'msconfig# ' : 'msconfig> ')
      if (line === null) {
        if (this.svc.dirty) this.out('\nUnsaved changes discarded.')
        else this.io.stdout('\n')
        return 0
      }
      let words: string[]
      try {
        words = tokenize(line)
      } catch (err) {
        this.err((err as Error).message)
        continue
      }
      if (!words.length) continue
      const cmd = words[0]!.toLowerCase()
      if (cmd === 'exit' || cmd === 'quit') {
        if (this.svc.dirty && !this.exitWarned) {
          this.exitWarned = true
          this.out('There are unsaved changes: use write to save them, or exit again to discard them.')
          continue
        }
        return 0
      }
      this.exitWarned = false
      await this.exec(words)
    }
  }

  /** Runs one command; resolves with its exit code (0 ok, 1 error, 64 usage). */
  async exec(words: string[]): Promise<number> {
    const [cmd = '', ...args] = words
    try {
      switch (cmd.toLowerCase()) {
        case 'show': return this.show(args)
        case 'set': return await this.set(args)
        case 'unset': case 'delete': return this.unset(args)
        case 'write': return await this.write(args)
        case 'diff': return this.diff(args)
        case 'history': return await this.history(args)
        case 'differences': return await this.differences(args)
        case 'revert': case 'rollback': return await this.revert(args)
        case 'help': return this.help(args)
        case 'export': return await this.export(args)
        case 'import': return await this.import(args)
        default:
          this.err(`unknown command '${cmd}' (try help)`)
          return 64
      }
    } catch (err) {
      if (err instanceof ConfigError) {
        this.err(err.message)
        return err.kind === 'usage' ? 64 : 1
      }
      this.err((err as Error).message ?? String(err))
      return 1
    }
  }

  private takeRemark(args: string[]): { remark?: string; rest: string[] } {
    const rest: string[] = []
    let remark: string | undefined
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!
      const m = /^-remark(?:=(.*))?$/i.exec(a)
      if (m) remark = m[1] ?? args[++i] ?? ''
      else rest.push(a)
    }
    return remark !== undefined ? { remark, rest } : { rest }
  }

  private show(args: string[]): number {
    const defaults = args[0] === '-default'
    const patterns = defaults ? args.slice(1) : args
    if (defaults) return this.showDefaults(patterns)
    const settings = this.svc.pendingSettings()
    const keys = [...settings.keys()].sort((a, b) => displayKey(a).localeCompare(displayKey(b)))
    const tests = patterns.map((p) => this.nameTest(p))
    const lines: string[] = []
    for (const key of keys) {
      const { scope, name } = parseKey(key)
      if (tests.length && !tests.some((t) => t(scope, name))) continue
      lines.push(...settingLines(this.svc.registry, displayKey(key), settings.get(key)!))
    }
    this.out(lines)
    return 0
  }

  /** How `show` matches: globs against `scope.name` and `name`; a plain word as an option or group. */
  private nameTest(pattern: string): (scope: string, name: string) => boolean {
    const { scope, name: p } = splitScope(pattern)
    const inScope = (s: string) => !scope || s === scope
    if (/[*?]/.test(p)) {
      const re = globToRegExp(p)
      return (s, n) => inScope(s) && (re.test(n) || re.test(`${s}.${n}`))
    }
    let canonical: string | undefined
    try {
      canonical = this.svc.registry.resolve(p).name.toLowerCase()
    } catch {
      canonical = undefined
    }
    const lp = p.toLowerCase()
    return (s, n) => {
      if (!inScope(s)) return false
      const ln = n.toLowerCase()
      return ln === canonical || ln === lp || ln.startsWith(lp + '.') || ln.startsWith(lp + ':') || ln.endsWith('.' + lp)
    }
  }

  private showDefaults(patterns: string[]): number {
    if (!patterns.length) throw new ConfigError('usage', 'usage: show -default option|glob')
    const lines: string[] = []
    for (const p of patterns) {
      if (/[*?]/.test(p)) {
        for (const spec of this.svc.registry.matching(globToRegExp(splitScope(p).name))) lines.push(`${spec.name}: ${defaultText(spec)}`)
      } else {
        const { match } = this.svc.resolve(p)
        lines.push(`${p}: ${defaultText(match.spec)}`)
      }
    }
    this.out(lines)
    return 0
  }

  private async set(args: string[]): Promise<number> {
    const { remark, rest } = this.takeRemark(args)
    let restricted = false, prompt = false
    const words = [...rest]
    while (words[0]?.startsWith('-') && words.length > 1) {
      const f = words.shift()!.toLowerCase()
      if (f === '-restricted') restricted = true
      else if (f === '-prompt') prompt = true
      else throw new ConfigError('usage', `set: unknown flag ${f}`)
    }
    const [name, ...value] = words
    if (!name) throw new ConfigError('usage', 'usage: set [-restricted] [-prompt] option [value]')
    const { match } = this.svc.resolve(name)
    let val: string[] = value
    if (prompt) {
      const v = await this.askValue(match.spec)
      if (v === null) return 1
      val = [v]
    }
    if (match.spec.restricted && !restricted) {
      this.out(`Warning: ${match.name} is a RESTRICTED USAGE OPTION: setting it without advice from support makes the configuration unsupported.`)
      if (this.mode === 'oneshot') throw new ConfigError('restricted', `${match.name} is restricted; confirm with: set -restricted ${name} …`)
      const answer = (await this.io.prompt('Set it anyway? [no]: '))?.trim().toLowerCase()
      if (answer !== 'yes' && answer !== 'y') { this.out('Not set.'); return 1 }
      restricted = true
    }
    const r = this.svc.set(name, val.length ? val : undefined, { confirmRestricted: restricted })
    for (const removed of r.removed) this.out(`(removed ${removed})`)
    return this.mode === 'oneshot' ? this.commit(remark ?? `msconfig set ${name}${match.spec.password ? ' ********' : value.length ? ' ' + value.join(' ') : ''}`) : 0
  }

  private async askValue(spec: OptionSpec): Promise<string | null> {
    if (spec.password) {
      const a = await this.io.prompt('Password: ')
      const b = a === null ? null : await this.io.prompt('Verify: ')
      if (a === null || b === null) { this.err('no value given'); return null }
      if (a !== b) { this.err('the passwords do not match'); return null }
      return a
    }
    const v = await this.io.prompt('Value: ')
    if (v === null) this.err('no value given')
    return v
  }

  private unset(args: string[]): number | Promise<number> {
    const { remark, rest } = this.takeRemark(args)
    const [name, ...value] = rest
    if (!name) throw new ConfigError('usage', 'usage: unset option [value]')
    const removed = this.svc.unset(name, value.length ? { value: value.join(' ') } : {})
    if (this.mode === 'interactive' && removed.length > 1) this.out(removed.map((r) => `(removed ${r})`))
    return this.mode === 'oneshot' ? this.commit(remark ?? `msconfig unset ${rest.join(' ')}`) : 0
  }

  private async write(args: string[]): Promise<number> {
    const { remark, rest } = this.takeRemark(args)
    if (rest.length) throw new ConfigError('usage', 'usage: write [-remark="text"]')
    return this.commit(remark ?? '')
  }

  private async commit(remark: string): Promise<number> {
    if (!this.svc.dirty) {
      this.svc.discard()
      this.out('No changes to write.')
      return 0
    }
    if (this.remote) {
      const base = this.svc.version ?? 0
      const { changes, restricted } = stagedChanges(this.svc)
      // The daemon requires a remark; the interactive `write` without -remark= names the tool.
      const r = await this.remote.set(changes, remark || 'msconfig write', base, restricted)
      this.svc.discard()
      await this.svc.reload()
      if (r.version === base) this.out('No changes to write.')
      else this.afterRemote(r, changes.map((c) => splitScope(c.name).name))
      return 0
    }
    const r = await this.svc.write({ remark, source: 'cli' })
    if (r.version !== null) await this.afterWrite(r.version, r.changed)
    return 0
  }

  private async afterWrite(version: number, changed: string[]): Promise<void> {
    this.out(`Configuration version ${version} written.`)
    if (!changed.length) return
    const n = await notifyDaemon(this.svc.dataRoot)
    if (n.kind === 'reloaded') {
      const restart = n.answer.restart ?? n.answer.restartNeeded.map((option) => ({ option, services: [] as string[] }))
      for (const r of restart) {
        const services = r.services.length ? r.services.join(', ') : this.svc.registry.lookup(r.option)?.restart ?? 'the affected services'
        this.out(`${r.option} requires a restart of ${services}`)
      }
      if (n.answer.applied.length) this.out(`Applied without restart: ${n.answer.applied.join(', ')}`)
    } else if (n.kind === 'unreachable') {
      this.err(`the daemon did not take the new configuration (${n.reason}); it applies at the next start or refresh`)
    }
  }

  /** After the daemon wrote a version: it has reloaded already and says what needs a restart. */
  private afterRemote(r: RemoteWriteResult, changed: string[] = []): void {
    this.out(`Configuration version ${r.version} written.`)
    for (const x of r.restart) {
      const services = x.services.length ? x.services.join(', ') : this.svc.registry.lookup(x.option)?.spec.restart ?? 'the affected services'
      this.out(`${x.option} requires a restart of ${services}`)
    }
    // what the daemon took live: the written options that need no restart
    const later = new Set(r.restart.map((x) => x.option.toLowerCase()))
    const applied = [...new Set(changed.map((n) => n.toLowerCase()))].filter((n) => !later.has(n))
    if (applied.length) this.out(`Applied without restart: ${applied.join(', ')}`)
  }

  private diff(args: string[]): number {
    if (args.length) throw new ConfigError('usage', 'usage: diff')
    const lines = diffLines(this.svc.registry, this.svc.diff())
    this.out(lines.length ? lines : ['No unsaved changes.'])
    return 0
  }

  private async history(args: string[]): Promise<number> {
    const n = args[0] === undefined ? 100 : Number(args[0])
    if (!Number.isInteger(n) || n < 1) throw new ConfigError('usage', 'usage: history [count]')
    this.out(historyLines(this.svc.registry, await this.svc.history(n), this.svc.version))
    return 0
  }

  private async differences(args: string[]): Promise<number> {
    const [m, n] = args.map(Number)
    if (args.length !== 2 || !Number.isInteger(m) || !Number.isInteger(n)) throw new ConfigError('usage', 'usage: differences m n')
    const lines = diffLines(this.svc.registry, await this.svc.differences(m!, n!))
    this.out(lines.length ? lines : [`Versions ${m} and ${n} are identical.`])
    return 0
  }

  private async revert(args: string[]): Promise<number> {
    const { remark, rest } = this.takeRemark(args)
    const n = Number(rest[0])
    if (rest.length !== 1 || !Number.isInteger(n)) throw new ConfigError('usage', 'usage: revert n [-remark="text"]')
    if (this.svc.dirty) throw new ConfigError('conflict', 'there are unsaved changes: write them or exit first')
    if (this.remote) {
      const base = this.svc.version ?? 0
      const r = await this.remote.revert(n, remark)
      await this.svc.reload()
      if (r.version === base) this.out(`The current configuration already equals version ${n}.`)
      else this.afterRemote(r)
      return 0
    }
    const r = await this.svc.revert(n, { source: 'cli', ...(remark !== undefined ? { remark } : {}) })
    if (r.version === null) this.out(`The current configuration already equals version ${n}.`)
    else await this.afterWrite(r.version, r.changed)
    return 0
  }

  private help(args: string[]): number {
    const words = args[0]?.toLowerCase() === 'option' ? args.slice(1) : args
    if (!words.length) {
      this.out(['Commands:', ...Object.values(COMMANDS).map((c) => `  ${c}`), 'Option names: [role.|instance.]group[:name][.sub].option, e.g. channel:tcp_local.maxjobs']);
      return 0
    }
    const lines: string[] = []
    for (const w of words) {
      const specs = /[*?]/.test(w) ? this.svc.registry.matching(globToRegExp(w.includes('.') ? w : `*${w}`)) : [this.svc.resolve(w).match.spec]
      if (!specs.length) throw new ConfigError('unknown', `no option matches ${w}`)
      for (const spec of specs) {
        const current = /[*?]/.test(w) ? [] : this.currentOf(w)
        lines.push(...helpLines(this.svc.registry, spec, current), '')
      }
    }
    this.out(lines)
    return 0
  }

  private currentOf(typed: string): string[] {
    const { match } = this.svc.resolve(typed)
    const settings = this.svc.pendingSettings()
    return [...settings.keys()].filter((k) => parseKey(k).name.toLowerCase() === match.name.toLowerCase()).flatMap((k) => settingLines(this.svc.registry, displayKey(k), settings.get(k)!))
  }

  private async export(args: string[]): Promise<number> {
    if (args.length > 1) throw new ConfigError('usage', 'usage: export [file]')
    const xml = await this.svc.exportXml()
    if (args[0]) writeFileSync(resolve(this.io.cwd, args[0]), xml, { mode: 0o640 })
    else this.io.stdout(xml)
    return 0
  }

  private async import(args: string[]): Promise<number> {
    const { remark, rest } = this.takeRemark(args)
    if (rest.length < 1 || rest.length > 2) throw new ConfigError('usage', 'usage: import config.xml [xpass.xml]')
    if (this.svc.dirty) throw new ConfigError('conflict', 'there are unsaved changes: write them or exit first')
    const xml = readFileSync(resolve(this.io.cwd, rest[0]!), 'utf8')
    const xpass = rest[1] ? readFileSync(resolve(this.io.cwd, rest[1]), 'utf8') : undefined
    const r = await this.svc.importXml(xml, { source: 'cli', ...(remark !== undefined ? { remark } : {}), ...(xpass !== undefined ? { xpass } : {}) })
    if (r.version === null) this.out('The file equals the current configuration.')
    else await this.afterWrite(r.version, r.changed)
    return 0
  }
}

function defaultText(spec: OptionSpec): string {
  if (spec.default === undefined) return spec.fallback ? `(value of ${spec.fallback})` : '(no default)'
  return showValue({ ...spec, password: false }, spec.default)
}
