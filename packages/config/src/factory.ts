// The initial runtime configuration (the product's init-config): written as version 1 the first time a
// data root's configuration is opened. Local profile (docs/decisions.md): unprivileged ports.
// Dispatcher services (install guide Table 12-4): SMTP (25) and LMTP (225, disabled) under the manual's
// names, and SMTP_SUBMIT (587 with 465 in ssl_ports as implicit TLS; local profile 2587 + 2465).
import { join, resolve } from 'node:path'
import type { OptionValue } from '@wren/kernel'
import { settingKey, type Settings } from './settings.js'

export const INITIAL_REMARK = 'initial configuration'

export function initialSettings(dataRoot: string): Settings {
  const role: Record<string, OptionValue> = {
    'dispatcher.service:SMTP.enable': true,
    'dispatcher.service:SMTP.tcp_ports': ['2525'],
    'dispatcher.service:SMTP.image': 'IMTA_BIN:tcp_smtp_server',
    'dispatcher.service:SMTP.parameter': 'CHANNEL=tcp_local',
    'dispatcher.service:SMTP_SUBMIT.enable': true,
    'dispatcher.service:SMTP_SUBMIT.tcp_ports': ['2587', '2465'],
    'dispatcher.service:SMTP_SUBMIT.ssl_ports': ['2465'],
    'dispatcher.service:SMTP_SUBMIT.image': 'IMTA_BIN:tcp_smtp_server',
    'dispatcher.service:SMTP_SUBMIT.parameter': 'CHANNEL=tcp_submit',
    'dispatcher.service:LMTP.enable': false,
    'dispatcher.service:LMTP.tcp_ports': ['2225'],
    'dispatcher.service:LMTP.image': 'IMTA_BIN:tcp_lmtp_server',
    'dispatcher.service:LMTP.parameter': 'CHANNEL=tcp_lmtpss',
    // The manual's default channel block (admin guide ch. 9; install guide): `defaults notices 1 2 4 7
    // copywarnpost copysendpost postheadonly`, plus `logging` so that mail.log_current records every
    // message from the start (spec 01 §22; docs/decisions.md D11).
    'channel:defaults.notices': ['1', '2', '4', '7'],
    'channel:defaults.logging': true,
    'channel:defaults.copywarnpost': true,
    'channel:defaults.copysendpost': true,
    'channel:defaults.postheadonly': true,
    'partition:primary.path': join(resolve(dataRoot), 'store', 'partition', 'primary'),
    'job_controller.job_pool:DEFAULT.job_limit': 10,
    'job_controller.job_pool:SMTP_POOL.job_limit': 10,
    'job_controller.job_pool:IMS_POOL.job_limit': 2,
  }
  return new Map(Object.entries(role).map(([name, value]) => [settingKey('role', name), value]))
}
