// The daemon's control API (run/control.json): status, start/stop/restart/refresh of services and
// config-reload after an msconfig write. Every route answers JSON.
import type { ServerConfig } from '../config-source.js'
import type { Supervisor } from '../supervisor/supervisor.js'
import { HttpError, Router, type RouteContext } from './router.js'
import { optionOwners, refreshableByDefault } from './option-owners.js'

export interface ControlDeps {
  supervisor: Supervisor
  config: ServerConfig
  /** `ready` turns true once the initial start of the services is over. */
  daemon: { pid: number; startedAt: string; dataRoot: string; hostname: string; ready: boolean }
  /** Stops every service and then the daemon itself (stop-msg with no argument). */
  shutdown(force: boolean): Promise<unknown>
}

function serviceList(ctx: RouteContext, sup: Supervisor): string[] {
  const b = (ctx.body ?? {}) as { services?: unknown }
  if (b.services === undefined) return []
  if (!Array.isArray(b.services) || b.services.some((s) => typeof s !== 'string')) throw new HttpError(400, '`services` must be a list of service names')
  const names = b.services as string[]
  const unknown = names.filter((n) => !sup.has(n))
  if (unknown.length) throw new HttpError(400, `unknown service${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (known: ${sup.names.join(' ')})`)
  return names
}

export interface ReloadOutcome {
  changed: string[]
  applied: string[]
  restartNeeded: string[]
  restart: Array<{ option: string; services: string[] }>
  refreshed: Array<{ service: string; ok: boolean; error?: string }>
}

/** Re-reads the configuration, pushes refreshable changes to running services, reports the rest. */
export async function reloadConfig(deps: Pick<ControlDeps, 'supervisor' | 'config'>): Promise<ReloadOutcome> {
  const { supervisor: sup, config } = deps
  const changed = await config.reload()
  const applied: string[] = []
  const restartNeeded: string[] = []
  const restart: ReloadOutcome['restart'] = []
  const toRefresh = new Set<string>()
  const running = new Set(sup.status().filter((s) => s.state === 'running').map((s) => s.name))
  for (const option of changed) {
    const owners = optionOwners(option, sup.names)
    const refreshable = config.refreshable(option) ?? refreshableByDefault(option)
    if (refreshable) {
      applied.push(option)
      owners.filter((o) => running.has(o)).forEach((o) => toRefresh.add(o))
    } else {
      restartNeeded.push(option)
      restart.push({ option, services: owners })
    }
  }
  const refreshed = toRefresh.size ? await sup.refresh([...toRefresh], changed) : []
  return { changed, applied, restartNeeded, restart, refreshed }
}

export function controlRouter(deps: ControlDeps): Router {
  const sup = deps.supervisor
  const router = new Router()
  router.route('GET', '/control/status', () => ({
    json: { daemon: { ...deps.daemon, uptime: Math.round((Date.now() - Date.parse(deps.daemon.startedAt)) / 1000) }, services: sup.status(), events: sup.events() },
  }))
  router.route('POST', '/control/start', async (ctx) => ({ json: { lines: await sup.start(serviceList(ctx, sup)) } }))
  router.route('POST', '/control/stop', async (ctx) => {
    const names = serviceList(ctx, sup)
    const force = (ctx.body as { force?: unknown }).force === true
    if (!names.length) {
      // stop-msg with no argument: every service, then the daemon (after this answer is sent)
      const lines = await sup.shutdown(force)
      return { json: { lines, daemonStopping: true, pid: deps.daemon.pid }, after: () => void deps.shutdown(force) }
    }
    return { json: { lines: await sup.stop(names, force) } }
  })
  router.route('POST', '/control/restart', async (ctx) => {
    const names = serviceList(ctx, sup)
    if (!names.length) throw new HttpError(400, 'name the services to restart')
    return { json: { lines: await sup.restart(names) } }
  })
  router.route('POST', '/control/refresh', async (ctx) => {
    const names = serviceList(ctx, sup)
    if (!names.length) throw new HttpError(400, 'name the services to refresh')
    const changed = await deps.config.reload()
    const results = await sup.refresh(names, changed)
    const restartNeeded = changed.filter((o) => !(deps.config.refreshable(o) ?? refreshableByDefault(o)))
    return { json: { results, changed, restartNeeded } }
  })
  router.route('POST', '/control/config-reload', async () => ({ json: await reloadConfig(deps) }))
  return router
}
