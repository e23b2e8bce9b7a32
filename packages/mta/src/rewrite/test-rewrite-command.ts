// `imsimta test -rewrite [-debug] [-from=addr] [address…]` (spec 01 §9; Admin Guide ch. 26
// "Check the MTA Configuration"): shows the channel and rewritten address the MTA would use,
// without sending anything. With no address it prompts `Address: ` until end of input.
// Output follows the product's layout (forward/backward channel, header and envelope forms,
// expansion and the submitted address list); `-debug` adds the rule-matching trace first.
import { hostname as osHostname } from 'node:os'
import type { ConfigView } from '@wren/kernel'
import { loadToolConfig } from './load-config.js'
import { channelsFromConfig, type ChannelSet } from '../channels/channels.js'
import { buildRewriter, splitAddress, type MappingLookup, type Rewriter } from './rewrite.js'
import { MappingEngine } from '../mapping/engine.js'
import { mappingTablesFromConfig } from '../mapping/defaults.js'

/** Minimal CLI I/O (structurally the same as apps/cli's CliIO). */
export interface CommandIO {
  stdout(text: string): void
  stderr(text: string): void
  prompt(question: string): Promise<string | null>
  env: NodeJS.ProcessEnv
  cwd?: string
}

export interface TestRewriteDeps {
  config?: ConfigView
  hostname?: string
  localDomains?: string[]
  /** Use an existing policy's rewriter and channels (the running daemon's view). */
  rewriter?: Rewriter
  channels?: ChannelSet
  /** Mapping tables for `${TABLE,…}` lookups in rules (default: the configured tables). */
  mapping?: MappingLookup
}

const USAGE = 'usage: imsimta test -rewrite [-debug] [-from=address] [address ...]\n'

export async function runTestRewrite(argv: string[], io: CommandIO, deps: TestRewriteDeps = {}): Promise<number> {
  let debug = false
  let from: string | undefined
  const addresses: string[] = []
  for (const a of argv) {
    const low = a.toLowerCase()
    if (low === 'test' || low === '-rewrite') continue
    if (low === '-debug') { debug = true; continue }
    if (low === '-nodebug') { debug = false; continue }
    if (low.startsWith('-from=')) { from = a.slice(6); continue }
    if (a.startsWith('-')) { io.stderr(`imsimta test: unknown qualifier ${a}\n${USAGE}`); return 64 }
    addresses.push(a)
  }
  const loaded = deps.config ? undefined : await loadToolConfig(io.env, io.cwd ?? process.cwd(), io.stderr, 'imsimta test')
  try {
    return await testRewrite(deps.config ?? loaded!.config, addresses, from, debug, io, deps)
  } finally {
    await loaded?.close()
  }
}

async function testRewrite(config: ConfigView, addresses: string[], from: string | undefined, debug: boolean, io: CommandIO, deps: TestRewriteDeps): Promise<number> {
  const hostname = deps.hostname ?? io.env.WREN_HOSTNAME ?? (String(config.find('base.hostname') ?? '') || osHostname())
  const channels = deps.channels ?? channelsFromConfig(config, { hostname })
  const rewriter = deps.rewriter ?? buildRewriter(config, channels, { hostname, ...(deps.localDomains ? { localDomains: deps.localDomains } : {}) })

  const mapping = deps.mapping ?? new MappingEngine(mappingTablesFromConfig(config))
  let status = 0
  const one = async (address: string) => {
    if (!(await rewrite1(address, from, debug, rewriter, mapping, io))) status = 1
  }
  if (addresses.length) {
    for (const a of addresses) await one(a)
    return status
  }
  for (;;) {
    const line = await io.prompt('Address: ')
    if (line === null) break
    if (line.trim()) await one(line.trim())
  }
  return status
}

async function rewrite1(address: string, from: string | undefined, debug: boolean, rw: Rewriter, mapping: MappingLookup, io: CommandIO): Promise<boolean> {
  const trace: string[] = []
  const fwd = await rw.rewriteAsync(address, mapping, { direction: 'forward', envelope: true, ...(debug ? { trace } : {}) })
  const hdrTo = await rw.rewriteAsync(address, mapping, { direction: 'forward', envelope: false })
  const sender = from ?? address
  const back = await rw.rewriteAsync(sender, mapping, { direction: 'backward', envelope: true })
  const hdrFrom = await rw.rewriteAsync(sender, mapping, { direction: 'backward', envelope: false })
  const out: string[] = []
  if (debug) out.push(...trace)
  if (!fwd.ok) {
    out.push(`  forward channel           = `)
    out.push(`Address list error -- ${fwd.error}: ${address}`)
    io.stdout(out.join('\n') + '\n')
    return false
  }
  const { local } = splitAddress(fwd.address)
  const route = `(route (${fwd.routeTag},${fwd.routeTag})) (host ${fwd.host})`
  out.push(
    `  forward channel           = ${fwd.channel}`,
    `  channel description       =`,
    `  backward channel          = ${back.ok ? back.channel : ''}`,
    `  header To: address        = ${hdrTo.ok ? hdrTo.address : fwd.address}`,
    `  header From: address      = ${hdrFrom.ok ? hdrFrom.address : sender}`,
    `  envelope To: address      = ${fwd.address} ${route}`,
    `  envelope From: address    = ${back.ok ? back.address : sender}`,
    `  name                      =`,
    `  mbox                      = ${local}`,
    'Extracted address action list:',
    `    ${fwd.address}`,
    'Extracted 733 address action list:',
    `    ${fwd.address}`,
    'Address list expansion:',
    '  1 expansion total.',
    'Expanded address:',
    `  ${fwd.address}`,
    'Submitted address list:',
    `  ${fwd.channel}`,
    `    ${fwd.address} (orig ${address}, inter ${address}, host ${fwd.host}) *NOTIFY-FAILURES* *NOTIFY-DELAYS*`,
  )
  io.stdout(out.join('\n') + '\n')
  return true
}
