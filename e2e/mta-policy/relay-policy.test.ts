// Outside-in: the policy layer (mapping tables, rewrite rules, channels, mail.log) behind the real
// dispatcher, driven by swaks. Closed relay by default (spec 04 B.8; spec 01 §12, §22):
//  - an external, unauthenticated client may not relay: `530 5.7.1 …` and a J record in mail.log;
//  - the same client may send to a local address;
//  - a PORT_ACCESS throttle callout (MeterMaid-style, `$:A`) declines with 421 after its quota.
// 127.0.0.1 is made external by configuring INTERNAL_IP (`mapping:INTERNAL_IP.rule`).
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLocalBus, nullLogger, staticConfigView, type Service, type ServiceContext } from '@wren/kernel'
import { createPolicy, openMailLog, parseLogText, registerCallout, type AccessDecision, type MailLog, type Policy } from '@wren/mta/policy'
import { createService } from '@wren/mta/dispatcher-service'
import { staticDirectory, type AccessVerdict, type MtaPolicy, type ProbeContext, type TransportLog } from '@wren/mta/ports'

/** The MtaPolicy port of the transport, answered by the policy layer. */
function asPort(policy: Policy): MtaPolicy {
  const verdict = (d: AccessDecision): AccessVerdict =>
    d.accept ? { accept: true } : { accept: false, code: d.reply!.code, enhanced: d.reply!.enhanced, text: d.reply!.text }
  const conn = (c: ProbeContext) => ({ localIp: c.localIp, localPort: c.localPort, remoteIp: c.remoteIp, remotePort: c.remotePort })
  return {
    async route(address) {
      const r = policy.rewriteAddress(address)
      if (!r.ok) throw new Error(r.error)
      return { channel: r.channel, address: r.address, host: r.host }
    },
    isLocalChannel: (c) => c === 'l' || c === 'ims-ms',
    portAccess: async (c) => verdict(await policy.portAccess({ ...conn(c), dispatcher: true })),
    sourceChannel: (c, listener) => policy.sourceChannel({ listenerChannel: listener, remoteIp: c.remoteIp, authenticated: c.authenticated }),
    fromAccess: async (c, sender) => verdict(await policy.fromAccess({ ...conn(c), sourceChannel: c.sourceChannel, sender, authenticated: c.authenticated, tls: c.tls })),
    recipientAccess: async (c, sender, recipient, route, stage) => verdict(await policy.recipientAccess({
      ...conn(c), stage, sourceChannel: c.sourceChannel, sender, destinationChannel: route.channel, recipient,
      authenticated: c.authenticated, tls: c.tls, authAvailable: policy.channelConfig(c.sourceChannel)?.maysaslserver ?? false,
    })),
  }
}

/** The transport's log port, written by MailLog. */
function asLog(log: MailLog): TransportLog {
  return {
    message(r) {
      // the transport passes `dns;host (TCP|…)`; the TCP part is LOG_CONNECTION's transport field
      const t = /\((TCP\|[^)]*)\)$/.exec(r.transport ?? '')
      log.message({
        action: r.action[0] as 'E', modifiers: r.action.slice(1) + (r.modifiers ?? ''), source: r.source, destination: r.destination,
        bytes: r.size, from: r.from, originalTo: r.origTo ?? '', to: r.to ?? '', diagnostic: r.status, messageId: r.messageId,
        filename: r.filename, username: r.username, queueTime: r.queueTime,
        ...(t ? { transport: t[1] } : {}),
      })
    },
    connection(r) {
      log.connection({ channel: r.channel, direction: r.direction, action: r.action as 'O', transport: r.transport, application: r.application, diagnostic: r.diagnostic, username: r.username })
    },
    flush: () => log.flush(),
    close: () => log.close(),
  }
}

function swaks(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('swaks', ['--timeout', '15', '--hide-informational', ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0
      resolve({ code, out: stdout + stderr })
    })
  })
}

let dataRoot = ''
let service: Service | undefined
let port = 0
let log: MailLog
let throttleQuota = Infinity
const hits = new Map<string, number>()
const unregister: Array<() => void> = []

beforeAll(async () => {
  dataRoot = mkdtempSync(join(tmpdir(), 'wren-e2e-policy-'))
  const config = staticConfigView({
    'base.defaultdomain': 'example.com',
    'mapping:INTERNAL_IP.rule': ['$(10.0.0.0/8) $Y', '* $N'],
    'mapping:PORT_ACCESS.rule': [
      '*|*|*|*|* $C$|INTERNAL_IP;$3|$Y$E',
      '*|*|*|*|* $C$:A$[IMTA_LIB:check_metermaid.so,throttle,ext_throttle,$3]$N421$ Connection$ declined$ at$ this$ time$E',
      '* $YEXTERNAL',
    ],
    'mta.log_connection': 1,
    'channel:defaults.logging': 1,
  })
  unregister.push(registerCallout('check_metermaid', (routine, args) => {
    if (routine !== 'throttle') return { ok: false }
    const n = (hits.get(args[1]!) ?? 0) + 1
    hits.set(args[1]!, n)
    return { ok: n > throttleQuota }
  }))
  const policy = createPolicy({ config, hostname: 'mail.example.com' })
  log = openMailLog({ dataRoot, config, flushIntervalMs: 20, channelLogging: (c) => policy.channelConfig(c)?.logging ?? false })
  const ctx: ServiceContext = {
    dataRoot, hostname: 'mail.example.com', config, logger: () => nullLogger, bus: createLocalBus(), lookup: () => undefined,
  }
  service = createService({
    policy: asPort(policy), log: asLog(log),
    directory: staticDirectory({ users: [{ uid: 'bob', mail: 'bob@example.com' }] }),
    listeners: [{ name: 'SMTP', channel: 'tcp_local', host: '127.0.0.1', port: 0, tls: 'none', authRequired: false, allowInsecureAuth: false, maxConns: 20, idleTimeout: 30_000, size: 0, lmtp: false }],
  })
  await service.start(ctx)
  port = service.listeners!()[0]!.port
}, 60_000)

afterAll(async () => {
  await service?.stop().catch(() => {})
  for (const u of unregister) u()
  if (dataRoot) rmSync(dataRoot, { recursive: true, force: true })
})

async function mailLog() {
  await log.flush()
  const text = readFileSync(join(dataRoot, 'log', 'mail.log_current'), 'utf8')
  return parseLogText(text)
}

describe('closed relay through the dispatcher (swaks)', () => {
  it('refuses relaying for an external, unauthenticated client with 530 5.7.1 and logs a J record', async () => {
    const r = await swaks(['--server', '127.0.0.1', '--port', String(port), '--ehlo', 'client.example', '--from', 'harold@example.org', '--to', 'alan@very.bogus.com', '--quit-after', 'RCPT'])
    expect(r.out).toContain('530 5.7.1 Relaying not permitted: alan@very.bogus.com')
    expect(r.code).not.toBe(0)
    let j: ReturnType<typeof parseLogText>[number] | undefined
    const deadline = Date.now() + 5000
    while (!j && Date.now() < deadline) {
      j = (await mailLog()).find((l) => l.kind === 'message' && l.action === 'J')
      if (!j) await new Promise((res) => setTimeout(res, 50))
    }
    expect(j).toMatchObject({ kind: 'message', action: 'J', modifiers: 'E', source: 'tcp_local', blocks: 0, from: 'harold@example.org', to: 'alan@very.bogus.com' })
    expect(j!.kind === 'message' && j!.diagnostic).toBe('530 5.7.1 Relaying not permitted: alan@very.bogus.com')
    expect(j!.raw).toMatch(/^\d\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d\.\d\d tcp_local JE 0 harold@example.org rfc822;\S* alan@very\.bogus\.com /)
  })

  it('accepts the same client’s mail for a local address', async () => {
    const r = await swaks(['--server', '127.0.0.1', '--port', String(port), '--from', 'harold@example.org', '--to', 'bob@example.com', '--quit-after', 'RCPT'])
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/<- {2}250 /)
  })

  it('writes connection records (LOG_CONNECTION=1)', async () => {
    const conns = (await mailLog()).filter((l) => l.kind === 'connection')
    expect(conns.some((c) => c.kind === 'connection' && c.direction === '+' && c.action === 'O' && /^TCP\|127\.0\.0\.1\|\d+\|127\.0\.0\.1\|\d+$/.test(c.transport))).toBe(true)
  })

  it('a PORT_ACCESS throttle callout declines the connection after its quota with 421', async () => {
    throttleQuota = 1
    hits.clear()
    const first = await swaks(['--server', '127.0.0.1', '--port', String(port), '--from', 'a@example.org', '--to', 'bob@example.com', '--quit-after', 'EHLO'])
    expect(first.code).toBe(0)
    const second = await swaks(['--server', '127.0.0.1', '--port', String(port), '--from', 'a@example.org', '--to', 'bob@example.com', '--quit-after', 'EHLO'])
    expect(second.out).toContain('421 4.7.1 Connection declined at this time')
    expect(second.code).not.toBe(0)
    throttleQuota = Infinity
  })
})
