-- The registry: the recorded state that outlives any warehouse (SQLite, WAL). Append-only:
-- a rule change or a release is a new row, never an edit, so its history can be shown as it was.
pragma journal_mode = wal;
pragma recursive_triggers = on;

create table if not exists rule_changes (
    change_id integer primary key,
    fiscal_year integer not null,
    changed_at text not null,   -- UTC, ISO 8601
    changed_by text not null,   -- OS user or portal account
    reason text not null,
    rule text not null,         -- the whole rule after the change, canonical JSON
    rule_sha256 text not null
);
create index if not exists rule_changes_by_year on rule_changes (fiscal_year, change_id);

create table if not exists releases (
    release_id text primary key,
    fiscal_year integer not null,
    published_at text not null,  -- UTC, when the year's link was switched to it
    dagster_run_id text not null,
    git_commit text not null,
    rule_sha256 text not null,
    input_sha256 text not null,  -- JSON: {"2025/firms.csv": "…", …}
    candidates integer not null,
    manifest_sha256 text not null,
    folder text not null         -- relative to DATA_MARTS_DIR
);
create index if not exists releases_by_year on releases (fiscal_year, published_at);

create table if not exists release_prunes (
    release_id text primary key references releases (release_id),
    pruned_at text not null,
    pruned_by text not null,
    retention text not null
);

create trigger if not exists rule_changes_append_only_update before update on rule_changes
begin select raise(abort, 'rule_changes is append-only'); end;
create trigger if not exists rule_changes_append_only_delete before delete on rule_changes
begin select raise(abort, 'rule_changes is append-only'); end;
create trigger if not exists releases_append_only_update before update on releases
begin select raise(abort, 'releases is append-only'); end;
create trigger if not exists releases_append_only_delete before delete on releases
begin select raise(abort, 'releases is append-only'); end;
create trigger if not exists release_prunes_append_only_update before update on release_prunes
begin select raise(abort, 'release_prunes is append-only'); end;
create trigger if not exists release_prunes_append_only_delete before delete on release_prunes
begin select raise(abort, 'release_prunes is append-only'); end;
