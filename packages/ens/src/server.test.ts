import { connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createLocalBus, formatEnsEvent, nullLogger, type EnsEvent } from '@wren/kernel'
import { parseEnpLine } from './enp.js'
import { startEnsServer, type EnsServer } from './server.js'

const servers: EnsServer[] = []
const sockets: Socket[] = []
afterEach(async () => { sockets.splice(0).forEach((s) => s.destroy()); for (const s of servers.splice(0)) await s.close() })

function client(port: number) {
  const s = connect(port, '127.0.0.1')
  sockets.push(s)
  s.setEncoding('utf8')
  const lines: string[] = []
  let buf = ''
  s.on('data', (d: string) => { buf += d; let i; while ((i = buf.indexOf('\n')) >= 0) { lines.push(buf.slice(0, i)); buf = buf.slice(i + 1) } })
  const next = async (n: number) => {
    const t0 = Date.now()
    while (lines.length < n) { if (Date.now() - t0 > 5000) throw new Error(`timeout; got ${JSON.stringify(lines)}`); await new Promise((r) => setTimeout(r, 10)) }
    return lines.slice(0, n)
  }
  return { send: (l: string) => s.write(l + '\n'), next, lines, socket: s }
}

const sample: EnsEvent = { evtType: 'NewMsg', timestamp: 1047488403000, hostname: 'eman', process: 'imta', pid: 476, mailboxName: 'testuser', numMsgs: 16, uidValidity: 1046993605, imapUid: 62, size: 877, hdrLen: 814 }

describe('enp:// lines (spec 01 §19)', () => {
  it('round-trips the manual\'s NewMsg example', () => {
    const line = 'enp://127.0.0.1/store?evtType=NewMsg&timestamp=1047488403000&hostname=eman&process=imta&pid=476&mailboxName=testuser&numMsgs=16&uidValidity=1046993605&imapUid=62&size=877&hdrLen=814'
    const p = parseEnpLine(line)
    expect(p.topic).toBe('store')
    expect(p.event).toEqual(sample)
    expect(formatEnsEvent(p.event)).toBe(line)
  })
  it('requires the mandatory fields and keeps unknown ones', () => {
    expect(() => parseEnpLine('enp://h/store?evtType=NewMsg')).toThrow(/missing mandatory fields: timestamp, hostname, process, pid, mailboxName/)
    expect(parseEnpLine('enp://h/store?evtType=X&timestamp=1&hostname=h&process=p&pid=2&mailboxName=m&future=&x=1').event.future).toBe('')
  })
})

describe('ENS subscriber port', () => {
  it('delivers bus events to subscribers, filtered by evtType, and accepts PUBLISH', async () => {
    const bus = createLocalBus()
    const srv = await startEnsServer({ host: '127.0.0.1', port: 0, bus, log: nullLogger, mustAuthenticate: false })
    servers.push(srv)
    const all = client(srv.port)
    const readOnly = client(srv.port)
    all.send('SUBSCRIBE enp://127.0.0.1/store')
    readOnly.send('SUBSCRIBE store ReadMsg')
    expect(await all.next(1)).toEqual(['OK subscribed to store'])
    expect(await readOnly.next(1)).toEqual(['OK subscribed to store (ReadMsg)'])
    bus.publish(sample)
    bus.publish({ ...sample, evtType: 'ReadMsg' })
    const got = await all.next(3)
    expect(parseEnpLine(got[1]!).event).toEqual(sample)
    expect(parseEnpLine(got[2]!).event.evtType).toBe('ReadMsg')
    expect((await readOnly.next(2))[1]).toContain('evtType=ReadMsg')
    // an outside publisher reaches the bus
    const seen: EnsEvent[] = []
    bus.subscribe((e) => { seen.push(e) })
    const pub = client(srv.port)
    pub.send(`PUBLISH ${formatEnsEvent({ ...sample, evtType: 'UpdateMsg' })}`)
    expect(await pub.next(1)).toEqual(['OK published'])
    expect(seen.map((e) => e.evtType)).toEqual(['UpdateMsg'])
    pub.send('PUBLISH enp://x/store?evtType=NewMsg')
    expect((await pub.next(2))[1]).toMatch(/^ERR missing mandatory fields/)
    pub.send('FROB')
    expect((await pub.next(3))[2]).toBe('ERR unknown command FROB')
  })

  it('with mustauthenticate: AUTH with ens.secret is required; with no secret every connection is refused', async () => {
    const bus = createLocalBus()
    const secured = await startEnsServer({ host: '127.0.0.1', port: 0, bus, log: nullLogger, mustAuthenticate: true, secret: 's3cret' })
    servers.push(secured)
    const c = client(secured.port)
    c.send('SUBSCRIBE store')
    c.send('AUTH anyone wrong')
    c.send('AUTH anyone s3cret')
    c.send('SUBSCRIBE store')
    expect(await c.next(4)).toEqual(['ERR authenticate first', 'ERR authentication failed', 'OK authenticated', 'OK subscribed to store'])
    const refusing = await startEnsServer({ host: '127.0.0.1', port: 0, bus, log: nullLogger, mustAuthenticate: true })
    servers.push(refusing)
    const r = client(refusing.port)
    expect(await r.next(1)).toEqual(['ERR authentication required but no ens.secret is configured'])
  })
})
