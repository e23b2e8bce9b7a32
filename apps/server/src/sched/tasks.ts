// The scheduled tasks of the configuration: `schedule.task:<name>.crontab` and `.enable`
// (spec 01 §6), including the product's default task names when the registry gives them a value.
import type { ConfigView } from '@wren/kernel'
import { flag } from '../config-source.js'
import { parseCrontab, type CronTask } from './cron.js'

/** Task names the product ships (spec 01 §6 "Default tasks"). */
export const DEFAULT_TASK_NAMES = ['expire', 'snapshot', 'snapshotverify', 'purge', 'return_job', 'msprobe'] as const

export interface ScheduledTask extends CronTask {
  name: string
  crontab: string
}

export interface TaskError {
  name: string
  error: string
}

export function readTasks(config: ConfigView): { tasks: ScheduledTask[]; errors: TaskError[] } {
  const names = new Set<string>(DEFAULT_TASK_NAMES)
  for (const { name } of config.list('schedule.task:*.crontab')) {
    const m = /^schedule\.task:(.+)\.crontab$/i.exec(name)
    if (m) names.add(m[1]!)
  }
  const tasks: ScheduledTask[] = []
  const errors: TaskError[] = []
  for (const name of [...names].sort()) {
    let crontab: unknown
    try {
      crontab = config.find(`schedule.task:${name}.crontab`)
    } catch {
      crontab = undefined
    }
    if (typeof crontab !== 'string' || !crontab.trim()) continue
    if (!flag(config, `schedule.task:${name}.enable`, true)) continue
    try {
      tasks.push({ name, crontab, ...parseCrontab(crontab) })
    } catch (err) {
      errors.push({ name, error: err instanceof Error ? err.message : String(err) })
    }
  }
  return { tasks, errors }
}
