// Compact constructor for option tables.
import type { OptionValue } from '@wren/kernel'
import type { OptionSpec, OptionType } from '../types.js'

export function opt(
  name: string,
  type: OptionType,
  def: OptionValue | undefined,
  description: string,
  extra: Partial<Omit<OptionSpec, 'name' | 'type' | 'default' | 'description'>> = {},
): OptionSpec {
  const spec: OptionSpec = { name, type, description, ...extra }
  if (def !== undefined) spec.default = def
  return spec
}

/** The `<svc>.logfile.*` family (spec 01 §24; spec 03 §17) for one service, with legacy `logfile.<svc>.*`. */
export function logfileOptions(svc: string, restart?: OptionSpec['restart']): OptionSpec[] {
  const legacy = (o: string) => [`logfile.${svc}.${o}`]
  const r = restart ? { restart } : {}
  return [
    opt(`${svc}.logfile.loglevel`, 'enum', 'Notice', `Logging level of the ${svc} log: Nolog, Critical, Error, Warning, Notice, Information or Debug; a level includes everything more severe.`, { values: ['Nolog', 'Critical', 'Error', 'Warning', 'Notice', 'Information', 'Debug'], legacy: legacy('loglevel') }),
    opt(`${svc}.logfile.logdir`, 'filepath', undefined, `Directory of the ${svc} log files (default DataRoot/log).`, { legacy: legacy('logdir'), ...r }),
    opt(`${svc}.logfile.maxlogfilesize`, 'uint', 2097152, `Maximum size in bytes of one ${svc} log file before it rolls over (up to 2147483648; values <= 0 mean the default).`, { legacy: legacy('maxlogfilesize'), max: 2147483648 }),
    opt(`${svc}.logfile.maxlogfiles`, 'uint', 10, `Maximum number of ${svc} log files kept.`, { legacy: legacy('maxlogfiles') }),
    opt(`${svc}.logfile.maxlogsize`, 'uint', 20971520, `Maximum total size in bytes of all ${svc} log files.`, { legacy: legacy('maxlogsize') }),
    opt(`${svc}.logfile.minfreediskspace`, 'uint', 5242880, `Minimum free disk space in bytes to keep; logging stops below it.`, { legacy: legacy('minfreediskspace') }),
    opt(`${svc}.logfile.rollovertime`, 'uint', 86400, `Seconds after which the current ${svc} log rolls over.`, { legacy: legacy('rollovertime') }),
    opt(`${svc}.logfile.expirytime`, 'uint', 604800, `Seconds after which rolled-over ${svc} log files are removed.`, { legacy: legacy('expirytime') }),
    opt(`${svc}.logfile.flushinterval`, 'uint', 1, `Seconds between flushes of buffered ${svc} log lines to disk.`, { legacy: legacy('flushinterval') }),
    opt(`${svc}.logfile.syslogfacility`, 'enum', 'none', `Send ${svc} log lines to syslog with this facility; anything but none ignores the other logfile options.`, { values: ['none', 'user', 'mail', 'daemon', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'], legacy: legacy('syslogfacility') }),
  ]
}
