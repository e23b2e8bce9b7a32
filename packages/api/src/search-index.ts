// Indexes that keep users.list fast at 100k embedded users (issue 6 "stay fast at 100k users"),
// created by the control database's migration 0002_directory_search (prisma/migrations), so no
// request ever pays for building them (docs/decisions.md D19):
//  - an FTS5 trigram index over DirEntry.search (substring search of uid, cn and every address,
//    what the embedded provider's `search` column holds), kept in step by triggers so that every
//    writer — daemon, CLI tools, imports — updates it inside its own transaction;
//  - sort indexes on the user's uid, cn and mail (first value, lower case), globally and per domain,
//    so a first page in any order is an index range scan;
//  - a partial index of the users whose quota differs from the defaults (the quota views).
// The expressions below must stay identical to the migration's for SQLite to use the indexes.

export const SEARCH_TABLE = 'DirEntrySearch'
export const CN_EXPR = "lower(coalesce(json_extract(attrs, '$.cn[0]'), ''))"
export const MAIL_EXPR = "lower(coalesce(json_extract(attrs, '$.mail[0]'), ''))"
export const QUOTA_OVERRIDE = `instr(attrs, '"mailQuota"') > 0 OR instr(attrs, '"mailMsgQuota"') > 0 OR instr(attrs, '"overquota"') > 0`

/** An FTS5 phrase for a substring (trigram tokenizer: at least 3 characters). */
export function substringPhrase(text: string): string {
  return `"${text.replace(/"/g, '""')}"`
}
