// mta.*, channel:*, rewrite.rule, mapping:*, dispatcher.*, job_controller.* (spec 01 §9–12, §14–16, §22–23).
// MTA option.dat names (LOG_FORMAT, LOG_CONNECTION…) are the lowercase mta.* options; lookups are case-insensitive.
import type { OptionSpec } from '../types.js'
import { opt, logfileOptions } from './define.js'

const DEFAULT_DELIVERY_OPTIONS =
  '*mailbox=$M%\\$2I$_+$2S@ims-ms-daemon,&members=*,*native=$M@native-daemon,/hold=@hold-daemon:$A,*unix=$M@native-daemon,&file=+$F@native-daemon,&members_offline=*,program=$M%$P@pipe-daemon,#forward=**,^*!autoreply=$M+$D@bitbucket,#*&nomail=$M+$D@bitbucket'

const logFlag = (name: string, description: string) => opt(`mta.${name}`, 'int', 0, description, { min: 0 })

export const mtaOptions: OptionSpec[] = [
  opt('mta.enable', 'bool', true, 'Run the MTA (dispatcher and job controller).', { restart: 'dispatcher', legacy: ['local.imta.enable'] }),
  opt('mta.delivery_options', 'string', DEFAULT_DELIVERY_OPTIONS, 'Patterns selected by mailDeliveryOption values; prefixes ! generate Sieve, # may run on relays, ^ only inside vacation dates, * users only, @ gather preferred language.'),
  opt('mta.mm_debug', 'uint', 0, 'Message-enqueue debugging level (0-5).', { max: 5 }),
  opt('mta.block_size', 'uint', 1024, 'Bytes per block in mail.log sizes and block limits (BLOCK_SIZE).'),
  opt('mta.max_b_entries', 'uint', 10, 'Bad SMTP commands (B records) logged per session (MAX_B_ENTRIES).'),
  logFlag('log_connection', 'Connection records in mail.log (bits: 1 basic, 2 close diagnostics, … 128 auth) (LOG_CONNECTION).'),
  opt('mta.log_format', 'uint', 1, 'mail.log format: 1 standard, 2 <> for empty addresses, 3 length-prefixed fields, 4 XML (LOG_FORMAT).', { min: 1, max: 4 }),
  logFlag('log_process', 'Log the process id (hex pid[.thread].n) (LOG_PROCESS).'),
  logFlag('log_notary', 'Log NOTARY flags as an integer (LOG_NOTARY).'),
  logFlag('log_filename', 'Log the queue file path (LOG_FILENAME).'),
  logFlag('log_message_id', 'Log Message-ID (bounces log <new>,<orig>) (LOG_MESSAGE_ID).'),
  logFlag('log_username', 'Log the submitting user (mailsrv or *user after SASL) (LOG_USERNAME).'),
  logFlag('log_queue_time', 'Log queue and connection times (qt, ct) (LOG_QUEUE_TIME).'),
  logFlag('log_node', 'Log the node name (LOG_NODE).'),
  logFlag('log_envelope_id', 'Log the envelope id (LOG_ENVELOPE_ID).'),
  logFlag('log_sensitivity', 'Log the Sensitivity header (LOG_SENSITIVITY).'),
  logFlag('log_priority', 'Log the Priority header (LOG_PRIORITY).'),
  logFlag('log_intermediate', 'Log the intermediate address (LOG_INTERMEDIATE).'),
  logFlag('log_filter', 'Log Sieve filter actions (LOG_FILTER).'),
  logFlag('log_reason', 'Log the reason for J/R records (LOG_REASON).'),
  logFlag('log_mtpriority', '1 = log MT-PRIORITY (XML mp), 2 = include it in LOG_ACTION probes (LOG_MTPRIORITY).'),
  logFlag('log_mailbox_uid', 'Log the delivered UID in S records (LOG_MAILBOX_UID).'),
  logFlag('log_banner', 'Log the remote SMTP banner (LOG_BANNER).'),
  logFlag('log_transportinfo', 'Log transport information (LOG_TRANSPORTINFO).'),
  opt('mta.separate_connection_log', 'bool', false, 'Write connection records to connection.log* instead of mail.log* (SEPARATE_CONNECTION_LOG).'),
  opt('mta.log_messages_syslog', 'int', 0, '|n| = syslog priority and facility; n > 0 also writes the files, n < 0 suppresses them.'),
  opt('mta.include_spares', 'uint', 0, 'Bits appending LDAP spares to probes: 4194304 spare 5, 8388608 spare 6 (INCLUDE_SPARES).'),
  opt('mta.ldap_spare_5', 'string', undefined, 'LDAP attribute read into spare 5 (LDAP_SPARE_5).'),
  opt('mta.ldap_spare_6', 'string', undefined, 'LDAP attribute read into spare 6 (LDAP_SPARE_6).'),
  opt('mta.include_mtpriority', 'uint', 0, 'Bits appending priority,size to probes: 1 FROM_ACCESS, 2 FORWARD, 4 ORIG_SEND, 8 SEND, 16 ORIG_MAIL, 32 MAIL, 64 conversion, 128 catchall.'),
  opt('mta.mtpriority_policy', 'string', undefined, 'MT-PRIORITY policy shown in EHLO (MTPRIORITY_POLICY).'),
  opt('mta.include_conversiontag', 'uint', 0, 'Bits adding conversion tags to CONVERSIONS probes.'),
  opt('mta.wrong_master_fast_retry', 'uint', 1, 'Fast retry after a 423 wrong-master reply (0 = off; delay n + rand()%(15n) s).'),
  opt('mta.wrong_master_fallback_attempts', 'uint', 1, 'Fallback attempts after a wrong-master reply.'),
  opt('mta.enable_sieve_body', 'bool', false, 'Allow the Sieve body test (ENABLE_SIEVE_BODY).'),
  opt('mta.alias_entry_cache_timeout', 'uint', 600, 'Seconds alias lookups are cached.'),
  opt('mta.local_domains', 'list', undefined, 'Domains delivered locally besides base.defaultdomain and the host name. Wren extension.', { restart: 'dispatcher' }),
  opt('mta.max_received_lines', 'uint', 50, 'Received: header lines after which a message is a loop and is held (.HELD).'),
  opt('mta.postmaster', 'string', undefined, 'Address postmaster mail and notices go to (default postmaster@base.defaultdomain).'),
  opt('mta.vacation_template', 'string', undefined, 'file: URL template of vacation tracking files (NFS-safe flat files).'),
  opt('mta.vacation_cleanup', 'uint', 200, 'Vacation tracking cleanup runs when time % vacation_cleanup == 0.'),
  opt('mta.autoreply_timeout_default', 'uint', 168, 'Hours between vacation replies to one sender when mailAutoReplyTimeOut is absent.'),
  opt('mta.ldap_start_date', 'string', 'vacationStartDate', 'LDAP attribute of the vacation start date (YYYYMMDDHHMMSSZ).'),
  opt('mta.ldap_end_date', 'string', 'vacationEndDate', 'LDAP attribute of the vacation end date.'),
  opt('mta.ldap_autoreply_mode', 'string', 'mailAutoReplyMode', 'LDAP attribute of the autoreply mode (echo | reply).'),
  opt('mta.ldap_autoreply_subject', 'string', 'mailAutoReplySubject', 'LDAP attribute of the autoreply subject.'),
  opt('mta.ldap_autoreply_text', 'string', 'mailAutoReplyText', 'LDAP attribute of the autoreply text for external senders.'),
  opt('mta.ldap_autoreply_text_int', 'string', 'mailAutoReplyTextInternal', 'LDAP attribute of the autoreply text for same-domain senders.'),
  opt('mta.ldap_autoreply_timeout', 'string', 'mailAutoReplyTimeOut', 'LDAP attribute of the reply interval in hours.'),
  opt('mta.ldap_autoreply_addresses', 'string', undefined, 'LDAP attribute supplying the Sieve :addresses.'),
  opt('mta.ldap_personal_name', 'string', 'cn', 'LDAP attribute used as the personal name in the reply From.'),
  opt('mta.ldap_prefix_text', 'string', undefined, 'LDAP attribute of text prepended to vacation replies.'),
  opt('mta.ldap_suffix_text', 'string', undefined, 'LDAP attribute of text appended to vacation replies.'),
  opt('mta.ldap_spare_4', 'string', undefined, 'LDAP attribute read into spare 4.'),
  opt('mta.max_message_size', 'uint', 104857600, 'Largest message accepted in bytes (default 100 MB), advertised as EHLO SIZE (RFC 1870); 0 = no fixed maximum (messages are streamed to disk). The source channel\'s blocklimit (x mta.block_size) may lower it. Applies to new SMTP sessions without a restart. Wren extension of SIZE.'),
  ...logfileOptions('mta', undefined),
  ...logfileOptions('imta', undefined),
  ...logfileOptions('dispatcher', undefined),
  ...logfileOptions('job_controller', undefined),
]

/** Rewrite rules and mapping tables: multi-valued `pattern template` lines (spec 01 §9, §12). */
export const ruleOptions: OptionSpec[] = [
  opt('rewrite.rule', 'string', undefined, 'A rewrite rule "pattern template" (e.g. "example.org $U%D@tcp_example-daemon"); each set adds one rule, in order.', { multi: true }),
  opt('mapping:<name>.rule', 'string', undefined, 'A mapping table entry "pattern template"; each set adds one entry, in order (PORT_ACCESS, ORIG_SEND_ACCESS, INTERNAL_IP…).', { multi: true }),
]

const flag = (kw: string, description: string, excludes?: string[]) =>
  opt(`channel:<name>.${kw}`, 'bool', undefined, description, excludes ? { excludes } : {})

const MX = ['mx', 'nomx', 'randommx', 'nonrandommx', 'defaultmx']
const SYS = ['single_sys', 'single', 'multiple']
const LOG = ['logging', 'nologging']
const TLSS = ['maytlsserver', 'musttlsserver', 'notlsserver']
const TLSC = ['maytlsclient', 'musttlsclient', 'notlsclient']
const TLS = ['maytls', 'musttls', 'notls']
const SASLS = ['maysaslserver', 'mustsaslserver', 'nosaslserver']
const IDENT = ['identnone', 'identnonenumeric', 'identnonesymbolic', 'identtcp', 'identtcpnumeric', 'identtcpsymbolic']
const REV = ['reverse', 'noreverse']
const SWITCH = ['allowswitchchannel', 'noswitchchannel']
const group = (members: string[], description: (kw: string) => string) =>
  members.map((kw) => flag(kw, description(kw), members.filter((m) => m !== kw)))

/** Channel keywords (spec 01 §9, §13–15, §21–22): `channel:<name>.<keyword>` plus `official_host_name`. */
export const channelOptions: OptionSpec[] = [
  opt('channel:<name>.official_host_name', 'string', undefined, 'Channel tag (second line of the channel block), e.g. tcp_local-daemon.'),
  flag('smtp', 'Channel speaks SMTP.'),
  flag('lmtp', 'Channel speaks LMTP.'),
  ...group(MX, (kw) => `MX handling: ${kw} (setting one removes the others).`),
  ...group(SYS, (kw) => `Connection sharing: ${kw} (one connection per ${kw === 'multiple' ? 'many systems' : 'system'}).`),
  ...group(LOG, (kw) => (kw === 'logging' ? 'Write mail.log records for this channel.' : 'Do not log this channel.')),
  ...group(TLSS, (kw) => `TLS as a server: ${kw}.`),
  ...group(TLSC, (kw) => `TLS as a client: ${kw}.`),
  ...group(TLS, (kw) => `TLS both ways: ${kw}.`),
  ...group(SASLS, (kw) => `SASL as a server: ${kw}.`),
  ...group(IDENT, (kw) => `Received-header identification: ${kw}.`),
  ...group(REV, (kw) => `Address reversal: ${kw}.`),
  ...group(SWITCH, (kw) => `Channel switching: ${kw}.`),
  flag('switchchannel', 'Switch to the channel matching the source IP.'),
  flag('inner', 'Rewrite inner (embedded message) headers.'),
  flag('loopcheck', 'Detect mail loops through this channel.'),
  flag('remotehost', 'Use the remote host name in notices.'),
  flag('master_debug', 'Debug output from the master (outbound) program.'),
  flag('slave_debug', 'Debug output from the slave (inbound) program.'),
  flag('defragment', 'Reassemble message/partial messages.'),
  flag('connectcanonical', 'Connect to the canonical host name.'),
  flag('flagtransfer', 'Transfer IMAP flags over LMTP (XDFLG).'),
  flag('multigate', 'Accept mail for any system (gateway).'),
  flag('dequeue_removeroute', 'Remove the source route on dequeue.'),
  flag('slave', 'Channel has an inbound (slave) program.'),
  flag('master', 'Channel has an outbound (master) program.'),
  flag('turn_in', 'Enable TURN and ATRN (RFC 2645) on this channel.'),
  flag('bidirectional', 'Channel is served by both master and slave programs.'),
  flag('sourcespamfilter1', 'Apply spam filter 1 to mail from this channel.'),
  flag('copysendpost', 'Send the postmaster a copy of failure notices.'),
  flag('copywarnpost', 'Send the postmaster a copy of delay warnings.'),
  flag('copyreturnpost', 'Send the postmaster a copy of returned messages.'),
  flag('postheadonly', 'Postmaster copies carry only the headers.'),
  flag('batch', 'Deliver the channel\'s messages in batches.'),
  opt('channel:<name>.saslswitchchannel', 'string', undefined, 'Channel a session switches to after successful SASL authentication (e.g. tcp_auth).'),
  opt('channel:<name>.maxjobs', 'uint', undefined, 'Maximum concurrent jobs for this channel (default channel block: 7).', { min: 1 }),
  opt('channel:<name>.pool', 'string', undefined, 'Job controller pool the channel runs in (SMTP_POOL, IMS_POOL…).'),
  opt('channel:<name>.backoff', 'list', undefined, 'Retry schedule: ISO 8601 durations between attempts ("pt10m" "pt30m" "pt1h"); the last repeats.'),
  opt('channel:<name>.notices', 'list', undefined, 'Days after which delay notices are sent; the last value returns the message.'),
  opt('channel:<name>.port', 'tcpport', undefined, 'Remote port for outbound connections (LMTP 225).'),
  opt('channel:<name>.daemon', 'string', undefined, 'Host all mail of the channel is routed to (smarthost/LMTP store).'),
  opt('channel:<name>.subdirs', 'uint', undefined, 'Number of queue subdirectories (queue/<channel>/NNN/).'),
  opt('channel:<name>.blocklimit', 'uint', undefined, 'Largest message accepted, in blocks (mta.block_size).'),
  opt('channel:<name>.maxblocks', 'uint', undefined, 'Messages larger than this many blocks are fragmented.'),
  opt('channel:<name>.fileinto', 'string', undefined, 'Address template for Sieve fileinto on this channel (e.g. @$4O:$U+$S@$D).'),
  opt('channel:<name>.futurerelease', 'uint', undefined, 'Maximum seconds a FUTURERELEASE (RFC 4865) message may be held on this source channel.'),
  opt('channel:<name>.mtprioritiesallowed', 'string', undefined, 'MT-PRIORITY range clamped to ("a [b]"; one value = maximum).'),
  opt('channel:<name>.mtprioritiesrequired', 'string', undefined, 'MT-PRIORITY range required ("a [b]"; one value = minimum).'),
  opt('channel:<name>.options.<*>', 'string', undefined, 'Channel option file entry (channel:tcp_local.options.trace_level 2).'),
]

export const dispatcherOptions: OptionSpec[] = [
  opt('dispatcher.debug', 'int', 0, 'Dispatcher debug mask (-1 = all bits) written to dispatcher.log.', { restricted: true, restart: 'dispatcher' }),
  opt('dispatcher.service:<name>.enable', 'bool', true, 'Enable this dispatcher service.', { restart: 'dispatcher' }),
  opt('dispatcher.service:<name>.tcp_ports', 'list', undefined, 'Ports of the service (plain or STARTTLS).', { restart: 'dispatcher' }),
  opt('dispatcher.service:<name>.ssl_ports', 'list', undefined, 'Implicit-TLS ports of the service (SMTPS).', { restart: 'dispatcher' }),
  opt('dispatcher.service:<name>.interfaceaddress', 'string', undefined, 'Address the service listens on; unset = base.listenaddr.', { restart: 'dispatcher', scope: 'instance' }),
  opt('dispatcher.service:<name>.image', 'string', 'IMTA_BIN:tcp_smtp_server', 'Server program (tcp_smtp_server or tcp_lmtp_server).', { restart: 'dispatcher' }),
  opt('dispatcher.service:<name>.parameter', 'string', undefined, 'Parameters passed to the server, e.g. CHANNEL=tcp_local.', { restart: 'dispatcher' }),
  opt('dispatcher.service:<name>.logfilename', 'filepath', undefined, 'Log file of the service\'s server program.', { restart: 'dispatcher' }),
  opt('dispatcher.service:<name>.stacksize', 'uint', 2048000, 'Thread stack size (heap >= 2 x sum(stacksize x max_conns)).', { restart: 'dispatcher' }),
  opt('dispatcher.service:<name>.min_procs', 'uint', 0, 'Minimum worker processes kept for the service.', { restart: 'dispatcher' }),
  opt('dispatcher.service:<name>.max_procs', 'uint', 5, 'Maximum worker processes for the service.', { restart: 'dispatcher', min: 1 }),
  opt('dispatcher.service:<name>.min_conns', 'uint', 5, 'Connections a worker must hold before another is spawned.', { restart: 'dispatcher' }),
  opt('dispatcher.service:<name>.max_conns', 'uint', 20, 'Maximum connections per worker (the service accepts max_conns x max_procs); applies to new connections without a restart.', { min: 1 }),
  opt('dispatcher.service:<name>.backlog', 'uint', 128, 'Listen backlog.', { restart: 'dispatcher' }),
  opt('dispatcher.service:<name>.banner', 'string', undefined, 'SMTP greeting text of the service; applies to new sessions without a restart. Wren extension.'),
  opt('dispatcher.service:<name>.timeout', 'uint', 600, 'Idle timeout of a session in seconds; applies to new sessions without a restart. Wren extension.'),
  opt('dispatcher.service:<name>.auth_required', 'bool', undefined, 'SMTP AUTH is required before MAIL (default: on for tcp_submit). Wren extension.', { restart: 'dispatcher' }),
  opt('dispatcher.service:<name>.allow_insecure_auth', 'bool', false, 'Offer AUTH before STARTTLS. Wren extension.', { restart: 'dispatcher' }),
]

export const jobControllerOptions: OptionSpec[] = [
  opt('job_controller.tcp_ports', 'list', ['27442'], 'Job controller control port (internal).', { restart: 'job_controller' }),
  opt('job_controller.max_cache_messages', 'uint', 100000, 'Messages tracked in memory; beyond it only on disk (rescan below 1/2, reclaim at most 3/4).', { restart: 'job_controller' }),
  opt('job_controller.rebuild_parallel_channels', 'uint', 12, 'Queue directories scanned at once (1-100).', { min: 1, max: 100 }),
  opt('job_controller.job_pool:<name>.job_limit', 'uint', undefined, 'Maximum concurrent jobs in the pool.', { min: 1 }),
  opt('job_controller.job_pool:<name>.urgent_delivery', 'string', undefined, 'Urgent-delivery handling of the pool.'),
  opt('job_controller.channel_class:<name>.master_command', 'string', undefined, 'Master program of a channel class.'),
  opt('job_controller.secret', 'string', undefined, 'Shared secret of local services (generated by configure).', { password: true, restart: 'job_controller' }),
]
