/**
 * One load process for bench/imap/mix.ts: K clients loop over the common mix (login, select,
 * fetch headers, fetch body, store flags, append, expunge, logout) for D seconds; prints JSON stats.
 * argv: port users clients seconds
 */
import { RawClient } from '../../e2e/imap/raw-client.js'

const [port, users, clients, seconds] = process.argv.slice(2).map(Number)
const lat: number[] = []
let errors = 0
const deadline = Date.now() + seconds * 1000

async function timed(c: RawClient, cmd: string): Promise<string> {
  const t = process.hrtime.bigint()
  const r = await c.cmd(cmd, 30_000)
  lat.push(Number(process.hrtime.bigint() - t) / 1e6)
  if (!/ OK /.test(r.tagged)) errors++
  return r.tagged
}

async function client(n: number): Promise<void> {
  let i = 0
  while (Date.now() < deadline) {
    const t = process.hrtime.bigint()
    const c = await RawClient.connect(port)
    lat.push(Number(process.hrtime.bigint() - t) / 1e6)
    try {
      await timed(c, `LOGIN u${(n + i) % users} pw`)
      await timed(c, 'SELECT INBOX')
      await timed(c, 'FETCH 1:20 (UID FLAGS BODY.PEEK[HEADER.FIELDS (From Subject Date)])')
      await timed(c, 'FETCH 3 BODY.PEEK[]')
      await timed(c, 'STORE 2 +FLAGS (\\Flagged)')
      const m = `From: load@example.com\r\nSubject: load ${n} ${i}\r\n\r\n${'x'.repeat(2000)}\r\n`
      await timed(c, `APPEND INBOX (\\Deleted) {${m.length}+}\r\n${m}`)
      await timed(c, 'EXPUNGE')
      await timed(c, 'LOGOUT')
    } finally {
      c.close()
    }
    i++
  }
}

await Promise.all(Array.from({ length: clients }, (_, n) => client(n)))
process.stdout.write(JSON.stringify({ ops: lat.length, errors, lat }) + '\n')
