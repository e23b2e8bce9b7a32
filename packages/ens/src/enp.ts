// ENS wire lines (spec 01 §19): `enp://127.0.0.1/store?evtType=NewMsg&timestamp=…&hostname=…&
// process=imta&pid=476&mailboxName=testuser&…` — `?`, then `&`-separated pairs, empty values allowed.
// Subscribers must ignore fields they do not know.
import type { EnsEvent } from '@wren/kernel'

export const MANDATORY_FIELDS = ['evtType', 'timestamp', 'hostname', 'process', 'pid', 'mailboxName'] as const
const NUMERIC = new Set(['timestamp', 'pid', 'imapUid', 'uidValidity', 'lastUid', 'numMsgs', 'numSeen', 'numDeleted', 'size', 'hdrLen', 'diskquota', 'diskquotaused', 'msgquota', 'operation'])

export interface EnpLine {
  host: string
  topic: string
  event: EnsEvent
}

/** Parses one `enp://host/topic?k=v&…` line; throws with a precise message when it is not one. */
export function parseEnpLine(line: string): EnpLine {
  const m = /^enp:\/\/([^/?\s]+)\/([^?\s]+)\?(.*)$/.exec(line.trim())
  if (!m) throw new Error('not an enp:// event line')
  const fields: Record<string, string | number> = {}
  for (const pair of m[3]!.split('&')) {
    if (!pair) continue
    const eq = pair.indexOf('=')
    const k = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq))
    const raw = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, '%20'))
    fields[k] = NUMERIC.has(k) && raw !== '' && /^-?\d+$/.test(raw) ? Number(raw) : raw
  }
  const missing = MANDATORY_FIELDS.filter((f) => fields[f] === undefined || fields[f] === '')
  if (missing.length) throw new Error(`missing mandatory field${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`)
  return { host: m[1]!, topic: m[2]!, event: fields as unknown as EnsEvent }
}
