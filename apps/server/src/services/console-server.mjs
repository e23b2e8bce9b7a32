// The console's HTTP server, run by console-service.ts as a child process (plain Node, no tsx):
// Next.js in production mode (the `next build` output of apps/console) behind a small front that
// proxies `/trpc/*` to the daemon's admin API at request time.
//
// Why not `next start` with the rewrite in next.config.ts alone: Next.js resolves rewrites when it
// BUILDS (they are written to .next/routes-manifest.json), so a console built once would keep
// proxying to the admin port of the build machine. Here the admin endpoint comes from this
// process's environment, i.e. from the running daemon's admin.listenaddr/admin.port.
//
// The proxy streams both ways (Server-Sent Events of services.onStatus stay live), passes cookies and
// the CSRF header through, and sets x-forwarded-for / -proto / -host from the browser's connection;
// the API trusts them only because this proxy connects from loopback (contract "Shape").
//
// env: WREN_CONSOLE_DIR, WREN_CONSOLE_HOST, WREN_CONSOLE_PORT (0 = any), WREN_ADMIN_HOST, WREN_ADMIN_PORT
import { createServer, request } from 'node:http'
import { createRequire } from 'node:module'

const dir = process.env.WREN_CONSOLE_DIR
const host = process.env.WREN_CONSOLE_HOST || '127.0.0.1'
const port = Number(process.env.WREN_CONSOLE_PORT ?? 8081)
const adminHost = process.env.WREN_ADMIN_HOST || '127.0.0.1'
const adminPort = Number(process.env.WREN_ADMIN_PORT ?? 8080)
if (!dir) {
  process.stderr.write('console-server: WREN_CONSOLE_DIR is not set\n')
  process.exit(64)
}

// hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'])

function proxy(req, res) {
  const headers = {}
  for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k)) headers[k] = v
  const peer = req.socket.remoteAddress ?? ''
  headers['x-forwarded-for'] = peer.startsWith('::ffff:') ? peer.slice(7) : peer
  headers['x-forwarded-proto'] = 'http'
  if (req.headers.host) headers['x-forwarded-host'] = req.headers.host
  headers.host = `${adminHost}:${adminPort}`
  const up = request({ host: adminHost, port: adminPort, method: req.method, path: req.url, headers }, (ur) => {
    const out = {}
    for (const [k, v] of Object.entries(ur.headers)) if (!HOP.has(k) && v !== undefined) out[k] = v
    res.writeHead(ur.statusCode ?? 502, out)
    res.flushHeaders()
    ur.pipe(res)
  })
  up.on('error', (err) => {
    if (res.headersSent) { res.destroy(); return }
    res.writeHead(502, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: { message: `the admin API at ${adminHost}:${adminPort} is not reachable (${err.code ?? err.message})`, code: -32603, data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 502 } } }))
  })
  // the browser went away (e.g. an SSE subscription ends): end the upstream request too
  res.on('close', () => { if (!up.destroyed) up.destroy() })
  req.pipe(up)
}

const require = createRequire(`${dir}/package.json`)
const next = require('next')
const app = next({ dir, dev: false, hostname: host, port })
await app.prepare()
const handle = app.getRequestHandler()

const server = createServer((req, res) => {
  if (req.url === '/trpc' || req.url?.startsWith('/trpc/') || req.url?.startsWith('/trpc?')) proxy(req, res)
  else handle(req, res)
})
server.on('error', (err) => {
  process.stderr.write(`console-server: ${err.message}\n`)
  process.exit(1)
})
server.listen(port, host, () => {
  const a = server.address()
  process.stdout.write(`console listening on http://${host}:${a.port} (admin API ${adminHost}:${adminPort})\n`)
})
const stop = () => {
  server.close(() => process.exit(0))
  server.closeAllConnections() // open SSE streams would hold close() forever
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
