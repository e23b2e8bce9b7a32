// Default mapping tables = the product's closed relay (spec 04 B.8; Installation Guide "Configuring
// SMTP Relay Blocking"; spec 01 §12 tests):
//   INTERNAL_IP       $(host-ip/32) $Y · 127.0.0.1 $Y · * $N
//   PORT_ACCESS       *|*|*|*|* $C$|INTERNAL_IP;$3|$Y$E · * $YEXTERNAL
//   ORIG_SEND_ACCESS  tcp_local|*|tcp_local|* $NRelaying$ not$ permitted
// Configured tables live in the multi-valued options `mapping:<TABLE>.rule`, one
// `pattern template` line per value; a configured table replaces the default of the same name.
import { networkInterfaces } from 'node:os'
import type { ConfigView } from '@wren/kernel'
import { tableFromLines } from './table.js'
import type { MappingTable } from './types.js'

/** This host's non-loopback addresses (for the default INTERNAL_IP table). */
export function hostAddresses(): string[] {
  const out: string[] = []
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal) continue
      if (a.family === 'IPv6' && /^fe80:/i.test(a.address)) continue // link-local carries a scope id
      out.push(a.address)
    }
  }
  return out
}

export function defaultMappingTables(addresses: string[] = hostAddresses()): MappingTable[] {
  const internal = [
    ...addresses.map((ip) => `$(${ip}/${ip.includes(':') ? 128 : 32}) $Y`),
    '127.0.0.1 $Y',
    '* $N',
  ]
  return [
    tableFromLines('INTERNAL_IP', internal),
    tableFromLines('PORT_ACCESS', ['*|*|*|*|* $C$|INTERNAL_IP;$3|$Y$E', '* $YEXTERNAL']),
    tableFromLines('ORIG_SEND_ACCESS', ['tcp_local|*|tcp_local|* $NRelaying$ not$ permitted']),
  ]
}

/** Tables from `mapping:<TABLE>.rule` options (explicitly set ones only). */
export function configuredMappingTables(config: ConfigView): MappingTable[] {
  const out: MappingTable[] = []
  for (const { name, value } of config.list('mapping:*')) {
    const m = /^mapping:([^.]+)\.rule$/i.exec(name)
    if (!m) continue
    const lines = Array.isArray(value) ? value.map(String) : String(value)
    out.push(tableFromLines(m[1]!, lines))
  }
  return out
}

/** Defaults overlaid with the configured tables. */
export function mappingTablesFromConfig(config: ConfigView, addresses?: string[]): MappingTable[] {
  const byName = new Map<string, MappingTable>()
  for (const t of defaultMappingTables(addresses)) byName.set(t.name, t)
  for (const t of configuredMappingTables(config)) byName.set(t.name, t)
  return [...byName.values()]
}
