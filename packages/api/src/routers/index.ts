// The admin API's root router (issue 6 contract). The console imports only `type AppRouter`.
import { router } from '../trpc.js'
import { authRouter } from './auth.js'
import { domainsRouter } from './domains.js'
import { usersRouter } from './users.js'
import { groupsRouter } from './groups.js'
import { quotasRouter } from './quotas.js'
import { configRouter } from './config.js'
import { auditRouter } from './audit.js'
import { servicesRouter } from './services.js'
import { adminsRouter } from './admins.js'
import { queueRouter } from './queue.js'
import { logsRouter } from './logs.js'

export const appRouter = router({
  auth: authRouter,
  domains: domainsRouter,
  users: usersRouter,
  groups: groupsRouter,
  quotas: quotasRouter,
  config: configRouter,
  audit: auditRouter,
  services: servicesRouter,
  admins: adminsRouter,
  queue: queueRouter,
  logs: logsRouter,
})

export type AppRouter = typeof appRouter
