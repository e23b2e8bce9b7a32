/**
 * Big-mailbox timings (issue 4 targets): SELECT, `UID FETCH 1:* (UID FLAGS)`, `SEARCH BODY <word>`
 * on a mailbox of N messages (default 100,000; `-n 10000`), over a real IMAP connection.
 * Run: node_modules/.bin/tsx bench/imap/big-mailbox.ts [-n 100000]
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { staticConfigView, nullLogger } from '@wren/kernel'
import { openStore } from '@wren/store'
import { ImapServer } from '../../packages/imap/src/server/server.js'
import { RawClient } from '../../e2e/imap/raw-client.js'
import { passwordAuthenticator } from '../../e2e/imap/harness.js'

const nArg = process.argv.indexOf('-n')
const N = nArg > 0 ? Number(process.argv[nArg + 1]) : 100_000
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima']

async function main(): Promise<void> {
  // WREN_BENCH_DIR=<dir> keeps (and reuses) the filled data root between runs.
  const keep = process.env.WREN_BENCH_DIR
  if (keep) fs.mkdirSync(keep, { recursive: true })
  const dataRoot = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'wren-bench-'))
  const config = staticConfigView({ 'imap.allowplaintextlogin': 1 })
  const store = openStore({ dataRoot, config, logger: nullLogger })
  store.ensureUser('bench')
  const have = store.session('bench').status('INBOX').messages
  const t0 = Date.now()
  const BATCH = 500
  for (let i = have; i < N; i += BATCH) {
    const items = []
    for (let j = i; j < Math.min(N, i + BATCH); j++) {
      const body = Array.from({ length: 40 }, (_, k) => WORDS[(j * 7 + k) % WORDS.length]).join(' ')
      const needle = j === N - 17 ? ' zebracorn' : ''
      items.push({ req: { userid: 'bench' }, message: Buffer.from(`From: user${j % 97}@example.com\r\nTo: bench@example.com\r\nSubject: message ${j}\r\nMessage-ID: <${j}@bench>\r\n\r\n${body}${needle}\r\n`) })
    }
    await store.deliverBatch(items)
  }
  console.log(`filled ${N} messages in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  const server = new ImapServer({ config, store, auth: passwordAuthenticator({ bench: 'pw' }), logger: nullLogger, hostname: 'bench', product: 'Wren', version: '0' })
  const { port } = await server.listen({ host: '127.0.0.1', port: 0, tls: 'none' })
  const c = await RawClient.connect(port)
  await c.login('bench', 'pw')
  const time = async (label: string, cmd: string) => {
    const s = process.hrtime.bigint()
    const r = await c.cmd(cmd, 120_000)
    const ms = Number(process.hrtime.bigint() - s) / 1e6
    console.log(`${label.padEnd(32)} ${ms.toFixed(1).padStart(9)} ms  (${r.untagged.length} untagged, ${r.tagged.slice(0, 40)})`)
    return r
  }
  await time('SELECT INBOX (cold)', 'SELECT INBOX')
  await time('UNSELECT', 'UNSELECT')
  await time('SELECT INBOX', 'SELECT INBOX')
  await time('UID FETCH 1:* (UID FLAGS)', 'UID FETCH 1:* (UID FLAGS)')
  await time('UID FETCH 1:* (UID FLAGS) again', 'UID FETCH 1:* (UID FLAGS)')
  await time('SEARCH BODY zebracorn', 'SEARCH BODY zebracorn')
  await time('SEARCH BODY "lima alpha"', 'SEARCH RETURN (COUNT) BODY "lima alpha"')
  await time('FETCH 1:50 (ENVELOPE)', 'FETCH 1:50 (ENVELOPE)')
  // store-level timings for the same operations (what the IMAP layer adds is the difference)
  const ms = store.session('bench')
  const t = <T>(label: string, f: () => T): T => { const a = performance.now(); const r = f(); console.log(`  store ${label.padEnd(26)} ${(performance.now() - a).toFixed(1).padStart(9)} ms`); return r }
  const v = t('open', () => ms.open('INBOX'))
  t('uids()', () => v.uids())
  t('flags()', () => v.flags())
  t('claimRecent()', () => v.claimRecent())
  t('changesSince(highest)', () => v.changesSince(v.info.highestModseq))
  const a = performance.now()
  await v.searchMany(Array.from(v.uids()), 'zebracorn', 'body')
  console.log(`  store ${'searchMany(all)'.padEnd(26)} ${(performance.now() - a).toFixed(1).padStart(9)} ms`)
  v.close()
  c.close()
  await server.close()
  store.close()
  if (!keep) fs.rmSync(dataRoot, { recursive: true, force: true })
}

main().catch((e) => { console.error(e); process.exit(1) })
