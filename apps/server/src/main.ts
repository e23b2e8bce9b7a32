// `wren`: the daemon. Runs configure on a new data root, then the watcher: the control API in this
// process and every enabled service in its own child process, in the product's order (spec 01 §2–3).
//   node --import tsx apps/server/src/main.ts [--only svc,svc]
// Stops cleanly on SIGINT/SIGTERM (Ctrl-C) or `stop-msg`; a second Ctrl-C kills the services.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { createBusHub } from '@wren/ens'
import { createLogManager, formatWatcherDate, openWatcherLog } from '@wren/logging'
import { openServerConfig, stringOption, numberOption } from './config-source.js'
import { configuredOptions, ensureConfigured } from './configure/index.js'
import { resolveDataRoot } from './data-root.js'
import { controlRouter, reloadConfig } from './admin/control-routes.js'
import { startControlServer } from './admin/control-server.js'
import { openAdminApi, type AdminApi } from './admin/api-deps.js'
import { pidFilePath, processAlive, removeRunFiles, writeControlFile } from './admin/control-file.js'
import { serviceRegistry } from './services/registry.js'
import { Supervisor } from './supervisor/supervisor.js'
import { prepareServiceBundles } from './supervisor/service-bundles.js'
import { formatListeners } from './listeners-report.js'

const out = (line: string) => process.stdout.write(line + '\n')

function parseArgs(argv: string[]): { only: string[] } {
  const only: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--only' && argv[i + 1]) only.push(...argv[++i]!.split(',').filter(Boolean))
    else if (a.startsWith('--only=')) only.push(...a.slice(7).split(',').filter(Boolean))
    else throw new Error(`usage: wren [--only service,...] (unknown argument '${a}')`)
  }
  return { only }
}

/** One daemon per data root: run/wren.pid, created exclusively (a stale file is taken over). */
function claimPidFile(dataRoot: string): void {
  const path = pidFilePath(dataRoot)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644)
      writeSync(fd, `${process.pid}\n`)
      closeSync(fd)
      return
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const other = Number(readFileSync(path, 'utf8').trim())
      if (other && other !== process.pid && processAlive(other)) throw new Error(`a wren daemon is already running for ${dataRoot} (pid ${other})`)
      removeRunFiles(dataRoot, other)
      rmSync(path, { force: true })
    }
  }
  throw new Error(`cannot create ${path}`)
}

async function main(): Promise<void> {
  const { only } = parseArgs(process.argv.slice(2))
  const dataRoot = resolveDataRoot()
  // Services run as precompiled bundles (D25), built here when the sources changed, alongside the
  // daemon's own start; a failure only warns and leaves those services to tsx.
  const bundleWarnings: string[] = []
  const bundles = prepareServiceBundles({ warn: (line) => { bundleWarnings.push(line); out(`wren: ${line}`) } })
  const configure = await ensureConfigured(dataRoot, {
    config: async (configured) => (await openServerConfig(dataRoot, configured)).view(),
  })
  claimPidFile(dataRoot)
  const configured = configuredOptions(configure.state)
  const hostname = configured['base.hostname']!
  if (configure.fresh) {
    out(`wren: configured a new data root at ${dataRoot}`)
    out(`  host name       ${hostname}`)
    out(`  default domain  ${configured['base.defaultdomain']}`)
    out(`  postmaster      ${configure.state['Postmaster.TextField']}`)
    out(`  relay allowed   ${configure.state.InternalIPList.join(' ')} (INTERNAL_IP)`)
    out(`  certificate     ${configure.tls.cert} (self-signed)`)
    if (configure.adminPassword) {
      out(`  administrator   admin / ${configure.adminPassword}`)
      out('  (this password is shown once and stored only as a hash; keep it now)')
    }
    if (configure.state.directory === 'skipped') out('  directory       not provisioned (no administrator password to set)')
  } else {
    out(`wren: using the configured data root at ${dataRoot} (${hostname})`)
  }

  const config = await openServerConfig(dataRoot, configured)
  const logs = createLogManager({ dataRoot, config: config.view(), proc: 'watcher', hostname })
  const log = logs.logger('default')
  const watcherLog = openWatcherLog(dataRoot)
  watcherLog.write(`watcher process ${process.pid} started at ${formatWatcherDate(new Date())}`)
  const hub = createBusHub()
  const serviceBundles = await bundles
  for (const line of bundleWarnings) log.warning('General', line)
  const supervisor = new Supervisor({ dataRoot, hostname, config: () => config.view(), configured, entries: serviceRegistry(), watcherLog, hub, out, bundles: serviceBundles })
  const startedAt = new Date().toISOString()

  let stopping: Promise<void> | undefined
  let control: Awaited<ReturnType<typeof startControlServer>> | undefined
  let adminApi: AdminApi | undefined
  const shutdown = (force: boolean): Promise<void> => {
    if (stopping) return stopping
    stopping = (async () => {
      await supervisor.shutdown(force)
      await adminApi?.close().catch(() => undefined)
      await control?.close().catch(() => undefined)
      removeRunFiles(dataRoot)
      watcherLog.write(`watcher process ${process.pid} stopped at ${formatWatcherDate(new Date())}`)
      log.notice('General', 'wren daemon stopped')
      await logs.close()
      await config.close().catch(() => undefined)
      out('wren: stopped')
    })()
    return stopping.then(() => process.exit(0))
  }
  let interrupts = 0
  let lastSignalAt = 0
  const onSignal = () => {
    // A terminal's Ctrl-C may arrive twice (from the tty and forwarded by npm start): one press.
    const now = Date.now()
    if (now - lastSignalAt < 1000) return
    lastSignalAt = now
    interrupts++
    if (interrupts === 1) { out('wren: stopping (Ctrl-C again to kill the services)'); void shutdown(false) }
    else { void supervisor.stop([], true).then(() => { removeRunFiles(dataRoot); process.exit(1) }) }
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  // SIGHUP: re-read the configuration and push refreshable changes (as `msconfig` does after a write)
  process.on('SIGHUP', () => {
    void reloadConfig({ supervisor, config }).then(
      (r) => log.notice('General', `SIGHUP: configuration reloaded; applied: ${r.applied.join(' ') || '-'}; restart needed: ${r.restartNeeded.join(' ') || '-'}`),
      (err: unknown) => log.error('General', `SIGHUP: configuration reload failed: ${String(err)}`),
    )
  })
  process.on('uncaughtException', (err) => {
    log.critical('General', `wren daemon: uncaught exception: ${err.stack ?? err.message}`)
    logs.flushSync()
    removeRunFiles(dataRoot)
    process.stderr.write(`wren: ${err.stack ?? err.message}\n`)
    process.exit(1)
  })

  out(`Launching watcher ... ${process.pid}`)
  const daemonInfo = { pid: process.pid, startedAt, dataRoot, hostname, ready: false }
  const router = controlRouter({ supervisor, config, daemon: daemonInfo, shutdown: (f) => shutdown(f) })
  // The admin API (issue 6): /trpc on the control server, authenticated by its own session cookie.
  adminApi = await openAdminApi({ dataRoot, hostname, supervisor, config, daemon: daemonInfo, log })
  adminApi.mount(router)
  const view = config.view()
  const host = stringOption(view, 'admin.listenaddr', '127.0.0.1')
  const port = numberOption(view, 'admin.port', 8080)
  try {
    control = await startControlServer(router, { host, port })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    removeRunFiles(dataRoot)
    throw new Error(code === 'EADDRINUSE' ? `the control port ${host}:${port} (admin.port) is in use by another program` : String(err))
  }
  adminApi.attach(control)
  writeControlFile(dataRoot, { port: control.port, host, token: control.token, pid: process.pid, startedAt })
  supervisor.markInProcess('admin', control.listeners())
  log.notice('General', `wren daemon started (pid ${process.pid}), control API on ${host}:${control.port}`)

  await supervisor.start(only)
  daemonInfo.ready = true
  if (stopping) return
  out('Listeners:')
  for (const l of formatListeners(supervisor.status())) out(l)
  const notInstalled = supervisor.status().filter((s) => s.state === 'not installed').map((s) => s.name)
  if (notInstalled.length) out(`Not installed: ${notInstalled.join(' ')}`)
  out(`wren: ready — data root ${dataRoot}; stop with Ctrl-C or stop-msg`)
}

main().catch((err: unknown) => {
  process.stderr.write(`wren: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
