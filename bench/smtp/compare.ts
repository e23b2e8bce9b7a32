// Wren vs Postfix 3.7 → Dovecot LMTP (issue 5, performance targets): the same smtp-source load
// (20 sessions × N messages of 2 KB to a local user) against a user-level Postfix delivering to a
// user-level Dovecot LMTP, then against Wren (dispatcher + job controller processes, store), in one
// run. Prints accepted msgs/s, end-to-end msgs/s (until every message is in a mailbox: Dovecot's
// maildir files / Wren's queue drained with every message delivered into the store), p99
// end-of-DATA → 250 (client side, one extra probe session, for both) and peak RSS, plus the load
// average at the start of each run (the machine is shared).
// usage: npx tsx bench/smtp/compare.ts [messages=10000] [sessions=20] [--no-flow-delay]
//   --no-flow-delay: Postfix with `in_flow_delay = 0` instead of its default 1s flow control
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { ensureComparisonPackages } from './install.js'
import { maildirCount, startDovecotLmtp, startPostfix, treePssMb } from './postfix.js'
import { percentile, startLatencyProbe } from './latency-probe.js'
import { runWren } from './run.js'
import { loadAverage, runDir, runSmtpSource, sleep } from './util.js'

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const noFlowDelay = process.argv.includes('--no-flow-delay')
const messages = Number(args[0] ?? 10000)
const sessions = Number(args[1] ?? 20)
const RCPT = 'user0@example.org'

async function runPostfix() {
  const dir = runDir('wren-pfbench-')
  const dovecot = await startDovecotLmtp(join(dir, 'dovecot'), ['user0'])
  let postfix: Awaited<ReturnType<typeof startPostfix>> | undefined
  try {
    postfix = await startPostfix(join(dir, 'postfix'), dovecot.port, [RCPT], noFlowDelay ? { inFlowDelay: '0' } : {})
    let peakPostfix = 0, peakDovecot = 0
    const pf = postfix
    const sampler = setInterval(() => {
      peakPostfix = Math.max(peakPostfix, treePssMb(pf.pids()))
      peakDovecot = Math.max(peakDovecot, treePssMb(dovecot.pids()))
    }, 200)
    const load = loadAverage()
    const t0 = performance.now()
    const probe = startLatencyProbe(postfix.port, 'probe@remote.test', RCPT)
    await runSmtpSource({ port: postfix.port, sessions, messages, from: 'bench@remote.test', to: RCPT })
    const tAccept = (performance.now() - t0) / 1000
    const lat = await probe.stop()
    const expected = messages + lat.length
    const deadline = Date.now() + 600_000
    while (maildirCount(dovecot.maildir('user0')) < expected) {
      if (Date.now() > deadline) throw new Error(`postfix/dovecot: ${maildirCount(dovecot.maildir('user0'))} of ${expected} delivered after 10 min`)
      await sleep(20)
    }
    const tEnd = (performance.now() - t0) / 1000
    clearInterval(sampler)
    return {
      acceptedPerSec: Math.round(messages / tAccept), endToEndPerSec: Math.round(messages / tEnd),
      acceptSeconds: +tAccept.toFixed(2), endToEndSeconds: +tEnd.toFixed(2),
      p50AcceptMs: +percentile(lat, 0.5).toFixed(2), p99AcceptMs: +percentile(lat, 0.99).toFixed(2), probeMessages: lat.length,
      peakRssMb: { postfix: Math.round(peakPostfix), dovecot: Math.round(peakDovecot) }, load,
    }
  } finally {
    await postfix?.stop()
    await dovecot.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function main() {
  ensureComparisonPackages()
  const pf = await runPostfix()
  const wren = await runWren(messages, sessions, { probe: true })
  const rows: Array<[string, string | number, string | number]> = [
    ['accepted msgs/s', pf.acceptedPerSec, wren.acceptedPerSec],
    ['end-to-end msgs/s', pf.endToEndPerSec, wren.endToEndPerSec],
    ['p50 DATA→250 ms (probe)', pf.p50AcceptMs, wren.probe!.p50Ms],
    ['p99 DATA→250 ms (probe)', pf.p99AcceptMs, wren.probe!.p99Ms],
    ['p99 DATA→250 ms (server)', '-', wren.p99AcceptMs],
    ['peak memory MB', `postfix ${pf.peakRssMb.postfix} + dovecot ${pf.peakRssMb.dovecot} (PSS)`, `dispatcher ${wren.peakRssMbDispatcher} + jobs ${wren.peakRssMbJobController} (RSS); tree peak ${wren.peakRssMbTotal}`],
    ['CPU ms/msg', '-', `dispatcher ${wren.cpuMsPerMessage.dispatcher} + jobs ${wren.cpuMsPerMessage.jobController}`],
    ['load average at start', pf.load, wren.load],
  ]
  console.log(`\n${messages} × 2 KB, ${sessions} smtp-source sessions, fsync on${noFlowDelay ? ', Postfix in_flow_delay = 0' : ', Postfix defaults (in_flow_delay = 1s)'}\n`)
  console.log(`${'metric'.padEnd(26)} ${'Postfix 3.7 → Dovecot LMTP'.padEnd(34)} Wren`)
  for (const [k, a, b] of rows) console.log(`${k.padEnd(26)} ${String(a).padEnd(34)} ${b}`)
  console.log(`\nWren end-to-end / Postfix end-to-end: ${(wren.endToEndPerSec / pf.endToEndPerSec).toFixed(2)}× (target ≥ 1.5×)`)
  console.log(JSON.stringify({ postfixDovecot: pf, wren }, null, 2))
}
main().catch((e) => { console.error(e); process.exit(1) })
