// Option values of Wren's local profile: what the daemon assumes when the configuration registry
// (packages/config) does not answer for an option. Unprivileged ports so that `npm start` runs as a
// normal user (docs/decisions.md); the production ports of the manual (25, 587, 465, 225, 143, 993,
// 110, 995) need root.
import type { OptionValue } from '@wren/kernel'

export const LOCAL_PROFILE: Record<string, OptionValue> = {
  // service enables (spec 01 §2; Table 12-4 of the install guide)
  'store.enable': 1,
  'imap.enable': 1,
  'pop.enable': 1,
  'mta.enable': 1,
  'schedule.enable': 1,
  'ens.enable': 0,
  'metermaid.enable': 1,
  'admin.enable': 1,
  'watcher.enable': 1,
  // watcher (spec 01 §3, spec 02 §5). The manual contradicts itself on the default of
  // base.autorestart.enable (prose 0, Table 3-6 enabled): Wren chooses enabled (docs/decisions.md).
  'base.autorestart.enable': 1,
  'base.autorestart.timeout': 600,
  // listeners (local profile; the dispatcher's ports come from dispatcher.service:* in packages/config)
  'imap.port': 2143,
  'imap.sslport': 2993,
  'pop.port': 2110,
  'pop.sslport': 2995,
  'admin.port': 8080,
  'admin.listenaddr': '127.0.0.1',
  'ens.port': 7997,
  // sched (spec 01 §6)
  'schedule.task:msprobe.crontab': '5,15,25,35,45,55 * * * * bin/msprobe',
}
