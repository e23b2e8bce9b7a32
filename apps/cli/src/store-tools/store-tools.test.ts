import { describe, expect, it } from 'vitest'
import { getopt, UsageError } from './getopt.js'
import { quotaReport, quotaRow, QUOTA_HEADER } from './quota-report.js'

// The manual's sample, character for character (seeds/002 Ch. 71, imquotacheck).
const GOLDEN = `Name                 Quota(K) Usage(K)  %   Quota#  Usage#  %  OverDate WarnDate
-------------------- -------- -------- --- ------- ------- --- -------- --------
joe                         -        6   -       -       1   -        -        -
mary                      100      110 110       -      49   - 10/14/15 10/14/15
big                  52428800      420   0       -    1673   -        -        -
small                       -    1014B   -       -       3   -        -        -
--------------------------------------------------------------------------------
`

describe('imquotacheck report format', () => {
  const day = new Date(2015, 9, 14, 12, 0).getTime()
  const base = { overSince: null, warnSince: null, folders: [] }
  it('reproduces the manual sample exactly', () => {
    const out = quotaReport([
      { ...base, userid: 'joe', diskLimit: -1, diskUsed: 6 * 1024 + 100, msgLimit: -1, msgUsed: 1 },
      { ...base, userid: 'mary', diskLimit: 100 * 1024, diskUsed: 110 * 1024, msgLimit: -1, msgUsed: 49, overSince: day, warnSince: day },
      { ...base, userid: 'big', diskLimit: 52428800 * 1024, diskUsed: 420 * 1024, msgLimit: -1, msgUsed: 1673 },
      { ...base, userid: 'small', diskLimit: -1, diskUsed: 1014, msgLimit: -1, msgUsed: 3 },
    ])
    expect(out).toBe(GOLDEN)
  })
  it('prints 654B and message-quota percentages (testquota example)', () => {
    const line = quotaRow({ userid: 'testquota', diskLimit: 256000 * 1024, diskUsed: 654, msgLimit: 100000, msgUsed: 1, overSince: null, warnSince: null })
    expect(line.split(/ +/)).toEqual(['testquota', '256000', '654B', '0', '100000', '1', '0', '-', '-'])
    expect(QUOTA_HEADER.split('\n')[0]!.split(/ +/)).toEqual(['Name', 'Quota(K)', 'Usage(K)', '%', 'Quota#', 'Usage#', '%', 'OverDate', 'WarnDate'])
  })
})

describe('getopt', () => {
  it('parses clusters, attached and separate arguments, repeats and operands', () => {
    const p = getopt(['-qc', '-mtasks', '-g', '\\Flagged', '-g', 'x', 'fred', '-z'], 'r:m:g:qcp')
    expect(p.opts.get('q')).toEqual([''])
    expect(p.opts.get('m')).toEqual(['tasks'])
    expect(p.opts.get('g')).toEqual(['\\Flagged', 'x'])
    expect(p.operands).toEqual(['fred', '-z'])
  })
  it('rejects unknown options and missing arguments', () => {
    expect(() => getopt(['-k'], 'r:')).toThrow(UsageError)
    expect(() => getopt(['-r'], 'r:')).toThrow('option requires an argument -- r')
  })
})

import { mailboxTable } from './mailbox-list.js'

describe('mboxutil -l format', () => {
  it('reproduces the manual sample (seeds/002, jauser)', () => {
    const golden = `  msgs  Kbytes last msg         partition   quotaroot mailbox
     0       0 -          -     primary          5120 user/jauser/INBOX
     0       0 -          -     primary             - user/jauser/&MFQwf3ux-
     1       0 2009/03/23 11:59 primary             - user/jauser/&kAFP4W4IMH8-
`
    const out = mailboxTable([
      { messages: 0, bytes: 0, lastMessage: null, partition: 'primary', quotaRoot: 5120 * 1024, name: 'user/jauser/INBOX' },
      { messages: 0, bytes: 0, lastMessage: null, partition: 'primary', quotaRoot: null, name: 'user/jauser/&MFQwf3ux-' },
      { messages: 1, bytes: 898, lastMessage: new Date(2009, 2, 23, 11, 59).getTime(), partition: 'primary', quotaRoot: -1, name: 'user/jauser/&kAFP4W4IMH8-' },
    ])
    expect(out).toBe(golden)
  })
})
