-- The portal's own SQLite file: accounts, sessions, login throttling, lookup quotas and the
-- audit log. It never touches the pipeline's DuckDB file, which has one writer at a time.
-- Times in `real` columns are Unix seconds; the `text` ones are ISO 8601 in UTC.

-- Names are stored case-folded and are never used twice: a revoked account keeps its row
-- and its name, so the audit log's rows always mean one account.
create table if not exists accounts (
    username text primary key,
    role text not null,
    password_hash text not null,
    created_at text not null,
    revoked_at text,
    password_changed_at text
);

create table if not exists sessions (
    token_hash text primary key,
    username text not null references accounts (username),
    csrf_token text not null,
    created_at real not null,
    last_seen real not null,
    expires_at real not null
);

-- Browsers an account has logged in from (a cookie's SHA-256): the login throttle trusts them.
create table if not exists devices (
    token_hash text primary key,
    username text not null references accounts (username),
    expires_at real not null
);

-- device: the known browser's token hash, '' for any other.
create table if not exists login_failures (
    username text not null,
    client text not null,
    device text not null,
    at real not null
);
create index if not exists login_failures_by_name on login_failures (username, at);
create index if not exists login_failures_by_client on login_failures (client, at);

create table if not exists lookups (
    username text not null,
    at real not null,
    numbers integer not null
);
create index if not exists lookups_by_name on lookups (username, at);

-- Denials logged one by one per client (and account) and minute, and how many were only counted.
create table if not exists audit_budget (
    client text not null,
    username text not null,
    window_start real not null,
    logged integer not null,
    suppressed integer not null,
    primary key (client, username)
);

create table if not exists portal_keys (
    name text primary key,
    value blob not null
);

-- hash = SHA-256 of the row's fields and prev_hash (portal/audit.py): a chain from the first
-- row, which `python -m pipeline accounts verify-audit` checks.
create table if not exists audit_log (
    id integer primary key autoincrement,
    at text not null,
    username text,
    action text not null,
    target text,
    result text not null,
    client text,
    prev_hash text not null,
    hash text not null
);

-- Append-only: the app has no statement that changes a row, and the file refuses one.
create trigger if not exists audit_log_no_update before update on audit_log
begin
    select raise(abort, 'the audit log is append-only');
end;

create trigger if not exists audit_log_no_delete before delete on audit_log
begin
    select raise(abort, 'the audit log is append-only');
end;

-- A new row comes after the last one and names its hash: no reused id (INSERT OR REPLACE), no
-- row slipped in between, no break in the chain.
create trigger if not exists audit_log_append_only before insert on audit_log
when new.id is not coalesce((select max(id) from audit_log), 0) + 1
    or new.prev_hash is not coalesce(
        (select hash from audit_log where id = new.id - 1), '0000000000000000000000000000000000000000000000000000000000000000'
    )
begin
    select raise(abort, 'the audit log is append-only');
end;
