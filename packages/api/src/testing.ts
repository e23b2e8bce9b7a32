// In-process ApiDeps on a temporary data root for unit tests and the list benchmark: the real control
// database, configuration, embedded directory and (on demand) store; the supervisor is replaced by a
// small in-memory services port (the daemon's own adapter is tested end to end in e2e/api).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { nullLogger, type Logger } from '@wren/kernel'
import { hashPassword, openControlDb } from '@wren/db'
import { openConfig } from '@wren/config'
import { openDirectory } from '@wren/directory'
import { openStore, type MailStore } from '@wren/store'
import type { ApiContext, ApiDeps, ServicesPort } from './context.js'
import { LoginLimiter } from './rate-limit.js'
import { createSession, loadSession } from './session.js'
import { appRouter } from './routers/index.js'
import { createCallerFactory } from './trpc.js'

export type ApiCaller = ReturnType<typeof appRouter.createCaller>

export interface TestApi {
  dataRoot: string
  deps: ApiDeps
  /** Creates an account and returns a caller signed in as it (CSRF header set). */
  as(username: string, role: 'global' | 'domain' | 'auditor', domains?: string[], opts?: { csrf?: boolean; ip?: string }): Promise<ApiCaller>
  anonymous(ip?: string): ApiCaller
  store(): MailStore
  close(): Promise<void>
}

export function memoryServices(names = ['store', 'imap', 'pop']): ServicesPort & { states: Map<string, string> } {
  const states = new Map(names.map((n) => [n, 'running']))
  const events: Array<{ at: string; line: string }> = []
  const listeners = new Set<() => void>()
  return {
    states,
    daemon: () => ({ pid: process.pid, startedAt: new Date(Date.now() - 60_000).toISOString(), hostname: 'test.host' }),
    status: () => [...states].map(([name, state]) => ({ name, state, restarts: 0 })),
    events: () => events,
    names: () => [...states.keys()],
    async action(name, action) {
      states.set(name, action === 'stop' ? 'stopped' : 'running')
      const line = `${action === 'stop' ? 'Stopped' : 'Started'} ${name}`
      events.push({ at: new Date().toISOString(), line })
      listeners.forEach((l) => l())
      return [line]
    },
    reloadConfig: async () => ({ restartNeeded: [] }),
    onChange(l) { listeners.add(l); return () => listeners.delete(l) },
  }
}

export async function openTestApi(opts: { log?: Logger; services?: ServicesPort; now?: () => number } = {}): Promise<TestApi> {
  const dataRoot = mkdtempSync(join(tmpdir(), 'wren-api-test-'))
  const db = await openControlDb(dataRoot)
  const config = await openConfig(dataRoot)
  const directory = await openDirectory({ dataRoot, config: config.view(), db, hostname: 'test.host' })
  let store: MailStore | undefined
  const getStore = () => (store ??= openStore({ dataRoot, config: config.view(), processName: 'test', hostname: 'test.host', quotaResolver: (id) => directory.quotaSource(id) }))
  const deps: ApiDeps = {
    db, directory, config,
    view: () => config.view(),
    services: opts.services ?? memoryServices(),
    quota: { report: async (id) => (getStore().userExists(id) ? getStore().quotaReport(id) : undefined), users: () => getStore().listUsers() },
    log: opts.log ?? nullLogger,
    ...(opts.now ? { now: opts.now } : {}),
  }
  deps.limiter = new LoginLimiter(deps)
  const factory = createCallerFactory(appRouter)
  const ctxFor = (session: ApiContext['session'], csrf: string | undefined, ip: string): ApiContext => ({
    deps, ip, secure: false, source: 'api', session, csrfHeader: csrf, setCookie: () => undefined,
  })
  return {
    dataRoot,
    deps,
    async as(username, role, domains = [], o = {}) {
      const acc = await db.prisma.adminAccount.upsert({
        where: { username },
        create: { username, role, domains: JSON.stringify(domains), passwordHash: await hashPassword(`${username}-password`) },
        update: { role, domains: JSON.stringify(domains) },
      })
      const s = await createSession(deps, acc.id, o.ip ?? '127.0.0.1')
      const session = await loadSession(deps, s.id)
      return factory(ctxFor(session, o.csrf === false ? undefined : s.csrfToken, o.ip ?? '127.0.0.1'))
    },
    anonymous: (ip = '127.0.0.1') => factory(ctxFor(null, undefined, ip)),
    store: getStore,
    async close() {
      store?.close()
      await directory.close()
      await db.close()
      rmSync(dataRoot, { recursive: true, force: true })
    },
  }
}
