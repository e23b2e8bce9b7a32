// Precompiled service bundles (docs/decisions.md D25). Each service process runs one ESM file —
// child-entry.ts plus the service's module, with every `@wren/*` package and relative import it
// reaches, compiled by the repository's esbuild — instead of transpiling those sources under tsx's
// loader at every start (about 32 MB PSS and a slower start per process). Third-party packages
// and `node:*` stay external: the bundles live inside the repository, so Node resolves them from
// `<repo>/node_modules` at run time.
//
//   <repo>/.build/services/<fingerprint>/<service>.mjs   one per service (test services included)
//   <repo>/.build/services/<fingerprint>/manifest.json   what was built, what could not be
//   <repo>/.build/services/<fingerprint>/in-use/<pid>    daemons using this build
//
// The fingerprint hashes path, size and mtime of every source file a bundle may contain (and the
// package.json files, tsconfig.json, esbuild's version, this builder's format), so an edited
// source gives a new fingerprint and a new build at the next daemon start. A build is made in a
// temporary directory and renamed into place; a complete build that is already there wins. Any
// failure falls back to the tsx fork (one warning line); WREN_SERVICE_BUNDLES=0 forces tsx.
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, extname, isAbsolute, join, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { modulePath, repoRoot, SERVICES, TEST_SERVICES, type ServiceEntry } from '../services/registry.js'
import { processAlive } from '../admin/control-file.js'

/** Bump when the build's options or layout change: old builds then no longer match. */
const BUNDLE_FORMAT = 1
/** Fingerprint directories kept besides the current one (and any a live daemon still uses). */
const KEEP_OLD = 2
/** A temporary build directory of a process that is still alive is left alone this long. */
const TMP_MAX_AGE_MS = 10 * 60_000
/** Set by each bundle's banner before any module runs: child-entry.ts then waits to be called. */
const BANNER = 'globalThis.__wrenServiceBundle = true;'

const SOURCE_FILE = /\.(?:[cm]?[jt]sx?|json)$/
const TEST_FILE = /\.(?:test|spec)\.[cm]?[jt]sx?$/

export interface SourceFingerprint {
  fingerprint: string
  /** Absolute paths of the files it covers: a bundle may contain nothing else. */
  files: Set<string>
}

export interface BundleManifest {
  format: number
  fingerprint: string
  esbuild: string
  builtAt: string
  buildMs: number
  /** service name → bundle file name in the build directory */
  services: Record<string, string>
  /** service name → why it has no bundle (it runs under tsx) */
  failed: Record<string, string>
}

export interface ServiceBundles {
  fingerprint: string
  dir: string
  manifest: BundleManifest
  /** True when this call built the bundles (false: an existing build was reused). */
  built: boolean
  /**
   * The bundle to fork for a service, or undefined for the tsx fork: the service has no bundle,
   * its file is gone, or the sources changed since the build (then the process runs the current
   * sources under tsx, as before bundles existed).
   */
  bundleFor(entry: Pick<ServiceEntry, 'name'>): string | undefined
}

export interface PrepareOptions {
  root?: string
  /** Services to bundle; default: every child-process service and test service whose module exists. */
  entries?: readonly ServiceEntry[]
  env?: NodeJS.ProcessEnv
  /** One line when bundles cannot be used (the services then run under tsx). */
  warn?: (line: string) => void
}

export function bundlesDir(root = repoRoot): string {
  return join(root, '.build', 'services')
}

function esbuildVersion(root: string): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules/esbuild/package.json'), 'utf8')) as { version: string }).version
}

/**
 * Path, size and mtime of every file a service bundle may be built from: the sources under
 * packages/<name>/src and apps/server/src (tests excluded), every workspace's package.json and the
 * root package.json and tsconfig.json. A few hundred stat calls: a few milliseconds.
 */
export function sourceFingerprint(root = repoRoot): SourceFingerprint {
  const files: string[] = []
  const walk = (dir: string) => {
    let list
    try { list = readdirSync(dir, { withFileTypes: true }) } catch { return }
    for (const d of list) {
      if (d.name === 'node_modules' || d.name.startsWith('.')) continue
      const p = join(dir, d.name)
      if (d.isDirectory()) walk(p)
      else if (d.isFile() && SOURCE_FILE.test(d.name) && !TEST_FILE.test(d.name)) files.push(p)
    }
  }
  files.push(join(root, 'package.json'), join(root, 'tsconfig.json'))
  for (const ws of ['packages', 'apps']) {
    let names: string[] = []
    try { names = readdirSync(join(root, ws)) } catch { /* no such workspace folder */ }
    for (const name of names) {
      files.push(join(root, ws, name, 'package.json'))
      if (ws === 'packages' || name === 'server') walk(join(root, ws, name, 'src'))
    }
  }
  files.sort()
  const hash = createHash('sha256')
  hash.update(`wren-service-bundles ${BUNDLE_FORMAT} esbuild ${esbuildVersion(root)}\n`)
  const covered = new Set<string>()
  for (const f of files) {
    let st
    try { st = statSync(f) } catch { continue }
    covered.add(f)
    hash.update(`${relative(root, f)}\0${st.size}\0${st.mtimeMs}\n`)
  }
  return { fingerprint: hash.digest('hex').slice(0, 16), files: covered }
}

/** Every service that runs in a child process and whose module exists, test services included. */
function bundledEntries(): ServiceEntry[] {
  return [...SERVICES, ...TEST_SERVICES].filter((e) => !e.inProcess && existsSync(modulePath(e)))
}

function readManifest(dir: string, fingerprint: string): BundleManifest | undefined {
  try {
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as BundleManifest
    if (m.format !== BUNDLE_FORMAT || m.fingerprint !== fingerprint) return undefined
    if (!Object.values(m.services).every((f) => existsSync(join(dir, f)))) return undefined
    return m
  } catch {
    return undefined
  }
}

const loaderFor = (path: string): 'ts' | 'tsx' | 'js' | 'jsx' | 'json' => {
  const ext = extname(path)
  if (ext === '.tsx') return 'tsx'
  if (ext === '.jsx') return 'jsx'
  if (ext === '.json') return 'json'
  return /^\.[cm]?ts$/.test(ext) ? 'ts' : 'js'
}

/**
 * `import.meta.url` (and `.dirname`, `.filename`) in a source keep naming that source file, not the
 * bundle: registry.ts, config-source.ts, packages/db and the generated Prisma client locate files
 * relative to themselves.
 */
function pinImportMeta(text: string, path: string): string {
  return text
    .replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(path).href))
    .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(dirname(path)))
    .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(path))
}

/** What a bundle must not contain, because it would not work outside tsx or outside its source folder. */
const UNSAFE_OUTPUT: Array<[RegExp, string]> = [
  [/\bimport\.meta\b/, 'import.meta left in the bundle'],
  [/Dynamic require of /, 'a require() call in bundled code'],
  [/\bnew Worker\(/, 'a worker thread started from bundled code'],
]

type EsbuildModule = typeof import('esbuild')
/** Builds in flight in this process: esbuild's service process is stopped after the last one. */
let activeBuilds = 0

async function buildInto(root: string, entries: readonly ServiceEntry[], sources: SourceFingerprint, outdir: string): Promise<Pick<BundleManifest, 'services' | 'failed' | 'esbuild'>> {
  const esbuild = (await import('esbuild')) as EsbuildModule
  activeBuilds++
  const childEntry = join(root, 'apps/server/src/services/child-entry.ts')
  const byName = new Map(entries.map((e) => [e.name, e]))
  const plugin: import('esbuild').Plugin = {
    name: 'wren-services',
    setup(build) {
      // The entry of a bundle: child-entry.ts, given the statically imported service module.
      build.onResolve({ filter: /^wren-service:/ }, (args) => ({ path: args.path.slice('wren-service:'.length), namespace: 'wren-service' }))
      build.onLoad({ filter: /.*/, namespace: 'wren-service' }, (args) => ({
        contents: [
          `import * as service from ${JSON.stringify(join(root, byName.get(args.path)!.module))}`,
          `import { runServiceProcess } from ${JSON.stringify(childEntry)}`,
          'runServiceProcess(() => service)',
          '',
        ].join('\n'),
        resolveDir: root,
        loader: 'js',
      }))
      // Bundle @wren/* (TypeScript sources) and relative imports; every other package stays external.
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('@wren/') || isAbsolute(args.path)) return undefined
        return { path: args.path, external: true }
      })
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8')
        if (!text.includes('import.meta')) return undefined
        return { contents: pinImportMeta(text, args.path), loader: loaderFor(args.path) }
      })
    },
  }
  const options = {
    absWorkingDir: root,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir,
    outExtension: { '.js': '.mjs' },
    splitting: false,
    keepNames: true, // class and function names as in the sources (a bundle renames clashing ones)
    legalComments: 'none',
    // <service>.mjs.map beside each bundle, pointing at the sources: NODE_OPTIONS=--enable-source-maps
    // gives stack traces in source terms (off by default: it costs memory in every process).
    sourcemap: 'linked',
    sourcesContent: false,
    banner: { js: BANNER },
    metafile: true,
    write: true,
    logLevel: 'silent',
    plugins: [plugin],
  } satisfies import('esbuild').BuildOptions
  const services: Record<string, string> = {}
  const failed: Record<string, string> = {}
  const firstError = (err: unknown) => {
    const e = (err as { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }).errors?.[0]
    if (e) return `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`
    return err instanceof Error ? err.message : String(err)
  }
  const check = (result: import('esbuild').BuildResult<{ metafile: true }>) => {
    for (const [out, meta] of Object.entries(result.metafile.outputs)) {
      if (!meta.entryPoint?.startsWith('wren-service:')) continue
      const name = meta.entryPoint.slice('wren-service:'.length)
      const file = resolve(root, out)
      const outside = Object.keys(meta.inputs).find((i) => !i.startsWith('wren-service:') && !sources.files.has(resolve(root, i)))
      const text = readFileSync(file, 'utf8')
      const unsafe = UNSAFE_OUTPUT.find(([re]) => re.test(text.slice(BANNER.length)))
      if (outside) failed[name] = `it would contain ${outside}, which the fingerprint does not cover`
      else if (unsafe) failed[name] = unsafe[1]
      else { services[name] = relative(outdir, file); continue }
      rmSync(file, { force: true })
      rmSync(`${file}.map`, { force: true })
    }
  }
  try {
    try {
      check(await esbuild.build({ ...options, entryPoints: entries.map((e) => ({ in: `wren-service:${e.name}`, out: e.name })) }))
    } catch {
      // One service's sources do not build: build each alone so that the others still get theirs.
      await Promise.all(entries.map(async (e) => {
        try {
          check(await esbuild.build({ ...options, entryPoints: [{ in: `wren-service:${e.name}`, out: e.name }] }))
        } catch (err) {
          failed[e.name] = firstError(err)
        }
      }))
    }
  } finally {
    // esbuild keeps a service process for its API; it must not linger in the daemon's tree.
    if (--activeBuilds === 0) await esbuild.stop()
  }
  return { services, failed, esbuild: esbuild.version }
}

/** Live pids recorded in a build's in-use folder (dead ones are removed). */
function liveUsers(dir: string): { live: number[]; lastUsed: number } {
  const live: number[] = []
  let lastUsed = 0
  try { lastUsed = statSync(join(dir, 'manifest.json')).mtimeMs } catch { /* incomplete */ }
  let pids: string[] = []
  try { pids = readdirSync(join(dir, 'in-use')) } catch { /* none */ }
  for (const p of pids) {
    const file = join(dir, 'in-use', p)
    try { lastUsed = Math.max(lastUsed, statSync(file).mtimeMs) } catch { continue }
    if (processAlive(Number(p))) live.push(Number(p))
    else rmSync(file, { force: true })
  }
  return { live, lastUsed }
}

/** Moves a directory out of the way atomically, then deletes it. */
function discard(base: string, name: string): void {
  const trash = join(base, `.old-${name}-${randomBytes(4).toString('hex')}`)
  try {
    renameSync(join(base, name), trash)
    rmSync(trash, { recursive: true, force: true })
  } catch { /* another daemon got there first */ }
}

/**
 * Removes builds of older fingerprints beyond the newest KEEP_OLD, never one that a live daemon
 * uses, and temporary directories of dead builders. A daemon whose bundle disappeared all the same
 * forks its services under tsx (bundleFor checks the file).
 */
export function removeOldBuilds(base: string, current: string): void {
  let names: string[] = []
  try { names = readdirSync(base) } catch { return }
  const now = Date.now()
  const builds: Array<{ name: string; lastUsed: number }> = []
  for (const name of names) {
    if (name === current) { liveUsers(join(base, name)); continue } // prunes dead daemons' markers
    if (name.startsWith('.old-')) { rmSync(join(base, name), { recursive: true, force: true }); continue }
    if (name.startsWith('.tmp-')) {
      const pid = Number(name.split('-')[1])
      let age = Infinity
      try { age = now - statSync(join(base, name)).mtimeMs } catch { continue }
      if (!processAlive(pid) || age > TMP_MAX_AGE_MS) rmSync(join(base, name), { recursive: true, force: true })
      continue
    }
    const { live, lastUsed } = liveUsers(join(base, name))
    if (!live.length) builds.push({ name, lastUsed })
  }
  builds.sort((a, b) => b.lastUsed - a.lastUsed)
  for (const b of builds.slice(KEEP_OLD)) discard(base, b.name)
}

/**
 * Makes sure the bundles of the current sources exist (building them when needed) and returns
 * them, or undefined when bundles are off or could not be made: the services then run under tsx.
 * Never throws.
 */
export async function prepareServiceBundles(opts: PrepareOptions = {}): Promise<ServiceBundles | undefined> {
  const root = opts.root ?? repoRoot
  const env = opts.env ?? process.env
  const warn = opts.warn ?? ((line: string) => process.stderr.write(line + '\n'))
  if (env.WREN_SERVICE_BUNDLES === '0') return undefined
  try {
    const sources = sourceFingerprint(root)
    const { fingerprint } = sources
    const base = bundlesDir(root)
    const dir = join(base, fingerprint)
    let manifest = readManifest(dir, fingerprint)
    let built = false
    if (!manifest) {
      const t0 = Date.now()
      mkdirSync(base, { recursive: true })
      const tmp = join(base, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`)
      mkdirSync(tmp)
      try {
        const result = await buildInto(root, opts.entries ?? bundledEntries(), sources, tmp)
        const fresh: BundleManifest = { format: BUNDLE_FORMAT, fingerprint, builtAt: new Date().toISOString(), buildMs: Date.now() - t0, ...result }
        writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(fresh, null, 2) + '\n')
        if (existsSync(dir) && !readManifest(dir, fingerprint)) discard(base, fingerprint) // a broken leftover
        try {
          renameSync(tmp, dir)
          manifest = fresh
          built = true
        } catch (err) {
          // Another daemon renamed its complete build into place first: that one wins.
          const code = (err as NodeJS.ErrnoException).code
          if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err
          manifest = readManifest(dir, fingerprint)
          if (!manifest) throw err
        }
      } finally {
        rmSync(tmp, { recursive: true, force: true })
      }
    }
    mkdirSync(join(dir, 'in-use'), { recursive: true })
    writeFileSync(join(dir, 'in-use', String(process.pid)), '')
    removeOldBuilds(base, fingerprint)
    const failed = Object.entries(manifest.failed)
    if (failed.length) {
      warn(`service bundles: ${failed.map(([n]) => n).join(', ')} not bundled (${failed[0]![0]}: ${failed[0]![1]}); ${failed.length > 1 ? 'they run' : 'it runs'} under tsx`)
    }
    const final = manifest
    let checkedAt = Date.now()
    let current = true
    return {
      fingerprint,
      dir,
      manifest: final,
      built,
      bundleFor(entry) {
        const file = final.services[entry.name]
        if (!file) return undefined
        // Sources edited since the build: run them under tsx rather than the stale bundle.
        if (current && Date.now() - checkedAt > 1000) {
          checkedAt = Date.now()
          try { current = sourceFingerprint(root).fingerprint === fingerprint } catch { current = false }
        }
        const path = join(dir, file)
        return current && existsSync(path) ? path : undefined
      },
    }
  } catch (err) {
    warn(`service bundles could not be built (${err instanceof Error ? err.message : String(err)}); services run under tsx`)
    return undefined
  }
}
