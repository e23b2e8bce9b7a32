// The Node `(req, res)` handler for everything under `/trpc` (queries, mutations, batching and SSE
// subscriptions for httpSubscriptionLink), mounted on the daemon's control server.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createHTTPHandler } from '@trpc/server/adapters/standalone'
import { appRouter } from './routers/index.js'
import { createApiContextFactory, type ApiDeps } from './context.js'

export const TRPC_PREFIX = '/trpc'
/** Bulk imports carry whole CSV/LDIF files. */
const MAX_BODY = 25 * 1024 * 1024

export function createTrpcHttpHandler(deps: ApiDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const createContext = createApiContextFactory(deps)
  const handler = createHTTPHandler({
    router: appRouter,
    basePath: `${TRPC_PREFIX}/`,
    maxBodySize: MAX_BODY,
    createContext: ({ req, res }) => createContext({ req, res }),
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') deps.log.error('General', `admin API ${path ?? '?'}: ${error.cause?.stack ?? error.stack ?? error.message}`)
    },
    responseMeta() {
      return { headers: { 'cache-control': 'no-store' } }
    },
  })
  return (req, res) => {
    // `/trpc` alone (no procedure) is not a tRPC path
    if (req.url === TRPC_PREFIX || req.url?.startsWith(`${TRPC_PREFIX}?`)) {
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: 'name a procedure: /trpc/<router>.<procedure>' }))
      return
    }
    handler(req, res)
  }
}
