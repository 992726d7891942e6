-- What the warehouse needs before its tables (sql/tables/ of each stage): the schema of the raw
-- views, and no table an older pipeline kept (input hashes were once cached by path, size and
-- mtime; they are now taken from content, every run).
create schema if not exists raw;
drop table if exists file_hashes;
