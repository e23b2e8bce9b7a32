// imquotacheck rule file (spec 03 §5; default `config/imq.rulefile`): INI sections, keys and values
// case-insensitive. `[General]` holds mailQuotaAttribute / reportMethod; every other section is a rule
// with notificationTriggerPercentage (required, unique), notificationInterval (required, hours),
// enabled (default 0), messageFile, notificationMethod.

export interface QuotaRule {
  name: string
  trigger: number
  intervalHours: number
  enabled: boolean
  messageFile?: string
}

export function parseRuleFile(text: string): QuotaRule[] {
  const sections = new Map<string, Map<string, string>>()
  let current: Map<string, string> | undefined
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (!line || line.startsWith('#') || line.startsWith(';')) continue
    const sec = /^\[(.+)\]$/.exec(line)
    if (sec) {
      current = new Map()
      sections.set(sec[1]!.trim(), current)
      continue
    }
    const eq = line.indexOf('=')
    if (eq < 0 || !current) continue
    current.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim())
  }
  const rules: QuotaRule[] = []
  for (const [name, kv] of sections) {
    if (name.toLowerCase() === 'general') continue
    const trigger = Number(kv.get('notificationtriggerpercentage'))
    const interval = Number(kv.get('notificationinterval'))
    if (!Number.isInteger(trigger) || !Number.isFinite(interval)) {
      throw new Error(`rule [${name}]: notificationTriggerPercentage and notificationInterval are required`)
    }
    if (rules.some((r) => r.trigger === trigger)) throw new Error(`rule [${name}]: duplicate notificationTriggerPercentage ${trigger}`)
    rules.push({ name, trigger, intervalHours: interval, enabled: kv.get('enabled') === '1', messageFile: kv.get('messagefile') })
  }
  return rules
}
