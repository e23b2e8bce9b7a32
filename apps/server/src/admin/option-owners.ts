// Which services an option change concerns, and whether it applies without a restart when the
// registry (packages/config) does not say. Mapping tables are refreshable (spec 04 A.1 refresh:
// "MTA options are mostly not refreshable (mappings are)"); log settings and scheduled tasks are
// re-read live by Wren's own logger and scheduler.
export function optionOwners(option: string, services: string[]): string[] {
  const n = option.toLowerCase().replace(/^(role|instance)\./, '')
  const [head = ''] = n.split('.')
  const group = head.split(':')[0]
  const pick = (...names: string[]) => names.filter((s) => services.includes(s))
  switch (group) {
    case 'imap': return pick('imap')
    case 'pop': return pick('pop')
    case 'store': case 'partition': return pick('store', 'imap', 'pop', 'job_controller') // (the job controller delivers into the store in-process: ims-ms)
    case 'mta': case 'channel': case 'rewrite': case 'mapping': return pick('dispatcher', 'job_controller')
    case 'dispatcher': return pick('dispatcher')
    case 'job_controller': return pick('job_controller')
    case 'schedule': return pick('sched')
    case 'ens': return pick('ens')
    case 'metermaid': case 'metermaid_client': return pick('metermaid')
    case 'admin': return pick('admin')
    case 'base': return services
    default: return pick(group ?? '')
  }
}

export function refreshableByDefault(option: string): boolean {
  const n = option.toLowerCase().replace(/^(role|instance)\./, '')
  return /\.logfile\./.test(n) || n.startsWith('schedule.task:') || n.startsWith('mapping:')
}
