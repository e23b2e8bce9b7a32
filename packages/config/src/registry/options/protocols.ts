// imap.*, pop.*, http.*, mmp.* (spec 03 §10, §25; spec 01 §8, §20–21; spec 04 B.1 Table 12-4).
// Wren's local profile uses unprivileged ports (docs/decisions.md); productDefault records the manual's.
import type { OptionSpec, RestartScope } from '../types.js'
import { opt, logfileOptions } from './define.js'

interface ServiceDefaults {
  port: number; productPort: number; sslport: number; productSslport: number
  maxsessions: number; idletimeout: number; banner: string
}

function serviceOptions(svc: 'imap' | 'pop' | 'http', d: ServiceDefaults): OptionSpec[] {
  const restart = svc as RestartScope
  const legacy = (o: string) => [`service.${svc}.${o}`]
  return [
    opt(`${svc}.enable`, 'bool', true, `Enable the ${svc.toUpperCase()} server. To disable it entirely also set ${svc}.enablesslport 0.`, { restart, legacy: svc === 'http' ? ['local.http.enable'] : legacy('enable') }),
    opt(`${svc}.port`, 'tcpport', d.port, `${svc.toUpperCase()} server port number (product ${d.productPort}).`, { restart, productDefault: d.productPort, legacy: legacy('port') }),
    // Wren enables the implicit-TLS port by default ("TLS on every protocol", docs/decisions.md D8); the product's default is 0.
    opt(`${svc}.enablesslport`, 'bool', svc !== 'http', `Enable the implicit-TLS ${svc.toUpperCase()}S port.`, { restart, productDefault: false, legacy: legacy('enablesslport') }),
    opt(`${svc}.sslport`, 'tcpport', d.sslport, `${svc.toUpperCase()}S (implicit TLS) port number (product ${d.productSslport}).`, { restart, productDefault: d.productSslport, legacy: legacy('sslport') }),
    opt(`${svc}.sslusessl`, 'bool', true, `Offer TLS (STARTTLS${svc === 'pop' ? '/STLS' : ''}) on the ${svc.toUpperCase()} port when a certificate is configured.`, { restart, legacy: legacy('sslusessl') }),
    opt(`${svc}.listenaddr`, 'string', undefined, `Address the ${svc.toUpperCase()} server listens on; unset = base.listenaddr.`, { restart, scope: 'instance', fallback: 'base.listenaddr', legacy: legacy('listenaddr') }),
    opt(`${svc}.maxsessions`, 'uint', d.maxsessions, `Maximum concurrent sessions per ${svc.toUpperCase()} process.`, { restart, legacy: legacy('maxsessions') }),
    opt(`${svc}.maxthreads`, 'uint', 250, `Maximum worker threads per ${svc.toUpperCase()} process.`, { restart, legacy: legacy('maxthreads') }),
    opt(`${svc}.numprocesses`, 'uint', 1, `Number of ${svc.toUpperCase()} server processes.`, { restart, min: 1, legacy: legacy('numprocesses') }),
    opt(`${svc}.idletimeout`, 'uint', d.idletimeout, `Idle timeout in minutes (minimum ${d.idletimeout}: it can only be raised).`, { min: d.idletimeout, legacy: legacy('idletimeout') }),
    opt(`${svc}.banner`, 'string', d.banner, `Greeting banner (%h host, %p protocol, %P product, %V version).`, { legacy: legacy('banner') }),
    opt(`${svc}.plaintextmincipher`, 'int', 0, 'When > 0, plaintext passwords are accepted only over SSL/TLS with at least this cipher strength.', { legacy: legacy('plaintextmincipher') }),
    opt(`${svc}.allowplaintextlogin`, 'bool', false, 'Wren extension: accept plaintext LOGIN/USER/AUTH PLAIN before TLS (secure by default: refused until STARTTLS/STLS).'),
    opt(`${svc}.enableuserlist`, 'bool', false, 'Keep a list of logged-in users for imsconnutil.', { legacy: legacy('enableuserlist') }),
    ...logfileOptions(svc, undefined),
  ]
}

/**
 * IMAP capability advertising switches (spec 01 §21): all 1 except imap4 and condstore. Option names are
 * the capability in lower case without non-alphanumerics (`LITERAL+` → `capability_literalplus`,
 * `SASL-IR` → `capability_saslir`), as the IMAP server derives them.
 */
const CAPABILITIES: Array<[string, string]> = [
  ['imap4', 'IMAP4'], ['imap4rev1', 'IMAP4rev1'], ['acl', 'ACL'], ['quota', 'QUOTA'], ['literalplus', 'LITERAL+'],
  ['namespace', 'NAMESPACE'], ['uidplus', 'UIDPLUS'], ['children', 'CHILDREN'], ['binary', 'BINARY'], ['unselect', 'UNSELECT'],
  ['sort', 'SORT'], ['thread', 'THREAD'], ['language', 'LANGUAGE'], ['starttls', 'STARTTLS'], ['idle', 'IDLE'],
  ['xrefresh', 'XREFRESH'], ['xsender', 'XSENDER'], ['xnetscape', 'X-NETSCAPE'], ['xserverinfo', 'XSERVERINFO'],
  ['xsunsort', 'X-SUN-SORT'], ['xsunimap', 'X-SUN-IMAP'], ['xannotatemore', 'X-ANNOTATEMORE'], ['condstore', 'CONDSTORE'],
  ['qresync', 'QRESYNC'], ['enable', 'ENABLE'], ['id', 'ID'], ['urlauth', 'URLAUTH'], ['catenate', 'CATENATE'],
  ['context', 'CONTEXT'], ['annotate', 'ANNOTATE'], ['esearch', 'ESEARCH'], ['searchres', 'SEARCHRES'], ['within', 'WITHIN'],
  ['listextended', 'LIST-EXTENDED'], ['liststatus', 'LIST-STATUS'], ['specialuse', 'SPECIAL-USE'],
  ['createspecialuse', 'CREATE-SPECIAL-USE'], ['move', 'MOVE'], ['saslir', 'SASL-IR'], ['statussize', 'STATUS=SIZE'],
  ['rightskxten', 'RIGHTS=kxten'], ['compress', 'COMPRESS=DEFLATE'], ['multiappend', 'MULTIAPPEND'],
]

export const imapOptions: OptionSpec[] = [
  ...serviceOptions('imap', { port: 2143, productPort: 143, sslport: 2993, productSslport: 993, maxsessions: 4000, idletimeout: 30, banner: '%h %p service (%P %V)' }),
  ...CAPABILITIES.map(([c, cap]) =>
    // Wren enables CONDSTORE/QRESYNC by default (docs/decisions.md D9); the product ships it off.
    opt(`imap.capability_${c}`, 'bool', c !== 'imap4',
      c === 'condstore'
        ? 'Advertise and enable CONDSTORE (RFC 4551); the only capability switch that also enables the feature.'
        : `Advertise ${cap} in CAPABILITY (advertising only; IDLE, STARTTLS and XREFRESH also need their conditions).`,
      c === 'condstore' ? { productDefault: false } : {}),
  ),
  opt('imap.obsoleteimap', 'bool', false, 'Advertise IMAP4 (RFC 1730) as well as IMAP4rev1.'),
  opt('imap.allowanonymouslogin', 'bool', false, 'Allow the ANONYMOUS SASL mechanism.', { legacy: ['service.imap.allowanonymouslogin'] }),
  opt('imap.immediateflagupdate', 'bool', false, 'Make flag changes (e.g. \\Deleted) visible to other sessions at once.', { legacy: ['service.imap.immediateflagupdate'] }),
  opt('imap.ensidle', 'bool', true, 'Use ENS for IDLE notifications (IDLE works only through ENS).', { legacy: ['service.imap.ensidle'] }),
  opt('imap.submituser', 'string', undefined, 'User the MTA authenticates as to fetch BURL URLs (imap_username default).'),
  opt('imap.logcommands', 'bool', false, 'Log every IMAP command at Debug level.'),
  opt('imap.adminbypassquota', 'bool', true, 'Store administrators may append over quota.'),
  opt('imap.actions', 'string', 'all', 'Transaction log actions: all, +(li lo ...) only these, -(li lo) all but these.'),
  opt('imap.actionattributes', 'string', 'all', 'Transaction log attributes: all, +(us si) or -(...).'),
  opt('imap.maxmessagesize', 'uint', 52428800, 'Largest message APPEND accepts in bytes.'),
  opt('imap.maxliteral', 'uint', 65536, 'Largest literal accepted in commands other than APPEND, in bytes. Wren extension.'),
  opt('imap.indexer.port', 'tcpport', 8070, 'Port of the search indexer service.', { legacy: ['service.imap.indexer.port'] }),
]

export const popOptions: OptionSpec[] = [
  ...serviceOptions('pop', { port: 2110, productPort: 110, sslport: 2995, productSslport: 995, maxsessions: 600, idletimeout: 10, banner: '%h %p service (%P %V)' }),
  opt('pop.allowanonymouslogin', 'bool', false, 'Allow anonymous POP logins.', { legacy: ['service.pop.allowanonymouslogin'] }),
  opt('pop.popminpoll', 'uint', 0, 'Minimum minutes between logins of one user (0 = no limit).', { legacy: ['service.pop.popminpoll'] }),
]

export const httpOptions: OptionSpec[] = [
  ...serviceOptions('http', { port: 8990, productPort: 8990, sslport: 8991, productSslport: 8991, maxsessions: 6000, idletimeout: 3, banner: '%h %p service (%P %V)' }),
  opt('http.sessiontimeout', 'uint', 7200, 'Seconds before an idle webmail session expires.', { legacy: ['service.http.sessiontimeout'] }),
  opt('http.smtpauthpassword', 'string', undefined, 'Password webmail uses for SMTP AUTH; must equal base.proxyadminpass.', { password: true }),
  opt('http.smtphost', 'string', undefined, 'SMTP host webmail submits through.', { legacy: ['service.http.smtphost'] }),
  opt('http.smtpport', 'tcpport', 2587, 'SMTP port webmail submits to (product 587).', { productDefault: 587, legacy: ['service.http.smtpport'] }),
  opt('http.spooldir', 'filepath', undefined, 'Spool directory for webmail uploads.', { legacy: ['service.http.spooldir'] }),
  opt('http.maxmessagesize', 'uint', 5242880, 'Largest message webmail accepts in bytes (counts base64).', { legacy: ['service.http.maxmessagesize'] }),
]

export const mmpOptions: OptionSpec[] = [
  opt('mmp.enable', 'bool', false, 'Run the Messaging Multiplexor (IMAP/POP proxy). Not implemented by Wren.', { restart: 'mmp', legacy: ['local.mmp.enable'] }),
  opt('imapproxy.connlimits', 'string', ':20', 'Per-IP connection limits of the IMAP proxy.'),
  opt('imapproxy.tcp_listen:<name>.tcp_ports', 'list', undefined, 'IMAP proxy listener ports.', { restart: 'mmp' }),
  opt('imapproxy.tcp_listen:<name>.ssl_ports', 'list', undefined, 'IMAP proxy implicit-TLS listener ports.', { restart: 'mmp' }),
  opt('popproxy.connlimits', 'string', ':20', 'Per-IP connection limits of the POP proxy.'),
  opt('popproxy.tcp_listen:<name>.tcp_ports', 'list', undefined, 'POP proxy listener ports.', { restart: 'mmp' }),
  opt('popproxy.tcp_listen:<name>.ssl_ports', 'list', undefined, 'POP proxy implicit-TLS listener ports.', { restart: 'mmp' }),
  ...logfileOptions('mmp', undefined),
]
