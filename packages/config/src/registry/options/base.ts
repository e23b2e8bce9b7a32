// base.*, watcher.*, alarm.*, msprobe.*, schedule.*, admin.*, messagetrace.* (spec 01 §1–3, §5–7, §25;
// spec 02 §5; spec 03 §10–12; spec 04 B.1, B.4).
import { hostname } from 'node:os'
import type { OptionSpec } from '../types.js'
import { opt, logfileOptions } from './define.js'

export const baseOptions: OptionSpec[] = [
  opt('base.hostname', 'string', hostname(), "This host's fully-qualified name (the logical name under HA).", { scope: 'instance', restart: 'all', legacy: ['local.hostname'] }),
  opt('base.defaultdomain', 'string', undefined, 'Default mail domain: short user ids are in this domain.', { restart: 'all', legacy: ['service.defaultdomain'] }),
  opt('base.listenaddr', 'string', '0.0.0.0', 'Address the servers listen on (INADDR_ANY = all addresses).', { scope: 'instance', restart: 'all', legacy: ['service.listenaddr'] }),
  opt('base.ugldaphost', 'string', undefined, 'User/group LDAP hosts, space-separated with optional ports: "ldap1.example.com ldap2.example.com:389". Unset = the embedded directory.', { restart: 'all', legacy: ['local.ugldaphost'] }),
  opt('base.ugldapport', 'tcpport', 389, 'User/group LDAP port when a host gives none.', { restart: 'all', legacy: ['local.ugldapport'] }),
  opt('base.ugldapusessl', 'bool', false, 'Use LDAPS to the user/group directory.', { restart: 'all', legacy: ['local.ugldapusessl'] }),
  opt('base.ugldapbinddn', 'string', undefined, 'DN the servers bind as to search the user/group directory.', { restart: 'all', legacy: ['local.ugldapbinddn'] }),
  opt('base.ugldapbindcred', 'string', undefined, 'Password of base.ugldapbinddn.', { password: true, restart: 'all', legacy: ['local.ugldapbindcred'] }),
  opt('base.ugldapbasedn', 'string', undefined, 'User/group suffix (dssetup "User/Group Suffix"); unset = the directory\'s own (o=usergroup).', { restart: 'all', legacy: ['local.ugldapbasedn'] }),
  opt('base.ugldaptimeout', 'uint', 5, 'Seconds for an LDAP connect and for each LDAP operation.', { restart: 'all' }),
  opt('base.ugldappoolsize', 'uint', 4, 'Pooled LDAP connections per process.', { restart: 'all', min: 1 }),
  opt('base.ugldapdomainfilter', 'string', '(&(objectClass=mailDomain)(|(sunPreferredDomain=%d)(associatedDomain=%d)))', 'Domain search template (%d = domain; Schema 2).', { restart: 'all' }),
  opt('base.ugldapuserfilter', 'string', '(&(objectClass=inetMailUser)(uid=%u))', 'User search template (%u = uid, %d = domain).', { restart: 'all' }),
  opt('base.ugldapgroupfilter', 'string', '(&(objectClass=inetMailGroup)(cn=%g))', 'Group search template (%g = cn, %d = domain).', { restart: 'all' }),
  opt('base.ugldapmailfilter', 'string', '(&(|(objectClass=inetMailUser)(objectClass=inetMailGroup))(|(mail=%s)(mailAlternateAddress=%s)(mailEquivalentAddress=%s)))', 'Address search template (%s = address).', { restart: 'all' }),
  opt('base.directory.cachettl', 'uint', 60, 'Seconds directory lookups stay cached. Wren extension.'),
  opt('base.directory.cachesize', 'uint', 200000, 'Directory lookups kept in the cache. Wren extension.'),
  opt('base.dcroot', 'string', 'o=isp', 'Domain component tree root (dssetup "Domain Suffix").', { restart: 'all', legacy: ['service.dcroot'] }),
  opt('base.directory.provider', 'enum', undefined, 'Directory provider: embedded (control-plane database) or ldap; unset = ldap when base.ugldaphost is set, else embedded. Wren extension.', { values: ['embedded', 'ldap'], restart: 'all' }),
  opt('base.proxyadmin', 'string', 'admin', 'Administrator used for proxy authentication to the store.', { legacy: ['service.siteadmin.userid'] }),
  opt('base.proxyadminpass', 'string', undefined, 'Password of base.proxyadmin; http.smtpauthpassword must equal it.', { password: true, legacy: ['service.siteadmin.cred'] }),
  opt('base.proxyimapport', 'tcpport', 2143, 'IMAP port used by proxies to reach the store (product 143).', { productDefault: 143 }),
  opt('base.proxyimapssl', 'bool', false, 'Use IMAP over SSL to reach the store.'),
  opt('base.proxyserverlist', 'list', undefined, 'Stores that share folders with this one (cross-store sharing).'),
  opt('base.autorestart.enable', 'bool', true, 'Watcher restarts crashed services (manual contradicts itself: prose 0, table enabled; Wren chooses enabled).', { legacy: ['local.autorestart'] }),
  opt('base.autorestart.timeout', 'uint', 600, 'Seconds: one restart per window; a second failure inside it stops restarts. Must exceed the msprobe period.', { legacy: ['local.autorestart.timeout'] }),
  opt('base.sitelanguage', 'string', 'en', 'Site language, last in the preferred-language precedence (user, domain, site).', { legacy: ['gen.sitelanguage'] }),
  opt('base.welcomemsg', 'string', undefined, 'Welcome message sent at first login: headers $$ body ($ = newline). Language variants base.welcomemsg;lang-xx.', { language: true, legacy: ['gen.newuserforms'] }),
  opt('base.loginseparator', 'string', '@', 'Characters accepted as the separator between user id and domain in logins (e.g. "+").', { legacy: ['service.loginseparator'] }),
  opt('base.config.maxversions', 'uint', 100, 'Number of previous configurations kept in the graveyard (history). Wren extension; the product keeps 100.', { min: 1 }),
  opt('base.certmap:<name>.dncomps', 'string', undefined, 'Certificate mapping: subject DN components used to build the search base (fromattr=toattr).'),
  opt('base.certmap:<name>.filtercomps', 'string', undefined, 'Certificate mapping: subject DN components used to build the search filter (e.g. ou=uid).'),
  opt('base.postmasteraddress', 'string', undefined, 'Postmaster notice address (configure asks for it; must not begin with "Postmaster").', { legacy: ['service.postmaster'] }),
  opt('base.internaliplist', 'list', ['127.0.0.1'], 'Relay-allowed networks written to INTERNAL_IP by configure ($(IP/prefix) syntax).'),
  opt('message_language:<name>.welcomemsg', 'string', undefined, 'Welcome message for one language.'),
  opt('auth.searchfordomain', 'bool', true, 'Require a domain in logins; 0 allows domainless logins when the uid is unique.', { legacy: ['service.authsearchfordomain'] }),
  opt('auth.searchfilter', 'string', undefined, 'LDAP filter used to find the user at login (changes the login attribute).'),
  opt('sectoken:<name>.tokenpass', 'string', undefined, 'Password of a certificate token (must match certutil -N).', { password: true, restart: 'all' }),
  // `base.logfile.*` governs the `default` log; the others name their log file (log/<svc>).
  ...logfileOptions('base'),
  ...logfileOptions('admin'),
  ...logfileOptions('directory'),
  ...logfileOptions('watcher'),
]

export const watcherOptions: OptionSpec[] = [
  opt('watcher.enable', 'bool', true, 'Run the watcher (process monitor and restart).', { restart: 'watcher', legacy: ['local.watcher.enable'] }),
  opt('watcher.port', 'tcpport', 49994, 'Watcher listen port.', { restart: 'watcher', legacy: ['local.watcher.port'] }),
  opt('msprobe.timeout', 'uint', 30, 'Seconds without a probe answer after which a service is restarted.'),
  opt('msprobe.warningthreshold', 'uint', 25, 'Seconds after which a slow probe answer is logged as a warning.'),
  opt('msprobe.probe:<name>.timeout', 'uint', undefined, 'Per-service msprobe timeout.'),
  opt('msprobe.probe:<name>.warningthreshold', 'uint', undefined, 'Per-service msprobe warning threshold.'),
  opt('msprobe.queuedir', 'filepath', undefined, 'Queue directory whose disk msprobe checks.'),
]

export const alarmOptions: OptionSpec[] = [
  opt('alarm.noticehost', 'string', 'localhost', 'SMTP host alarm messages are sent through.', { legacy: ['alarm.msgalarmnoticehost'] }),
  opt('alarm.noticeport', 'tcpport', 2587, 'SMTP port of alarm.noticehost (product 587).', { productDefault: 587, legacy: ['alarm.msgalarmnoticeport'] }),
  opt('alarm.noticercpt', 'string', 'Postmaster@localhost', 'Recipient of alarm messages.', { legacy: ['alarm.msgalarmnoticercpt'] }),
  opt('alarm.noticesender', 'string', 'Postmaster@localhost', 'Sender of alarm messages.', { legacy: ['alarm.msgalarmnoticesender'] }),
  opt('alarm.noticetemplate', 'string', undefined, 'Template of alarm messages.', { legacy: ['alarm.msgalarmnoticetemplate'] }),
  opt('alarm.system:diskavail.description', 'string', 'percentage mail partition diskspace available', 'Description for the diskavail alarm.', { legacy: ['alarm.diskavail.msgalarmdescription'] }),
  opt('alarm.system:diskavail.statinterval', 'uint', 3600, 'Interval in seconds between disk availability checks. Set to 0 to disable checks of disk usage.', { legacy: ['alarm.diskavail.msgalarmstatinterval'] }),
  opt('alarm.system:diskavail.threshold', 'uint', 10, 'Percentage of free disk below which the alarm fires (20-25 recommended).', { max: 100, legacy: ['alarm.diskavail.msgalarmthreshold'] }),
  opt('alarm.system:diskavail.thresholddirection', 'int', -1, '-1: alarm when below the threshold; 1: when above.', { min: -1, max: 1, legacy: ['alarm.diskavail.msgalarmthresholddirection'] }),
  opt('alarm.system:diskavail.warninginterval', 'uint', 24, 'Hours between repeated diskavail alarms.', { legacy: ['alarm.diskavail.msgalarmwarninginterval'] }),
  opt('alarm.system:serverresponse.description', 'string', 'server response time in seconds', 'Description for the serverresponse alarm.', { legacy: ['alarm.serverresponse.msgalarmdescription'] }),
  opt('alarm.system:serverresponse.statinterval', 'uint', 600, 'Interval in seconds between server response checks (0 = off).', { legacy: ['alarm.serverresponse.msgalarmstatinterval'] }),
  opt('alarm.system:serverresponse.threshold', 'uint', 10, 'Response time in seconds above which the alarm fires.', { legacy: ['alarm.serverresponse.msgalarmthreshold'] }),
  opt('alarm.system:serverresponse.thresholddirection', 'int', 1, '-1: alarm when below the threshold; 1: when above.', { min: -1, max: 1, legacy: ['alarm.serverresponse.msgalarmthresholddirection'] }),
  opt('alarm.system:serverresponse.warninginterval', 'uint', 24, 'Hours between repeated serverresponse alarms.', { legacy: ['alarm.serverresponse.msgalarmwarninginterval'] }),
]

export const scheduleOptions: OptionSpec[] = [
  opt('schedule.enable', 'bool', true, 'Run the scheduler (imsched).', { restart: 'sched', legacy: ['local.schedule.enable'] }),
  opt('schedule.task:<name>.crontab', 'string', undefined, 'Task schedule "m h dom mon dow cmd args"; when both dom and dow are restricted both must match (AND). Apply with refresh sched.'),
  opt('schedule.task:<name>.enable', 'bool', true, 'Run this task (0 disables it; refresh sched).'),
  ...logfileOptions('sched'),
]

export const adminOptions: OptionSpec[] = [
  opt('admin.enable', 'bool', true, 'Run the admin service (control API and console API).', { restart: 'admin' }),
  opt('admin.port', 'tcpport', 8080, 'Port of the admin/console API (product Delegated Administrator 8080).', { restart: 'admin', legacy: ['local.webmail.da.port'] }),
  opt('admin.listenaddr', 'string', '127.0.0.1', 'Address the admin API listens on (loopback by default).', { scope: 'instance', restart: 'admin' }),
  opt('admin.sessiontimeout', 'uint', 7200, 'Seconds an idle console session stays valid.'),
  opt('admin.maxloginfailures', 'uint', 5, 'Failed console sign-ins from one address or for one user name before further attempts are refused.', { min: 1 }),
  opt('admin.loginfailurewindow', 'uint', 300, 'Seconds over which failed console sign-ins are counted (and refused once admin.maxloginfailures is reached).', { min: 1 }),
]

export const messagetraceOptions: OptionSpec[] = [
  opt('messagetrace.activate', 'string', undefined, 'Activate message tracing; "transactlog" writes the store XML transaction log.'),
  opt('messagetrace.logfile', 'filepath', undefined, 'Transaction log file (default DataRoot/log/transactlog).'),
]
