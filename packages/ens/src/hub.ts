// Parent side of the process-crossing EventBus: the daemon relays every event or internal message
// published by one service process to all the others and to its own in-process listeners.
import type { ChildProcess } from 'node:child_process'
import { createLocalBus, type EventBus } from '@wren/kernel'
import { isBusEnvelope, type BusEnvelope } from './envelope.js'

export interface BusHub extends EventBus {
  /** Relays between this child and every other attached child; returns a detach function. */
  attach(child: ChildProcess, name?: string): () => void
  /** Number of attached children (for status). */
  readonly size: number
}

export function createBusHub(): BusHub {
  const local = createLocalBus()
  const children = new Set<ChildProcess>()

  const relay = (envelope: BusEnvelope, from?: ChildProcess) => {
    for (const c of children) {
      if (c === from || !c.connected) continue
      try {
        c.send(envelope)
      } catch {
        // the child is going away; the supervisor notices its exit
      }
    }
    if (envelope.kind === 'event') local.publish(envelope.event)
    else local.send(envelope.message)
  }

  return {
    publish: (event) => relay({ wren: 'bus', kind: 'event', event }),
    send: (message) => relay({ wren: 'bus', kind: 'message', message }),
    subscribe: (listener) => local.subscribe(listener),
    onMessage: (topic, listener) => local.onMessage(topic, listener),
    attach(child) {
      const onMessage = (msg: unknown) => {
        if (isBusEnvelope(msg)) relay(msg, child)
      }
      const detach = () => {
        children.delete(child)
        child.off('message', onMessage)
        child.off('exit', detach)
      }
      children.add(child)
      child.on('message', onMessage)
      child.on('exit', detach)
      return detach
    },
    get size() {
      return children.size
    },
  }
}
