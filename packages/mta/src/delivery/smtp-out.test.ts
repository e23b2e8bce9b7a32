// The SMTP/LMTP master program against real peers (node smtp-server on loopback): LMTP per-recipient
// replies over STARTTLS, the channel TLS keywords, DSN parameters passed on or a `relayed` notice owed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server'
import { staticConfigView, type OptionValue } from '@wren/kernel'
import { channelSettings } from '../jobs/channel-settings.js'
import type { QueueEnvelope, QueueRecipient } from '../queue/format.js'
import { smtpOutProgram } from './smtp-out.js'

let dir: string
let key: Buffer, cert: Buffer
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wren-smtpout-'))
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k'), '-out', join(dir, 'c'), '-days', '1', '-subj', '/CN=peer.test'], { stdio: 'ignore' })
  key = readFileSync(join(dir, 'k')); cert = readFileSync(join(dir, 'c'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Seen { secure: boolean; from: string; ret?: string; envid?: string; rcpts: Array<{ to: string; notify?: string[]; orcpt?: string }>; data: string }

async function peer(opts: Partial<SMTPServerOptions>, answer?: (s: SMTPServerSession) => Array<string | Error> | undefined) {
  const seen: Seen[] = []
  const server = new SMTPServer({
    key, cert, authOptional: true, logger: false, hideDSN: false, ...opts,
    onRcptTo(a, _s, cb) { cb() },
    onData(stream, s, cb) {
      let data = ''
      stream.on('data', (d) => (data += d))
      stream.on('end', () => {
        const env = s.envelope as typeof s.envelope & { dsn?: { ret?: string; envid?: string } }
        seen.push({ secure: s.secure, from: env.mailFrom ? env.mailFrom.address : '', ret: env.dsn?.ret, envid: env.dsn?.envid,
          rcpts: env.rcptTo.map((r) => { const d = (r as typeof r & { dsn?: { notify?: string[]; orcpt?: string } }).dsn; return { to: r.address, notify: d?.notify, orcpt: d?.orcpt } }), data })
        const a = answer?.(s)
        cb(null, a as never)
      })
    },
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const port = (server.server.address() as { port: number }).port
  return { seen, port, close: () => new Promise<void>((r) => server.close(() => r())) }
}

function item(recipients: QueueRecipient[], extra: Partial<QueueEnvelope> = {}) {
  const msg = 'From: a@example.org\r\nSubject: t\r\n\r\nhello\r\n'
  const path = join(dir, `m${Math.random()}`)
  writeFileSync(path, msg + 'TRAILER')
  const env: QueueEnvelope = { id: 'x', channel: 'tcp_local', sourceChannel: 'tcp_submit', from: 'a@example.org', created: Date.now(), size: msg.length, recipients, ...extra }
  return { key: 'k', env, path, pending: recipients.map((_, i) => i) }
}

const program = (name: string, port: number, cfg: Record<string, OptionValue> = {}, lmtp = false) => {
  const config = staticConfigView({ [`channel:${name}.daemon`]: '127.0.0.1', [`channel:${name}.port`]: port, ...cfg })
  return { p: smtpOutProgram({ hostname: 'mx.example.org', lmtp, config, connectTimeout: 5000 }), ch: channelSettings(config, name) }
}

describe('smtp-out master program', () => {
  it('LMTP out (tcp_lmtpcs): one result per recipient after DATA, over STARTTLS, no DSN owed to a final LMTP peer with DSN', async () => {
    const srv = await peer({ lmtp: true }, (s) => s.envelope.rcptTo.map((r) => (r.address.startsWith('full') ? Object.assign(new Error('4.2.2 Quota Exceeded'), { responseCode: 422 }) : '2.5.0 OK')))
    try {
      const { p, ch } = program('tcp_lmtpcs', srv.port, {}, true)
      expect(ch.kind).toBe('lmtp')
      const [out] = await p.deliver([item([{ to: 'joe@store.test', origTo: 'joe@store.test' }, { to: 'full@store.test', origTo: 'full@store.test' }, { to: 'ann@store.test', origTo: 'ann@store.test' }])], ch)
      expect(out.map((o) => [o.idx, o.status, o.statusCode])).toEqual([[0, 'ok', '2.0.0'], [1, 'temp', '4.2.2'], [2, 'ok', '2.0.0']])
      expect(out[1].diagnostic).toBe('lmtp;422 4.2.2 Quota Exceeded')
      expect(out[0].modifiers).toBe('LS')
      expect(out[0].dsnAction).toBeUndefined()
      expect(srv.seen[0].secure).toBe(true)
      expect(srv.seen[0].data).toContain('hello')
    } finally { await srv.close() }
  })

  it('STARTTLS is opportunistic by default, refused by notls, required by musttls (4.7.0 when not offered)', async () => {
    const tlsPeer = await peer({})
    const plainPeer = await peer({ disabledCommands: ['STARTTLS'] })
    try {
      const r = { to: 'x@remote.test', origTo: 'x@remote.test' }
      let { p, ch } = program('tcp_local', tlsPeer.port)
      expect((await p.deliver([item([r])], ch))[0][0]).toMatchObject({ status: 'ok', modifiers: 'ES' })
      ;({ p, ch } = program('tcp_local', tlsPeer.port, { 'channel:tcp_local.notls': 1 }))
      expect((await p.deliver([item([r])], ch))[0][0]).toMatchObject({ status: 'ok', modifiers: 'E' })
      expect(tlsPeer.seen.map((s) => s.secure)).toEqual([true, false])
      ;({ p, ch } = program('tcp_local', plainPeer.port, { 'channel:tcp_local.musttls': 1 }))
      const [[o]] = await p.deliver([item([r])], ch)
      expect([o.status, o.statusCode]).toEqual(['temp', '4.7.0'])
      expect(plainPeer.seen).toHaveLength(0)
      ;({ p, ch } = program('tcp_local', plainPeer.port, { 'channel:defaults.maytls': 1 }))
      expect((await p.deliver([item([r])], ch))[0][0]).toMatchObject({ status: 'ok', modifiers: 'E' })
    } finally { await tlsPeer.close(); await plainPeer.close() }
  })

  it('passes NOTIFY/ORCPT per recipient and RET/ENVID to a DSN peer; owes a relayed DSN to a peer without DSN', async () => {
    const dsnPeer = await peer({})
    const oldPeer = await peer({ hideDSN: true })
    try {
      const rcpts: QueueRecipient[] = [
        { to: 'a@remote.test', origTo: 'a@remote.test', notify: ['SUCCESS', 'FAILURE'], orcpt: 'rfc822;A@remote.test' },
        { to: 'b@remote.test', origTo: 'b@remote.test', notify: ['NEVER'] },
        { to: 'c@remote.test', origTo: 'c@remote.test', notify: ['SUCCESS', 'FAILURE'], orcpt: 'rfc822;A@remote.test' },
      ]
      let { p, ch } = program('tcp_local', dsnPeer.port)
      let [out] = await p.deliver([item(rcpts, { ret: 'HDRS', envid: 'ENV-1' })], ch)
      expect(out.every((o) => o.status === 'ok' && o.dsnAction === undefined)).toBe(true)
      expect(dsnPeer.seen).toHaveLength(2) // two DSN parameter groups, two transactions
      expect(dsnPeer.seen[0]).toMatchObject({ ret: 'HDRS', envid: 'ENV-1', rcpts: [
        { to: 'a@remote.test', notify: ['SUCCESS', 'FAILURE'], orcpt: 'rfc822;A@remote.test' },
        { to: 'c@remote.test', notify: ['SUCCESS', 'FAILURE'], orcpt: 'rfc822;A@remote.test' }] })
      expect(dsnPeer.seen[1].rcpts).toEqual([{ to: 'b@remote.test', notify: ['NEVER'], orcpt: undefined }])
      ;({ p, ch } = program('tcp_local', oldPeer.port))
      ;[out] = await p.deliver([item(rcpts.slice(0, 1))], ch)
      expect(out[0]).toMatchObject({ status: 'ok', dsnAction: 'relayed', remoteMta: 'dns;127.0.0.1' })
    } finally { await dsnPeer.close(); await oldPeer.close() }
  })
})
