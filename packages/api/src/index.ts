// @wren/api — the admin API (issue 6): tRPC 11 routers, sessions, RBAC, audit.
//   daemon:  router.mount('/trpc', createTrpcHttpHandler(deps)); attachTrpcWebSocket(server, deps)
//   console: import type { AppRouter } from '@wren/api'
export { appRouter, type AppRouter } from './routers/index.js'
export { createApiContextFactory, type ApiDeps, type ApiContext, type ServicesPort, type QuotaPort, type ServiceStatusLike } from './context.js'
export { createTrpcHttpHandler, TRPC_PREFIX } from './http.js'
export { attachTrpcWebSocket, defaultAllowedOrigins, type TrpcWebSocket } from './ws.js'
export { PERMISSIONS, roleAllows, type Permission } from './rbac.js'
export { LoginLimiter } from './rate-limit.js'
export type * from './types.js'
