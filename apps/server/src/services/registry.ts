// The services the watcher knows, in the product's start order (spec 01 §2: "Launching watcher",
// then store, imap, pop, …, dispatcher, job_controller). Each runs in its own child process so that
// `kill -9` of one is a real crash (spec 01 §3). A module that is not there yet is `not installed`.
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface ServiceEntry {
  /** Product service name, as `start-msg`/`stop-msg` take it. */
  name: string
  /** Process name in the watcher log and in service log lines (`imapd`, `popd`, `stored`…). */
  proc: string
  /** Module file relative to the repository root, exporting `createService(): Service`. */
  module: string
  /** Option that enables the service (spec 01 §2 `<scope>.enable`). */
  enableOption: string
  /** When the registry has no value for enableOption. */
  enabledByDefault: boolean
  /** Store-group services restart together (spec 01 §3). */
  group?: 'store'
  /** Hosted by the daemon itself rather than a child process (the control API). */
  inProcess?: boolean
  /**
   * Extra node/V8 flags for the child process (fork execArgv). The MTA processes keep a small young
   * generation and a tighter old-generation growth: their live heap is ~20 MB, but with V8's
   * defaults the garbage of a 10,000-message run grew them to 230–250 MB RSS each (bench/smtp).
   */
  nodeFlags?: readonly string[]
}

/** V8 heap sizing of the MTA service processes (bench/smtp, 10,000 messages: peak RSS of both 344–392 MB → 270–282 MB). */
const MTA_NODE_FLAGS = ['--max-semi-space-size=4', '--heap-growing-percent=50'] as const

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..')

export const SERVICES: readonly ServiceEntry[] = [
  { name: 'ens', proc: 'enpd', module: 'packages/ens/src/service.ts', enableOption: 'ens.enable', enabledByDefault: false },
  { name: 'store', proc: 'stored', module: 'packages/store/src/service.ts', enableOption: 'store.enable', enabledByDefault: true, group: 'store' },
  { name: 'imap', proc: 'imapd', module: 'packages/imap/src/service.ts', enableOption: 'imap.enable', enabledByDefault: true, group: 'store' },
  { name: 'pop', proc: 'popd', module: 'packages/pop/src/service.ts', enableOption: 'pop.enable', enabledByDefault: true, group: 'store' },
  { name: 'sched', proc: 'imsched', module: 'apps/server/src/sched/service.ts', enableOption: 'schedule.enable', enabledByDefault: true },
  { name: 'dispatcher', proc: 'dispatcher', module: 'packages/mta/src/dispatcher-service.ts', enableOption: 'mta.enable', enabledByDefault: true, nodeFlags: MTA_NODE_FLAGS },
  { name: 'job_controller', proc: 'job_controller', module: 'packages/mta/src/job-controller-service.ts', enableOption: 'mta.enable', enabledByDefault: true, nodeFlags: MTA_NODE_FLAGS },
  { name: 'metermaid', proc: 'metermaid', module: 'packages/metermaid/src/service.ts', enableOption: 'metermaid.enable', enabledByDefault: true },
  { name: 'admin', proc: 'admin', module: 'apps/server/src/admin/control-server.ts', enableOption: 'admin.enable', enabledByDefault: true, inProcess: true },
  // The web console (issue 6): `next start` in its own process, after admin so that the admin API it
  // proxies /trpc to is already listening (admin runs in the watcher and is up before any child).
  { name: 'console', proc: 'console', module: 'apps/server/src/services/console-service.ts', enableOption: 'console.enable', enabledByDefault: true },
]

/**
 * Test-only services (real processes that crash for real), selected by `WREN_TEST_SERVICES=1`.
 * `alpha` and `beta` belong to the store group; `thrower` throws in start or at run time as
 * `WREN_TEST_THROW=start|runtime` says.
 */
export const TEST_SERVICES: readonly ServiceEntry[] = [
  { name: 'alpha', proc: 'alphad', module: 'apps/server/src/services/testing/alpha.ts', enableOption: 'alpha.enable', enabledByDefault: true, group: 'store' },
  { name: 'beta', proc: 'betad', module: 'apps/server/src/services/testing/beta.ts', enableOption: 'beta.enable', enabledByDefault: true, group: 'store' },
  { name: 'thrower', proc: 'throwerd', module: 'apps/server/src/services/testing/thrower.ts', enableOption: 'thrower.enable', enabledByDefault: true },
]

export function serviceRegistry(env: NodeJS.ProcessEnv = process.env): ServiceEntry[] {
  if (env.WREN_TEST_SERVICES === '1') {
    // Test services run after the product's services, before admin and what follows it (console).
    const at = SERVICES.findIndex((s) => s.inProcess)
    return [...SERVICES.slice(0, at), ...TEST_SERVICES, ...SERVICES.slice(at)]
  }
  return [...SERVICES]
}

export function modulePath(entry: ServiceEntry): string {
  return join(repoRoot, entry.module)
}

export function isInstalled(entry: ServiceEntry): boolean {
  return existsSync(modulePath(entry))
}
