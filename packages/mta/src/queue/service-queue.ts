// The queue as an MTA service process opens it: the channel's `subdirs` layout, and per-channel
// counters (spec 02 §2) fed from the same mail.log records the service writes.
import type { ServiceContext } from '@wren/kernel'
import type { TransportLog } from '../ports.js'
import { ChannelCounters, countingLog } from './counters.js'
import { QueueStore } from './queue-store.js'

export interface ServiceQueue {
  queue: QueueStore
  /** False when a test handed the queue in: the service must not close it. */
  ownsQueue: boolean
  /** The service's log, wrapped so that every record also updates the counters. */
  log: TransportLog
  closeCounters(): void
}

export function openServiceQueue(ctx: Pick<ServiceContext, 'dataRoot' | 'config'>, log: TransportLog, given?: QueueStore, opts: { journal?: boolean; checkpointEveryMs?: number } = {}): ServiceQueue {
  const subdirs = (channel: string) => Number(ctx.config.find(`channel:${channel}.subdirs`) ?? 0)
  // The dispatcher owns the commit journal (journal.ts, D26); the other processes read it. The job
  // controller checkpoints the index's WAL, off the dispatcher's event loop (QueueStoreOptions).
  const queue = given ?? new QueueStore({ dataRoot: ctx.dataRoot, subdirs, journal: opts.journal, checkpointEveryMs: opts.checkpointEveryMs })
  const counters = new ChannelCounters(queue.index)
  return { queue, ownsQueue: !given, log: countingLog(log, counters), closeCounters: () => counters.close() }
}
