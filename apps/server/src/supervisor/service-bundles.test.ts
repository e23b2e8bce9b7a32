// The service-bundle builder on small throw-away repositories (its node_modules linked to the real
// one): the fingerprint follows the sources, a service whose sources do not build falls back to
// tsx alone, a build that cannot be made at all falls back entirely, parallel builders agree on
// one build, and old builds go unless a live daemon uses them.
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { ServiceEntry } from '../services/registry.js'
import { repoRoot } from '../services/registry.js'
import { bundlesDir, prepareServiceBundles, removeOldBuilds, sourceFingerprint } from './service-bundles.js'

const roots: string[] = []
afterEach(() => { for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true }) })

const write = (root: string, rel: string, text: string) => {
  mkdirSync(dirname(join(root, rel)), { recursive: true })
  writeFileSync(join(root, rel), text)
}

/** A repository with child-entry.ts, a package `@wren/lib` and two services. */
function fakeRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 'wren-bundles-'))
  roots.push(root)
  mkdirSync(join(root, 'node_modules/@wren'), { recursive: true })
  // third-party packages (esbuild, node-forge…) resolve from the real repository's node_modules
  for (const name of readdirSync(join(repoRoot, 'node_modules'))) {
    if (name !== '@wren' && name !== '.bin') symlinkSync(join(repoRoot, 'node_modules', name), join(root, 'node_modules', name))
  }
  symlinkSync(join(root, 'packages/lib'), join(root, 'node_modules/@wren/lib'))
  // a repository in miniature: a workspace package with a test file, the child entry, a good
  // service that uses import.meta, and one that does not compile
  const files: Record<string, string> = {
    'package.json': '{"name":"fake","type":"module","private":true}\n',
    'tsconfig.json': '{}\n',
    'packages/lib/package.json': '{"name":"@wren/lib","type":"module","exports":{".":"./src/index.ts"}}\n',
    'packages/lib/src/index.ts': `import { fileURLToPath } from 'node:url'
export const here: string = fileURLToPath(import.meta.url)
export const dir: string = import.meta.dirname
`,
    'packages/lib/src/index.test.ts': 'export {}\n',
    'apps/server/package.json': '{"name":"@wren/server","type":"module"}\n',
    'apps/server/src/services/child-entry.ts': `import forge from 'node-forge'
export function runServiceProcess(load: () => { createService(): string }) {
  process.stdout.write(JSON.stringify({ service: load().createService(), forge: typeof forge.pki, argv: process.argv.slice(2) }))
}
`,
    'packages/lib/src/good.ts': "import { here, dir } from './index.js'\nexport const createService = () => `good ${here} ${dir}`\n",
    'packages/lib/src/bad.ts': 'export const createService = () => { return (\n',
  }
  for (const [rel, text] of Object.entries(files)) write(root, rel, text)
  return root
}

const entry = (name: string, module: string): ServiceEntry => ({ name, proc: `${name}d`, module, enableOption: `${name}.enable`, enabledByDefault: true })
const GOOD = entry('good', 'packages/lib/src/good.ts')
const BAD = entry('bad', 'packages/lib/src/bad.ts')

function run(file: string, args: string[] = []): Promise<string> {
  return new Promise((res, rej) => execFile(process.execPath, [file, ...args], (err, stdout, stderr) => (err ? rej(new Error(stderr || String(err))) : res(stdout))))
}

describe('source fingerprint', () => {
  it('changes when a source file is touched or resized, not for tests or unrelated files', () => {
    const root = fakeRepo()
    const a = sourceFingerprint(root)
    expect(a.files.has(join(root, 'packages/lib/src/index.ts'))).toBe(true)
    expect(a.files.has(join(root, 'packages/lib/src/index.test.ts'))).toBe(false)
    expect(sourceFingerprint(root).fingerprint).toBe(a.fingerprint)

    write(root, 'packages/lib/src/index.test.ts', 'export const changed = 1\n')
    write(root, 'README.md', 'not a source\n')
    expect(sourceFingerprint(root).fingerprint).toBe(a.fingerprint)

    const file = join(root, 'packages/lib/src/index.ts')
    const t = statSync(file).mtime
    utimesSync(file, t, new Date(t.getTime() + 1000)) // touched: same content, new mtime
    const b = sourceFingerprint(root)
    expect(b.fingerprint).not.toBe(a.fingerprint)

    write(root, 'packages/lib/src/new-module.ts', 'export {}\n')
    const c = sourceFingerprint(root)
    expect(c.fingerprint).not.toBe(b.fingerprint)
    write(root, 'packages/lib/package.json', '{"name":"@wren/lib","type":"module","exports":{".":"./src/index.ts","./*":"./src/*.ts"}}\n')
    expect(sourceFingerprint(root).fingerprint).not.toBe(c.fingerprint)
  })

  it('is cheap on the real repository', () => {
    sourceFingerprint()
    const t0 = performance.now()
    const fp = sourceFingerprint()
    expect(fp.files.size).toBeGreaterThan(100)
    expect(performance.now() - t0).toBeLessThan(200)
  })
})

describe('prepareServiceBundles', () => {
  it('builds runnable bundles whose import.meta names the sources; a service that does not build falls back alone', async () => {
    const root = fakeRepo()
    const warnings: string[] = []
    const b = await prepareServiceBundles({ root, entries: [GOOD, BAD], env: {}, warn: (l) => warnings.push(l) })
    expect(b?.built).toBe(true)
    expect(b!.dir).toBe(join(bundlesDir(root), b!.fingerprint))
    expect(Object.keys(b!.manifest.services)).toEqual(['good'])
    expect(b!.manifest.failed.bad).toMatch(/bad\.ts:\d+: /)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^service bundles: bad not bundled \(bad: .*\); it runs under tsx$/)
    expect(b!.bundleFor(BAD)).toBeUndefined()
    const file = b!.bundleFor(GOOD)!
    expect(file).toBe(join(b!.dir, 'good.mjs'))

    const text = readFileSync(file, 'utf8')
    expect(text).not.toMatch(/import\.meta/)
    expect(text).toMatch(/from "node-forge"/) // third-party stays external
    const out = JSON.parse(await run(file, ['good', 'x', 'goodd'])) as { service: string; forge: string; argv: string[] }
    expect(out.service).toBe(`good ${join(root, 'packages/lib/src/index.ts')} ${join(root, 'packages/lib/src')}`)
    expect(out.forge).toBe('object')
    expect(out.argv).toEqual(['good', 'x', 'goodd'])

    // the next start reuses the build; an edited source is not run from the stale bundle
    const again = await prepareServiceBundles({ root, entries: [GOOD, BAD], env: {}, warn: () => undefined })
    expect(again?.built).toBe(false)
    expect(again?.dir).toBe(b!.dir)
    write(root, 'packages/lib/src/good.ts', "export const createService = () => 'edited'\n")
    await new Promise((r) => setTimeout(r, 1100)) // bundleFor re-checks the sources at most once a second
    expect(again!.bundleFor(GOOD)).toBeUndefined()
    const rebuilt = await prepareServiceBundles({ root, entries: [GOOD, BAD], env: {}, warn: () => undefined })
    expect(rebuilt?.built).toBe(true)
    expect(rebuilt?.fingerprint).not.toBe(b!.fingerprint)
    expect(JSON.parse(await run(rebuilt!.bundleFor(GOOD)!)).service).toBe('edited')
  })

  it('WREN_SERVICE_BUNDLES=0 builds nothing; a build that cannot be made warns once and returns nothing', async () => {
    const root = fakeRepo()
    const warnings: string[] = []
    expect(await prepareServiceBundles({ root, entries: [GOOD], env: { WREN_SERVICE_BUNDLES: '0' }, warn: (l) => warnings.push(l) })).toBeUndefined()
    expect(existsSync(join(root, '.build'))).toBe(false)
    expect(warnings).toEqual([])

    write(root, '.build', 'a file where the build folder should be\n')
    expect(await prepareServiceBundles({ root, entries: [GOOD], env: {}, warn: (l) => warnings.push(l) })).toBeUndefined()
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^service bundles could not be built \(.*\); services run under tsx$/)
  })

  it('parallel builders in separate processes agree on one complete build', async () => {
    const root = fakeRepo()
    const script = join(root, 'prepare.mts')
    writeFileSync(script, [
      `import { prepareServiceBundles } from ${JSON.stringify(join(repoRoot, 'apps/server/src/supervisor/service-bundles.ts'))}`,
      `const b = await prepareServiceBundles({ root: ${JSON.stringify(root)}, entries: [${JSON.stringify(GOOD)}], env: {} })`,
      'process.stdout.write(JSON.stringify({ dir: b?.dir, built: b?.built }))',
      '',
    ].join('\n'))
    const tsx = join(repoRoot, 'node_modules/tsx/dist/esm/index.mjs')
    const outs = await Promise.all([0, 1, 2, 3].map(() => new Promise<{ dir: string; built: boolean }>((res, rej) =>
      execFile(process.execPath, ['--no-warnings', '--import', tsx, script], (err, stdout, stderr) => (err ? rej(new Error(stderr)) : res(JSON.parse(stdout)))))))
    expect(new Set(outs.map((o) => o.dir)).size).toBe(1)
    expect(outs.filter((o) => o.built).length).toBeGreaterThanOrEqual(1)
    const base = bundlesDir(root)
    expect(readdirSync(base).filter((n) => n.startsWith('.'))).toEqual([]) // no temporary folders left
    expect(readdirSync(outs[0]!.dir).sort()).toEqual(['good.mjs', 'good.mjs.map', 'in-use', 'manifest.json'])
    expect(JSON.parse(await run(join(outs[0]!.dir, 'good.mjs'))).service).toMatch(/^good /)
  }, 60_000)
})

describe('removeOldBuilds', () => {
  it('keeps the current build, the two most recent others and any a live daemon uses', () => {
    const base = mkdtempSync(join(tmpdir(), 'wren-bundles-old-'))
    roots.push(base)
    const make = (name: string, ageS: number, pid?: number) => {
      mkdirSync(join(base, name, 'in-use'), { recursive: true })
      writeFileSync(join(base, name, 'manifest.json'), '{}')
      const t = new Date(Date.now() - ageS * 1000)
      utimesSync(join(base, name, 'manifest.json'), t, t)
      if (pid) { writeFileSync(join(base, name, 'in-use', String(pid)), ''); utimesSync(join(base, name, 'in-use', String(pid)), t, t) }
    }
    make('current', 500)
    make('recent1', 10)
    make('recent2', 20)
    make('old', 30)
    make('used-by-live-daemon', 400, process.pid)
    make('used-by-dead-daemon', 300, 2 ** 22 + 12345) // above pid_max: never a live process
    mkdirSync(join(base, `.tmp-${2 ** 22 + 12345}-abcd`))
    mkdirSync(join(base, `.tmp-${process.pid}-abcd`))
    removeOldBuilds(base, 'current')
    expect(readdirSync(base).sort()).toEqual([`.tmp-${process.pid}-abcd`, 'current', 'recent1', 'recent2', 'used-by-live-daemon'])
  })
})
