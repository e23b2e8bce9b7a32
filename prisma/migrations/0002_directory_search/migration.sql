-- Indexes that keep the console's user list and quota views fast at 100k embedded users (issue 6,
-- docs/decisions.md D19). Outside schema.prisma: Prisma cannot express virtual tables, triggers or
-- expression / partial indexes. Derived data only: dropping them loses nothing.
-- (Databases where the admin API created them lazily before this migration already have them: every
-- statement is IF NOT EXISTS, and the rebuild below refills the search table either way.)

-- FTS5 trigram index over DirEntry.search (substring search of uid, cn and every address), external
-- content, kept in step by triggers inside every writer's transaction (daemon, CLI tools, imports).
CREATE VIRTUAL TABLE IF NOT EXISTS DirEntrySearch USING fts5(search, content='DirEntry', content_rowid='id', tokenize='trigram');
CREATE TRIGGER IF NOT EXISTS DirEntrySearch_ai AFTER INSERT ON DirEntry BEGIN
  INSERT INTO DirEntrySearch(rowid, search) VALUES (new.id, new.search); END;
CREATE TRIGGER IF NOT EXISTS DirEntrySearch_ad AFTER DELETE ON DirEntry BEGIN
  INSERT INTO DirEntrySearch(DirEntrySearch, rowid, search) VALUES ('delete', old.id, old.search); END;
CREATE TRIGGER IF NOT EXISTS DirEntrySearch_au AFTER UPDATE OF search ON DirEntry BEGIN
  INSERT INTO DirEntrySearch(DirEntrySearch, rowid, search) VALUES ('delete', old.id, old.search);
  INSERT INTO DirEntrySearch(rowid, search) VALUES (new.id, new.search); END;
INSERT INTO DirEntrySearch(DirEntrySearch) VALUES ('rebuild');

-- Sort indexes: uid, first cn and first mail (lower case), globally and per domain, so a first page
-- in any order is an index range scan (the expressions are user-list.ts CN_EXPR / MAIL_EXPR).
CREATE INDEX IF NOT EXISTS DirEntry_sort_uid ON DirEntry(kind, name, domain);
CREATE INDEX IF NOT EXISTS DirEntry_sort_cn ON DirEntry(kind, lower(coalesce(json_extract(attrs, '$.cn[0]'), '')), domain, name);
CREATE INDEX IF NOT EXISTS DirEntry_sort_mail ON DirEntry(kind, lower(coalesce(json_extract(attrs, '$.mail[0]'), '')), domain, name);
CREATE INDEX IF NOT EXISTS DirEntry_domain_cn ON DirEntry(kind, domain, lower(coalesce(json_extract(attrs, '$.cn[0]'), '')), name);
CREATE INDEX IF NOT EXISTS DirEntry_domain_mail ON DirEntry(kind, domain, lower(coalesce(json_extract(attrs, '$.mail[0]'), '')), name);

-- Users whose quota differs from the defaults (mailQuota, mailMsgQuota, an overquota status): the
-- quota views rank everyone else on the default limits (quota-summary.ts QUOTA_OVERRIDE).
CREATE INDEX IF NOT EXISTS DirEntry_quota_override ON DirEntry(kind, domain, name)
  WHERE instr(attrs, '"mailQuota"') > 0 OR instr(attrs, '"mailMsgQuota"') > 0 OR instr(attrs, '"overquota"') > 0;
