// The outside subscriber port of ENS (`ens.port`, spec 01 §19), one line per message:
//   client: AUTH <user> <secret>          (when ens.mustauthenticate; any user name is accepted)
//   client: SUBSCRIBE [topic] [evtType…]   topic default `store`; no evtType = every event
//   client: PUBLISH enp://host/topic?…     (ens_publish)
//   client: QUIT
//   server: OK … / ERR … replies, and `enp://…` event lines to subscribers.
// Like the product it drops events for a subscriber that does not keep up, and with
// mustauthenticate on and no ens.secret every connection is refused.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { timingSafeEqual } from 'node:crypto'
import { formatEnsEvent, type EnsEvent, type EventBus, type Logger } from '@wren/kernel'
import { parseEnpLine } from './enp.js'

export interface EnsServerOptions {
  host: string
  port: number
  bus: EventBus
  log: Logger
  mustAuthenticate: boolean
  secret?: string
  /** Host written in event lines (`enp://<host>/store?…`). */
  enpHost?: string
  /** A subscriber with more than this many bytes unsent loses events. */
  maxBacklog?: number
}

interface Client {
  socket: Socket
  authed: boolean
  topic?: string
  types?: Set<string>
  dropped: number
}

const MAX_LINE = 64 * 1024

export interface EnsServer {
  readonly port: number
  close(): Promise<void>
}

export async function startEnsServer(o: EnsServerOptions): Promise<EnsServer> {
  const clients = new Set<Client>()
  const maxBacklog = o.maxBacklog ?? 1024 * 1024
  const unsubscribe = o.bus.subscribe((event: EnsEvent) => {
    const line = formatEnsEvent(event, o.enpHost ?? '127.0.0.1', 'store') + '\n'
    for (const c of clients) {
      if (!c.topic || c.topic !== 'store' || (c.types && !c.types.has(String(event.evtType)))) continue
      if (c.socket.writableLength > maxBacklog) { c.dropped++; continue }
      c.socket.write(line)
    }
  })
  const server: Server = createServer((socket) => {
    const remote = `${socket.remoteAddress}:${socket.remotePort}`
    if (o.mustAuthenticate && !o.secret) {
      o.log.error('Network', `ens: refused ${remote}: ens.mustauthenticate is on and ens.secret is not set`)
      socket.end('ERR authentication required but no ens.secret is configured\n')
      return
    }
    const c: Client = { socket, authed: !o.mustAuthenticate, dropped: 0 }
    clients.add(c)
    socket.setEncoding('utf8')
    let buf = ''
    const reply = (t: string) => { if (!socket.destroyed) socket.write(t + '\n') }
    socket.on('data', (d: string) => {
      buf += d
      if (buf.length > MAX_LINE && !buf.includes('\n')) { reply('ERR line too long'); socket.destroy(); return }
      let nl: number
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, '')
        buf = buf.slice(nl + 1)
        handle(line)
      }
    })
    const handle = (line: string) => {
      const [verb = '', ...rest] = line.trim().split(/\s+/)
      switch (verb.toUpperCase()) {
        case '': return
        case 'AUTH': {
          const secret = rest[1] ?? ''
          const ok = !!o.secret && rest.length >= 2 && secret.length === o.secret.length && timingSafeEqual(Buffer.from(secret), Buffer.from(o.secret))
          if (!o.mustAuthenticate) return reply('OK authentication not required')
          if (!ok) { o.log.notice('Account', `ens: authentication failure from ${remote}`); return reply('ERR authentication failed') }
          c.authed = true
          return reply('OK authenticated')
        }
        case 'SUBSCRIBE': {
          if (!c.authed) return reply('ERR authenticate first')
          const topic = (rest[0] ?? 'store').replace(/^enp:\/\/[^/]+\//, '')
          if (topic !== 'store') return reply(`ERR unknown topic ${topic} (only store)`)
          c.topic = topic
          c.types = rest.length > 1 ? new Set(rest.slice(1)) : undefined
          return reply(`OK subscribed to ${topic}${c.types ? ` (${[...c.types].join(' ')})` : ''}`)
        }
        case 'PUBLISH': {
          if (!c.authed) return reply('ERR authenticate first')
          try {
            const { event } = parseEnpLine(rest.join(' '))
            o.bus.publish(event)
            return reply('OK published')
          } catch (err) {
            return reply(`ERR ${err instanceof Error ? err.message : String(err)}`)
          }
        }
        case 'QUIT':
          reply('OK bye')
          socket.end()
          return
        default:
          return reply(`ERR unknown command ${verb}`)
      }
    }
    socket.on('error', () => undefined)
    socket.on('close', () => {
      clients.delete(c)
      if (c.dropped) o.log.warning('Network', `ens: subscriber ${remote} lost ${c.dropped} events (too slow)`)
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port, o.host, () => { server.off('error', reject); resolve() })
  })
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      unsubscribe()
      for (const c of clients) c.socket.destroy()
      server.close(() => resolve())
    }),
  }
}
