// Entry point of one service process: `node --import tsx child-entry.ts <service> <module> <proc>`,
// or the service's precompiled bundle (supervisor/service-bundles.ts: this file plus the service
// module, same argv), which passes the module it was built with to runServiceProcess.
// Builds the ServiceContext (config view, product-format logger, bus over IPC, data root, host
// name), starts the service, reports `ready` with its listeners, and obeys stop/refresh/health.
// Anything thrown in start or at run time ends the process with EXIT_SERVICE_FAILED: the watcher
// counts it as a crash (spec 01 §3).
import { pathToFileURL } from 'node:url'
import type { Service, ServiceContext, ServiceFactory } from '@wren/kernel'
import { connectBusToParent } from '@wren/ens'
import { createLogManager } from '@wren/logging'
import { openServerConfig } from '../config-source.js'
import { EXIT_SERVICE_FAILED, isCtl, type FromChild, type ToChild } from '../supervisor/protocol.js'

const [name = '', modulePath = '', proc = name] = process.argv.slice(2)
const dataRoot = process.env.WREN_DATA ?? ''
const hostname = process.env.WREN_HOSTNAME ?? 'localhost'
const configured = JSON.parse(process.env.WREN_CONFIGURED ?? '{}') as Record<string, string | number>

const send = (msg: FromChild) => { if (process.send && process.connected) process.send(msg) }

type ServiceModule = { createService?: ServiceFactory }

async function main(load: () => Promise<ServiceModule> | ServiceModule): Promise<void> {
  const config = await openServerConfig(dataRoot, configured)
  const logs = createLogManager({ dataRoot, config: config.view(), proc, hostname })
  const defaultLog = logs.logger('default')
  let service: Service | undefined
  let stopping = false

  const die = (what: string, err: unknown) => {
    const text = err instanceof Error ? err.stack ?? err.message : String(err)
    defaultLog.critical('General', `${name}: ${what}: ${text}`)
    logs.flushSync()
    process.stderr.write(`${proc}[${process.pid}]: ${what}: ${text}\n`)
    process.exit(EXIT_SERVICE_FAILED)
  }
  process.on('uncaughtException', (err) => die('uncaught exception', err))
  process.on('unhandledRejection', (err) => die('unhandled rejection', err))

  const stop = async () => {
    if (stopping) return
    stopping = true
    try {
      await service?.stop()
    } catch (err) {
      defaultLog.error('General', `${name}: stop failed: ${err instanceof Error ? err.message : String(err)}`)
    }
    await logs.close()
    await config.close().catch(() => undefined)
    process.exit(0)
  }

  process.on('message', (raw: unknown) => {
    if (!isCtl(raw)) return
    const msg = raw as ToChild
    if (msg.kind === 'stop') void stop()
    else if (msg.kind === 'health') {
      const id = msg.id
      Promise.resolve(service?.health ? service.health() : { ok: true })
        .then((health) => send({ wren: 'ctl', kind: 'reply', id, ok: true, health }))
        .catch((err: unknown) => send({ wren: 'ctl', kind: 'reply', id, ok: false, error: String(err) }))
    } else if (msg.kind === 'refresh') {
      const id = msg.id
      void (async () => {
        try {
          const changed = new Set([...msg.changed, ...(await config.reload())])
          if (service?.refresh) await service.refresh([...changed])
          send({ wren: 'ctl', kind: 'reply', id, ok: true, refreshed: [...changed] })
        } catch (err) {
          send({ wren: 'ctl', kind: 'reply', id, ok: false, error: err instanceof Error ? err.message : String(err) })
        }
      })()
    }
  })
  // The daemon went away (killed): do not linger as an orphan holding ports.
  process.on('disconnect', () => void stop())
  process.on('SIGTERM', () => void stop())
  process.on('SIGINT', () => { /* the daemon decides; Ctrl-C in a terminal reaches the whole group */ })

  const mod = await load()
  if (typeof mod.createService !== 'function') throw new Error(`${modulePath} does not export createService()`)
  service = mod.createService()
  const bus = connectBusToParent()
  const ctx: ServiceContext = {
    dataRoot,
    hostname,
    config: config.view(),
    logger: (n) => logs.logger(n),
    bus,
    lookup: <T>(n: string) => (n === name ? (service as T) : undefined),
  }
  try {
    await service.start(ctx)
  } catch (err) {
    defaultLog.critical('General', `${name}: start failed: ${err instanceof Error ? err.message : String(err)}`)
    logs.flushSync()
    throw err
  }
  send({ wren: 'ctl', kind: 'ready', listeners: service.listeners?.() ?? [] })
}

export function runServiceProcess(load: () => Promise<ServiceModule> | ServiceModule): void {
  main(load).catch((err: unknown) => {
    const text = err instanceof Error ? err.message : String(err)
    process.stderr.write(`${proc}[${process.pid}]: start failed: ${err instanceof Error ? err.stack ?? text : text}\n`)
    // Exit once the supervisor has the reason (the IPC write's callback); without a channel, now.
    const exit = () => process.exit(EXIT_SERVICE_FAILED)
    if (process.send && process.connected) process.send({ wren: 'ctl', kind: 'start-failed', error: text } satisfies FromChild, exit)
    else exit()
  })
}

// A service bundle sets this global in its banner, before any module runs, and calls
// runServiceProcess itself; run under tsx, load the module named in argv.
if (!(globalThis as { __wrenServiceBundle?: boolean }).__wrenServiceBundle) {
  runServiceProcess(async () => (await import(pathToFileURL(modulePath).href)) as ServiceModule)
}
