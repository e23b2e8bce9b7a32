// imquotacheck's stable report (spec 03 §5, spec 04 A.1; manual sample in seeds/002 l.1381):
//
// Name                 Quota(K) Usage(K)  %   Quota#  Usage#  %  OverDate WarnDate
// -------------------- -------- -------- --- ------- ------- --- -------- --------
// joe                         -        6   -       -       1   -        -        -
// mary                      100      110 110       -      49   - 10/14/15 10/14/15
// small                       -    1014B   -       -       3   -        -        -
// --------------------------------------------------------------------------------
//
// `-` means no quota; usage under 1 KB is printed in bytes (`654B`); dates are MM/DD/YY.
import type { UserQuotaReport } from '@wren/store'
import { mmddyy, padLeft, padRight } from './table.js'

const WIDTHS = [20, 8, 8, 3, 7, 7, 3, 8, 8] as const

function row(cells: string[]): string {
  return cells.map((c, i) => (i === 0 ? padRight(c, WIDTHS[0]) : padLeft(c, WIDTHS[i]!))).join(' ')
}

export const QUOTA_HEADER = [
  row(['Name', 'Quota(K)', 'Usage(K)', ' % ', 'Quota#', 'Usage#', ' % ', 'OverDate', 'WarnDate']).replace(/ +$/, ''),
  WIDTHS.map((w) => '-'.repeat(w)).join(' '),
].join('\n')

export const QUOTA_TRAILER = '-'.repeat(80)

/** Percent of a limit, floored; `-` when there is no limit. */
export function percent(used: number, limit: number): string {
  if (limit < 0) return '-'
  if (limit === 0) return used > 0 ? '100' : '0'
  return String(Math.floor((used * 100) / limit))
}

/** Usage column: KB, or bytes with a `B` suffix when under 1 KB (but not zero). */
export function usageK(bytes: number): string {
  if (bytes > 0 && bytes < 1024) return `${bytes}B`
  return String(Math.floor(bytes / 1024))
}

export function quotaRow(r: Pick<UserQuotaReport, 'userid' | 'diskLimit' | 'diskUsed' | 'msgLimit' | 'msgUsed' | 'overSince' | 'warnSince'>): string {
  return row([
    r.userid,
    r.diskLimit < 0 ? '-' : String(Math.floor(r.diskLimit / 1024)),
    usageK(r.diskUsed),
    percent(r.diskUsed, r.diskLimit),
    r.msgLimit < 0 ? '-' : String(r.msgLimit),
    String(r.msgUsed),
    percent(r.msgUsed, r.msgLimit),
    r.overSince === null ? '-' : mmddyy(r.overSince),
    r.warnSince === null ? '-' : mmddyy(r.warnSince),
  ])
}

/** `-e`: per-folder usage lines under a user's row. */
export function folderRows(r: Pick<UserQuotaReport, 'userid' | 'folders'>): string[] {
  return r.folders.map((f) => `    ${padRight(`user/${r.userid}/${f.folder}`, 40)} ${padLeft(usageK(f.bytes), 8)} ${padLeft(String(f.messages), 7)}`)
}

export function quotaReport(rows: UserQuotaReport[], opts: { folders?: boolean } = {}): string {
  const lines = [QUOTA_HEADER]
  for (const r of rows) {
    lines.push(quotaRow(r))
    if (opts.folders) lines.push(...folderRows(r))
  }
  lines.push(QUOTA_TRAILER)
  return lines.join('\n') + '\n'
}
