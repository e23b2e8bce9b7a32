/**
 * ENS events (spec 01 §19). Mandatory fields: evtType, hostname, mailboxName, pid, process, timestamp (ms).
 * Optional fields follow the manual's names (imapUid, uidValidity, numMsgs, size, hdrLen, oldflags, newflags…).
 * Wire format for outside subscribers: `enp://127.0.0.1/store?evtType=NewMsg&timestamp=…&…`.
 */
export type EnsEventType =
  | 'AnnotateMsg' | 'ChangeFlag' | 'Copy' | 'DeleteMsg' | 'ExpungeMsg' | 'Login' | 'Logout' | 'MsgFlags'
  | 'NewMsg' | 'OverQuota' | 'UnderQuota' | 'PurgeMsg' | 'ReadMsg' | 'TrashMsg' | 'UpdateMsg'
  | 'SetAcl' | 'Create' | 'Delete' | 'Rename'

export interface EnsEvent {
  evtType: EnsEventType | string
  timestamp: number
  hostname: string
  process: string
  pid: number
  /** `uid` in the default domain, `uid@domain` otherwise; for internal routing, the store's mailbox id. */
  mailboxName: string
  [field: string]: string | number | undefined
}

/** Internal (non-ENS) control messages between Wren's own processes, e.g. `queue.enqueued`. */
export interface InternalMessage {
  topic: string
  [field: string]: unknown
}

/**
 * The process-crossing event bus. In the daemon the supervisor relays between service processes;
 * in a single process (tests, tools) it is a plain in-memory fan-out.
 */
export interface EventBus {
  publish(event: EnsEvent): void
  subscribe(listener: (event: EnsEvent) => void): () => void
  send(message: InternalMessage): void
  onMessage(topic: string, listener: (message: InternalMessage) => void): () => void
}

/** In-memory EventBus for one process. */
export function createLocalBus(): EventBus {
  const eventListeners = new Set<(e: EnsEvent) => void>()
  const topicListeners = new Map<string, Set<(m: InternalMessage) => void>>()
  return {
    publish(event) { for (const l of [...eventListeners]) l(event) },
    subscribe(listener) { eventListeners.add(listener); return () => eventListeners.delete(listener) },
    send(message) { for (const l of [...(topicListeners.get(message.topic) ?? [])]) l(message) },
    onMessage(topic, listener) {
      let set = topicListeners.get(topic)
      if (!set) topicListeners.set(topic, (set = new Set()))
      set.add(listener)
      return () => set!.delete(listener)
    },
  }
}

/** Encode an event in the ENS wire format (spec 01 §19). */
export function formatEnsEvent(event: EnsEvent, host = '127.0.0.1', topic = 'store'): string {
  const pairs = Object.entries(event)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
  return `enp://${host}/${topic}?${pairs.join('&')}`
}
