// The console is a separate process (service `console`, spec: issue 6). The browser only ever talks
// to the console's origin; `/trpc/*` is proxied to the daemon's admin API on
// admin.listenaddr:admin.port so the session cookie stays same-origin (SameSite=Strict).
// WREN_ADMIN_HOST / WREN_ADMIN_PORT are read when `next build` / `next start` runs (rewrites are
// evaluated at server start), so the supervisor sets them in the child's environment.
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { NextConfig } from 'next'

const here = dirname(fileURLToPath(import.meta.url))
/** npm workspaces: next, react and @wren/* live in the repo root's node_modules. */
const repoRoot = resolve(here, '../..')

const adminHost = process.env.WREN_ADMIN_HOST ?? '127.0.0.1'
const adminPort = process.env.WREN_ADMIN_PORT ?? '8080'

const config: NextConfig = {
  // WREN_CONSOLE_DISTDIR lets a second build (a bench, a developer's check) run beside the
  // daemon's own `.next` without the two fighting over one build directory. Same value for
  // `next build` and `next start`.
  distDir: process.env.WREN_CONSOLE_DISTDIR || '.next',
  reactStrictMode: true,
  poweredByHeader: false,
  outputFileTracingRoot: repoRoot,
  turbopack: { root: repoRoot },
  // The build runs in CI and on 2-core machines next to the daemon's tests: type-check is wanted
  // (it is the console's only compile check), lint is not configured.
  typescript: { ignoreBuildErrors: false },
  async rewrites() {
    return [{ source: '/trpc/:path*', destination: `http://${adminHost}:${adminPort}/trpc/:path*` }]
  },
}

export default config
