// Child side of the process-crossing EventBus: a service process publishes to its own listeners and
// to the daemon, which relays to every other service (see hub.ts). Without an IPC channel (a tool or
// a test running the service in-process) it is a plain local bus.
import { createLocalBus, type EventBus } from '@wren/kernel'
import { isBusEnvelope, type BusEnvelope } from './envelope.js'

export interface ParentBus extends EventBus {
  /** Stops listening to the parent (the IPC channel itself is left to its owner). */
  close(): void
}

type IpcProcess = Pick<NodeJS.Process, 'on' | 'off' | 'send' | 'connected'>

export function connectBusToParent(proc: IpcProcess = process): ParentBus {
  const local = createLocalBus()
  const toParent = (envelope: BusEnvelope) => {
    if (!proc.send || !proc.connected) return
    try {
      proc.send(envelope)
    } catch {
      // parent gone: we are being shut down
    }
  }
  const onMessage = (msg: unknown) => {
    if (!isBusEnvelope(msg)) return
    if (msg.kind === 'event') local.publish(msg.event)
    else local.send(msg.message)
  }
  proc.on('message', onMessage)
  return {
    publish(event) {
      local.publish(event)
      toParent({ wren: 'bus', kind: 'event', event })
    },
    send(message) {
      local.send(message)
      toParent({ wren: 'bus', kind: 'message', message })
    },
    subscribe: (l) => local.subscribe(l),
    onMessage: (t, l) => local.onMessage(t, l),
    close: () => { proc.off('message', onMessage) },
  }
}
