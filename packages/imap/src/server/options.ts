/**
 * IMAP options (spec 03 §10, spec 01 §20–21, §24–25) with the defaults the server applies when the
 * registry has none. Read through the kernel ConfigView.
 */
import type { ConfigView, OptionValue } from '@wren/kernel'

export const IMAP_DEFAULTS = {
  'imap.enable': 1,
  'imap.port': 143,
  'imap.enablesslport': 1,
  'imap.sslport': 993,
  'imap.listenaddr': 'INADDR_ANY',
  'imap.maxsessions': 4000,
  /** Minutes; the manual's minimum is 30 and the value can only be raised (spec 03 §10). */
  'imap.idletimeout': 30,
  /** Legacy default `"%h %p service (%P %V)"` (spec 03 §10). */
  'imap.banner': '%h %p service (%P %V)',
  /** >0: plaintext LOGIN/AUTHENTICATE PLAIN only under TLS (spec 03 §10). */
  'imap.plaintextmincipher': 0,
  /**
   * Wren addition (secure by default): plaintext authentication on a connection without TLS is
   * allowed only when this is 1 and `imap.plaintextmincipher` is 0. LOGINDISABLED is advertised otherwise.
   */
  'imap.allowplaintextlogin': 0,
  /** Largest APPEND literal in bytes (`imap.maxmessagesize`; MTA default 0 = no limit is not safe here). */
  'imap.maxmessagesize': 50 * 1024 * 1024,
  /** Largest literal for other commands. */
  'imap.maxliteral': 64 * 1024,
  'imap.capability_imap4': 0,
  'imap.capability_condstore': 1,
  'ens.enable': 1,
  'store.sharedfolders': 1,
  'store.publicsharedfolders.user': '',
  'messagetrace.activate': '',
  'imap.actions': 'all',
  'imap.actionattributes': 'all',
} satisfies Record<string, OptionValue>

export type ImapOptionName = keyof typeof IMAP_DEFAULTS

export function opt<T extends OptionValue>(config: ConfigView, name: string): T {
  const v = config.find<T>(name)
  if (v !== undefined) return v
  return (IMAP_DEFAULTS as Record<string, OptionValue>)[name] as T
}

export function optNum(config: ConfigView, name: string): number {
  const v = opt<OptionValue>(config, name)
  if (typeof v === 'boolean') return v ? 1 : 0
  const n = Number(v)
  return Number.isFinite(n) ? n : 0
}

export function optBool(config: ConfigView, name: string): boolean {
  const v = opt<OptionValue>(config, name)
  if (typeof v === 'boolean') return v
  if (typeof v === 'number') return v !== 0
  return ['1', 'true', 'yes', 'on'].includes(String(v ?? '').toLowerCase())
}

/** Idle timeout in ms, never below the manual's 30-minute minimum. */
export function idleTimeoutMs(config: ConfigView): number {
  return Math.max(30, optNum(config, 'imap.idletimeout') || 30) * 60_000
}
