// metermaid.*, metermaid_client.*, ens.*, notifytarget:* (spec 01 §17, §19).
import type { OptionSpec } from '../types.js'
import { opt, logfileOptions } from './define.js'

export const metermaidOptions: OptionSpec[] = [
  opt('metermaid.enable', 'bool', false, '1 = the watcher starts the MeterMaid server.', { restart: 'metermaid', legacy: ['local.metermaid.enable'] }),
  opt('metermaid.port', 'tcpport', 63837, 'Port number on which MeterMaid listens for connections.', { restart: 'metermaid', legacy: ['metermaid.config.port'] }),
  opt('metermaid.listenaddr', 'string', '0.0.0.0', 'Address MeterMaid listens on (INADDR_ANY).', { restart: 'metermaid', scope: 'instance', legacy: ['metermaid.config.listenaddr'] }),
  opt('metermaid.maxthreads', 'uint', 20, 'Worker threads of the MeterMaid server.', { restart: 'metermaid', legacy: ['metermaid.config.maxthreads'] }),
  opt('metermaid.secret', 'string', undefined, 'Shared secret clients must present (required).', { password: true, restart: 'metermaid', legacy: ['metermaid.config.secret'] }),
  opt('metermaid.sslusessl', 'bool', false, 'Serve MeterMaid over TLS.', { restart: 'metermaid', legacy: ['metermaid.config.sslusessl'] }),
  opt('metermaid.local_table:<name>.table_type', 'enum', 'throttle', 'Table type: throttle, simple or greylisting.', { values: ['throttle', 'simple', 'greylisting'], restart: 'metermaid', legacy: ['metermaid.table.<name>.type'] }),
  opt('metermaid.local_table:<name>.data_type', 'enum', 'string', 'Key type: string (<= 255 bytes) or ipv4.', { values: ['string', 'ipv4'], restart: 'metermaid', legacy: ['metermaid.table.<name>.data_type'] }),
  opt('metermaid.local_table:<name>.value_type', 'enum', 'integer', 'Value type of simple tables: integer or string.', { values: ['integer', 'string'], restart: 'metermaid', legacy: ['metermaid.table.<name>.value_type'] }),
  opt('metermaid.local_table:<name>.max_entries', 'uint', 1000, 'Pre-allocated entries; the least recently used is recycled.', { restart: 'metermaid', legacy: ['metermaid.table.<name>.max_entries'] }),
  opt('metermaid.local_table:<name>.storage', 'enum', 'hash', 'Storage: hash or splay.', { values: ['hash', 'splay'], restart: 'metermaid', legacy: ['metermaid.table.<name>.storage'] }),
  opt('metermaid.local_table:<name>.options', 'list', undefined, 'Throttle options: nocase, penalize.', { legacy: ['metermaid.table.<name>.options'] }),
  opt('metermaid.local_table:<name>.quota', 'uint', 100, 'Throttle: hits allowed per quota_time.', { legacy: ['metermaid.table.<name>.quota'] }),
  opt('metermaid.local_table:<name>.quota_time', 'uint', 60, 'Throttle: window in seconds.', { legacy: ['metermaid.table.<name>.quota_time'] }),
  opt('metermaid.local_table:<name>.block_time', 'string', 'pt5m', 'Greylisting: ISO 8601 duration a new triplet is blocked.', { legacy: ['metermaid.table.<name>.block_time'] }),
  opt('metermaid.local_table:<name>.resubmit_time', 'string', 'pt4h', 'Greylisting: ISO 8601 window for the retry.', { legacy: ['metermaid.table.<name>.resubmit_time'] }),
  opt('metermaid.local_table:<name>.inactivity_time', 'string', 'p7d', 'Greylisting: ISO 8601 idle time after which a permitted triplet expires.', { legacy: ['metermaid.table.<name>.inactivity_time'] }),
  ...logfileOptions('metermaid', undefined),
]

export const metermaidClientOptions: OptionSpec[] = [
  opt('metermaid_client.server_host', 'string', undefined, 'MeterMaid server host (required for check_metermaid).'),
  opt('metermaid_client.server_port', 'tcpport', 63837, 'MeterMaid server port.'),
  opt('metermaid_client.connectfrequency', 'uint', 15, 'Seconds: no reconnect after a failure within this time.'),
  opt('metermaid_client.connecttimeout', 'uint', 5, 'Connect timeout in seconds.'),
  opt('metermaid_client.timeout', 'uint', 10, 'Request timeout in seconds.'),
  opt('metermaid_client.max_conns', 'uint', 5, 'Connections per client process.'),
  opt('metermaid_client.debug', 'bool', false, 'Client debugging.'),
  opt('metermaid_client.sslusessl', 'bool', false, 'Connect with TLS.'),
  opt('metermaid_client.remote_table:<name>.server_nickname', 'string', undefined, 'Server ([A-Za-z0-9_]) holding this table (sharding).'),
  opt('metermaid_client.remote_server:<name>.server_host', 'string', undefined, 'Host of a named MeterMaid server.'),
  opt('metermaid_client.remote_server:<name>.server_port', 'tcpport', 63837, 'Port of a named MeterMaid server.'),
  opt('metermaid_client.remote_server:<name>.max_conns', 'uint', 3, 'Connections to a named MeterMaid server.'),
  opt('metermaid_client.remote_server:<name>.sslusessl', 'bool', false, 'TLS to a named MeterMaid server.'),
]

export const ensOptions: OptionSpec[] = [
  // spec 01 §19: `ens.enable` 1; IMAP IDLE works only through ENS (spec 01 §20).
  opt('ens.enable', 'bool', true, 'Run the ENS event service (IMAP IDLE depends on it) and its subscriber port for outside subscribers.', { restart: 'ens', legacy: ['local.ens.enable'] }),
  opt('ens.port', 'tcpport', 7997, 'Port the ENS server listens on.', { restart: 'ens', legacy: ['local.ens.port'] }),
  // Loopback by default: ENS has no per-subscriber authorization (spec 01 §19), so it is not exposed unless asked.
  opt('ens.listenaddr', 'string', '127.0.0.1', 'Address the ENS server listens on (default loopback only).', { restart: 'ens', scope: 'instance' }),
  opt('ens.enablesslport', 'bool', false, 'Enable the ENS SSL port.', { restart: 'ens' }),
  opt('ens.sslport', 'tcpport', 8997, 'ENS SSL port.', { restart: 'ens' }),
  opt('ens.mustauthenticate', 'bool', false, 'Subscribers must authenticate; with no ens.secret every connection fails.', { restart: 'ens' }),
  opt('ens.secret', 'string', undefined, 'ENS shared secret.', { password: true, restart: 'ens' }),
  opt('ens.domainallowed', 'string', undefined, 'Access filter, e.g. "enpd:192.168.0.0/255.255.255.0,127.0.0.1 EXCEPT 192.168.0.17".'),
  opt('ens.domainnotallowed', 'string', undefined, 'Access filter of refused clients.'),
  opt('ens.sslnicknames', 'string', undefined, 'Certificate nicknames for the SSL port.', { restart: 'ens' }),
  opt('notifytarget:<name>.enshost', 'string', undefined, 'ENS host of the notification target (default base.listenaddr).'),
  opt('notifytarget:<name>.ensport', 'tcpport', undefined, 'ENS port of the target (follows ensusessl).'),
  opt('notifytarget:<name>.ensuser', 'string', 'guest', 'User presented to ENS.'),
  opt('notifytarget:<name>.enspwd', 'string', undefined, 'Password presented to ENS (local targets default to ens.secret).', { password: true }),
  opt('notifytarget:<name>.ensusessl', 'bool', undefined, 'Use the ENS SSL port.'),
  ...logfileOptions('ens', undefined),
]
