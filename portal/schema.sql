-- The portal's own SQLite file: accounts, sessions, failed logins and the audit log.
-- It never touches the pipeline's DuckDB file, which has one writer at a time.
create table if not exists accounts (
    username text primary key,
    role text not null,
    password_hash text not null,
    created_at text not null,
    revoked_at text
);

create table if not exists sessions (
    token_hash text primary key,
    username text not null references accounts (username),
    csrf_token text not null,
    expires_at real not null
);

create table if not exists login_failures (
    username text not null,
    client text not null,
    at real not null
);

create table if not exists audit_log (
    id integer primary key autoincrement,
    at text not null,
    username text,
    action text not null,
    target text,
    result text not null,
    client text
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
