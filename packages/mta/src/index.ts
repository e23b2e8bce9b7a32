// @wren/mta public API. Policy layer (mapping tables, rewrite rules, channels, mail.log) is H6's
// policy.ts; the transport (listeners, queue, job controller, delivery, DSN) is below.
export * from './policy.js'

export { createService as createDispatcherService, DispatcherService, type DispatcherOptions } from './dispatcher-service.js'
export { createService as createJobControllerService, JobControllerService, type JobControllerOptions } from './job-controller-service.js'
export type { ListenerDef } from './dispatcher/smtp-listener.js'
export { listenerDefs, DEFAULT_SERVICES } from './dispatcher/listener-config.js'
export { expandRecipient, type Expansion } from './dispatcher/expand.js'

export { QueueStore, type QueueStoreOptions } from './queue/queue-store.js'
export { QueueIndex, type EntryRow } from './queue/index-db.js'
export { type QueueFilter } from './queue/filter.js'
export { type QueueEnvelope, type QueueRecipient, readEnvelope } from './queue/format.js'
export { attemptPrefix, attemptsFromPrefix, parseQueueName, queueFileName } from './queue/names.js'
export { holdMatching, releaseMatching, retryMatching, deleteMatching, returnMatching, type BulkResult } from './queue/operations.js'
export { ChannelCounters, readCounters, clearCounters } from './queue/counters.js'

export { JobController, type JobInfo } from './jobs/job-controller.js'
export { channelSettings, type ChannelSettings } from './jobs/channel-settings.js'
export { buildDsn, wants } from './dsn/build.js'

export * from './ports.js'
export { basicPolicy } from './basic-policy.js'
export { directoryPort } from './directory-adapter.js'
export { mailLogPort, openTransportLog } from './maillog-adapter.js'
export { defaultPolicy, buildRuntime } from './runtime.js'
